import { scanTemplates, type FilterCall } from '../../dag/template';

/**
 * Templates in Argo's terms. Argo has no logical date: the run's dates are two workflow parameters,
 * `logical_date` and `data_interval_end` (RFC 3339), and every date name is an expression template
 * (`{{=sprig.date(...)}}`) over them, so overriding one parameter at submit moves every date with it.
 */
export interface ArgoTemplateContext {
  readonly dagId: string;
  readonly taskId: string;
  /**
   * Format v2: where the text is evaluated — a container template reads upstream outputs and items
   * as its input parameters (collected in `inputs`), a DAG task (`when`, `withParam`) reads `tasks.*`.
   */
  readonly scope?: 'container' | 'dag';
  readonly names?: ReadonlyMap<string, string>;
  readonly mapped?: ReadonlySet<string>;
  readonly inputs?: Map<string, ArgoInput>;
}

/** An input parameter of a container template: an item variable, an upstream task's output file, a daemon's IP. */
export type ArgoInput =
  | { readonly kind: 'item'; readonly variable: string }
  | { readonly kind: 'output'; readonly task: string }
  | { readonly kind: 'service'; readonly task: string };

/** A date-time, a date string, other text, or a typed value from an output or item (a JSON value, a number, a truth). */
type Kind = 'time' | 'ds' | 'ds_nodash' | 'string' | 'value' | 'number' | 'bool';

interface Expr {
  readonly expr: string;
  readonly kind: Kind;
  /** For a date formatted from a time: that time, so date arithmetic need not parse the text back. */
  readonly time?: string;
}

const RFC3339 = '"2006-01-02T15:04:05Z07:00"';
const LOGICAL = `sprig.toDate(${RFC3339}, workflow.parameters.logical_date)`;
const END = `sprig.toDate(${RFC3339}, workflow.parameters.data_interval_end)`;
const ISO_LAYOUT = '"2006-01-02T15:04:05-07:00"';

function fmt(layout: string, time: string): string {
  return `sprig.date(${layout}, ${time})`;
}

function day(time: string, layout = '"2006-01-02"'): Expr {
  return { expr: fmt(layout, time), kind: layout === '"20060102"' ? 'ds_nodash' : 'ds', time };
}

const NAMES: Readonly<Record<string, Expr>> = {
  ds: day(LOGICAL),
  ds_nodash: day(LOGICAL, '"20060102"'),
  ts: { expr: fmt(ISO_LAYOUT, LOGICAL), kind: 'string' },
  ts_nodash: { expr: fmt('"20060102T150405"', LOGICAL), kind: 'string' },
  logical_date: { expr: LOGICAL, kind: 'time' },
  execution_date: { expr: LOGICAL, kind: 'time' },
  data_interval_start: { expr: LOGICAL, kind: 'time' },
  data_interval_end: { expr: END, kind: 'time' },
  next_ds: day(END),
  next_ds_nodash: day(END, '"20060102"'),
  tomorrow_ds: day(`sprig.dateModify("24h", ${LOGICAL})`),
  yesterday_ds: day(`sprig.dateModify("-24h", ${LOGICAL})`),
  run_id: { expr: 'workflow.name', kind: 'string' },
  try_number: { expr: 'string(asInt(retries) + 1)', kind: 'string' },
};

/** strftime directive → Go layout element. */
const GO_LAYOUT: Readonly<Record<string, string>> = {
  Y: '2006',
  y: '06',
  m: '01',
  d: '02',
  H: '15',
  M: '04',
  S: '05',
  j: '002',
  b: 'Jan',
  B: 'January',
  a: 'Mon',
  A: 'Monday',
  z: '-0700',
  Z: 'MST',
  '%': '%',
};

export function goLayout(strftime: string): string | undefined {
  let out = '';
  for (let i = 0; i < strftime.length; i++) {
    const c = strftime[i]!;
    if (c !== '%') {
      out += c;
      continue;
    }
    const layout = GO_LAYOUT[strftime[++i] ?? ''];
    if (layout === undefined) return undefined;
    out += layout;
  }
  return out;
}

function asTime(e: Expr): string | undefined {
  if (e.time) return e.time;
  if (e.kind === 'time') return e.expr;
  if (e.kind === 'ds') return `sprig.toDate("2006-01-02", ${e.expr})`;
  if (e.kind === 'ds_nodash') return `sprig.toDate("20060102", ${e.expr})`;
  return undefined;
}

function filter(e: Expr, f: FilterCall): Expr | string {
  const a = f.args[0];
  switch (f.name) {
    case 'upper':
    case 'lower':
      return { expr: `sprig.${f.name}(${asString(e)})`, kind: 'string' };
    case 'default':
      return { expr: `sprig.default(${JSON.stringify(String(a ?? ''))}, ${asString(e)})`, kind: e.kind };
    case 'ds_add': {
      const t = asTime(e);
      if (!t) return 'ds_add of a value that is not a date';
      return day(`sprig.dateModify("${Number(a) * 24}h", ${t})`);
    }
    case 'ds_format': {
      const t = asTime(e);
      const layout = goLayout(String(a ?? ''));
      if (!t || layout === undefined)
        return `ds_format("${String(a)}") has a directive Go's layouts lack, or formats no date`;
      return { expr: fmt(JSON.stringify(layout), t), kind: 'string' };
    }
    case 'eq':
    case 'ne':
      return { expr: `${e.expr} ${f.name === 'eq' ? '==' : '!='} ${JSON.stringify(a)}`, kind: 'bool' };
    case 'gt':
    case 'ge':
    case 'lt':
    case 'le':
      return { expr: `asFloat(${e.expr}) ${COMPARE[f.name]} ${Number(a)}`, kind: 'bool' };
    case 'in':
      return { expr: `${e.expr} in [${f.args.map((x) => JSON.stringify(x)).join(', ')}]`, kind: 'bool' };
    case 'not':
      return { expr: `!(${e.expr})`, kind: 'bool' };
    case 'length':
      return { expr: `len(${e.expr})`, kind: 'number' };
    case 'sum':
      return { expr: `sum(${e.expr})`, kind: 'number' };
    case 'tojson':
      return { expr: `toJson(${e.expr})`, kind: 'string' };
    default:
      return `the filter ${f.name}`;
  }
}

const COMPARE: Readonly<Record<string, string>> = { gt: '>', ge: '>=', lt: '<', le: '<=' };

/** The parameter a container template reads an upstream task's output file from. */
export const outputInput = (argoTask: string): string => `${argoTask}-output`;

/** An output (JSONPath into the task's output file), an item variable or the map index, in this scope. */
function dataflowName(name: string, ctx: ArgoTemplateContext): Expr | string | undefined {
  if (name === 'map_index') return 'map_index: Argo gives a fanned-out task no index';
  const item = /^item\.(.+)$/.exec(name);
  if (item) {
    if (ctx.scope !== 'container') return `${name} outside the task's container`;
    ctx.inputs?.set(`item-${item[1]!}`, { kind: 'item', variable: item[1]! });
    return { expr: `inputs.parameters[${JSON.stringify(`item-${item[1]!}`)}]`, kind: 'value' };
  }
  const out = /^tasks\.(.+)\.outputs\.([^.]+)$/.exec(name);
  if (!out) return undefined;
  const [, id, output] = out as unknown as [string, string, string];
  const task = ctx.names?.get(id);
  if (!task) return `the task ${id}`;
  // Argo gives a fanned-out task's output parameter as one JSON list of every instance's value, in
  // item order (seen on the controller): the JSONPath takes NAME from each, which is what cdag reads.
  const each = ctx.mapped?.has(id) ? '[*]' : '';
  const file =
    ctx.scope === 'container'
      ? `inputs.parameters[${JSON.stringify(outputInput(task))}]`
      : `tasks[${JSON.stringify(task)}].outputs.parameters.output`;
  if (ctx.scope === 'container') ctx.inputs?.set(outputInput(task), { kind: 'output', task });
  const path = /^\w+$/.test(output) ? `$${each}.${output}` : `$${each}[${JSON.stringify(output)}]`;
  return { expr: `jsonpath(${file}, ${JSON.stringify(path)})`, kind: 'value' };
}

function asString(e: Expr): string {
  return e.kind === 'time' ? fmt(ISO_LAYOUT, e.expr) : e.expr;
}

export interface ArgoTemplate {
  readonly text: string;
  readonly issues: readonly string[];
  /** Date parameters the text refers to. */
  readonly usesDates: boolean;
}

export function toArgoTemplate(s: string, ctx: ArgoTemplateContext): ArgoTemplate {
  const { exprs, issues } = scanTemplates(s);
  if (exprs.length === 0) return { text: s, issues: issues.map((i) => i.message), usesDates: false };
  const problems = issues.map((i) => i.message);
  let usesDates = false;
  let out = '';
  let at = 0;
  for (const e of exprs) {
    out += s.slice(at, e.span.start);
    at = e.span.end;
    const whole = s.slice(e.span.start, e.span.end);
    let cur: Expr | string;
    if (e.name === 'dag.id' || e.name === 'task.id')
      cur = { expr: JSON.stringify(e.name === 'dag.id' ? ctx.dagId : ctx.taskId), kind: 'string' };
    else if (e.name.startsWith('params.')) cur = { expr: `workflow.parameters.${e.name.slice(7)}`, kind: 'string' };
    else if (e.name.startsWith('env.'))
      cur = `${e.name}: Argo has no access to the environment of the machine that submits`;
    else cur = dataflowName(e.name, ctx) ?? NAMES[e.name] ?? `the name ${e.name}`;
    if (typeof cur !== 'string' && (cur.expr.includes('logical_date') || cur.expr.includes('data_interval_end')))
      usesDates = true;
    for (const f of e.filters) if (typeof cur !== 'string') cur = filter(cur, f);
    if (typeof cur === 'string') {
      problems.push(`${whole}: ${cur}; left as written`);
      out += whole;
    } else if (/^workflow\.(parameters\.\w+|name)$/.test(cur.expr)) out += `{{${cur.expr}}}`;
    else if (/^"[^"\\]*"$/.test(cur.expr)) out += JSON.parse(cur.expr) as string;
    else out += `{{=${asString(cur)}}}`;
  }
  return { text: out + s.slice(at), issues: problems, usesDates };
}
