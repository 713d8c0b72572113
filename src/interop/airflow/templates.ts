import { scanTemplates, type FilterCall } from '../../dag/template';
import {
  dataflowFilter,
  dataflowName,
  pyString,
  rendered,
  type AirflowName,
  type DataflowContext,
} from './dataflowTemplates';

/**
 * Templates between Airflow's Jinja and this format's small language. Both sides mean the same
 * values (the spec follows Airflow 2's names); what differs is spelling: Airflow calls macros
 * (`macros.ds_add(ds, 1)`) where this format pipes filters (`ds | ds_add(1)`), and Airflow 3 removed
 * `next_ds` and friends, so exports spell them from the data interval.
 */
export interface Translated {
  readonly text: string;
  /** Why parts could not be translated (they are left as written). */
  readonly issues: readonly string[];
  /** Task outputs the text reads (XCom pulls, on import): the upstream task must declare them. */
  readonly refs?: readonly OutputRef[];
}

export interface OutputRef {
  readonly task: string;
  readonly output: string;
}

const TO_AIRFLOW: Readonly<Record<string, AirflowName>> = {
  ds: { expr: 'ds', kind: 'ds' },
  ds_nodash: { expr: 'ds_nodash', kind: 'ds_nodash' },
  ts: { expr: 'ts', kind: 'string' },
  ts_nodash: { expr: 'ts_nodash', kind: 'string' },
  logical_date: { expr: 'logical_date', kind: 'datetime' },
  execution_date: { expr: 'logical_date', kind: 'datetime' },
  data_interval_start: { expr: 'data_interval_start', kind: 'datetime' },
  data_interval_end: { expr: 'data_interval_end', kind: 'datetime' },
  // Airflow 3 removed these; the data interval gives the same dates on Airflow 2.2+ and 3.
  next_ds: { expr: 'data_interval_end | ds', kind: 'ds' },
  next_ds_nodash: { expr: 'data_interval_end | ds_nodash', kind: 'ds_nodash' },
  tomorrow_ds: { expr: 'macros.ds_add(ds, 1)', kind: 'ds' },
  yesterday_ds: { expr: 'macros.ds_add(ds, -1)', kind: 'ds' },
  'dag.id': { expr: 'dag.dag_id', kind: 'string' },
  'task.id': { expr: 'task.task_id', kind: 'string' },
  run_id: { expr: 'run_id', kind: 'string' },
  try_number: { expr: 'ti.try_number', kind: 'string' },
};

const INPUT_FORMAT: Readonly<Record<'ds' | 'ds_nodash', string>> = { ds: '%Y-%m-%d', ds_nodash: '%Y%m%d' };

function airflowBase(name: string, ctx: DataflowContext | undefined): AirflowName | undefined {
  const v2 = dataflowName(name, ctx);
  if (v2) return v2;
  // Airflow 3 removed prev_ds; the previous logical date of a schedule whose intervals differ in
  // length (monthly) is the cron's previous tick, which the exported helper asks croniter for.
  if (name === 'prev_ds' || name === 'prev_ds_nodash') {
    const cron = ctx?.cron ? pyString(ctx.cron) : 'None';
    return name === 'prev_ds'
      ? { expr: `cdag_prev_ds(logical_date, ${cron})`, kind: 'ds' }
      : { expr: `cdag_prev_ds(logical_date, ${cron}, '%Y%m%d')`, kind: 'ds_nodash' };
  }
  if (name.startsWith('params.')) return { expr: name, kind: 'string' };
  // The host environment of the run: the export passes os.environ to Jinja as `env` (see exportAirflow).
  if (name.startsWith('env.')) return { expr: name, kind: 'string' };
  return TO_AIRFLOW[name];
}

function applyFilter(base: AirflowName, f: FilterCall): AirflowName | string {
  const v2 = dataflowFilter(base, f, wrap);
  if (v2) return v2;
  const arg = (i: number): string => {
    const a = f.args[i];
    return typeof a === 'number' ? String(a) : pyString(a ?? '');
  };
  switch (f.name) {
    case 'upper':
    case 'lower':
      return { expr: `${wrap(base.expr)} | ${f.name}`, kind: 'string' };
    case 'default':
      // This format's default also covers an empty value; Jinja's does with its second argument.
      return { expr: `${wrap(base.expr)} | default(${arg(0)}, true)`, kind: base.kind };
    case 'ds_add': {
      const ds =
        base.kind === 'ds'
          ? base.expr
          : base.kind === 'datetime'
            ? `${wrap(base.expr)} | ds`
            : base.kind === 'ds_nodash'
              ? `macros.ds_format(${base.expr}, '%Y%m%d', '%Y-%m-%d')`
              : undefined;
      if (!ds) return `ds_add of ${base.expr}, which is not a date`;
      return { expr: `macros.ds_add(${ds}, ${arg(0)})`, kind: 'ds' };
    }
    case 'ds_format':
      if (base.kind === 'datetime') return { expr: `${wrap(base.expr)}.strftime(${arg(0)})`, kind: 'string' };
      if (base.kind === 'ds' || base.kind === 'ds_nodash')
        return {
          expr: `macros.ds_format(${base.expr}, ${pyString(INPUT_FORMAT[base.kind])}, ${arg(0)})`,
          kind: 'string',
        };
      return `ds_format of ${base.expr}, which is not a date`;
    default:
      return `the filter ${f.name}`;
  }
}

/** Parenthesised when it is more than a dotted name or a call, so a filter or method binds to all of it. */
function wrap(expr: string): string {
  return /^[\w.]+(\(.*\))?$/.test(expr) ? expr : `(${expr})`;
}

/**
 * DockerOperator treats a templated string ending in one of these as the path of a template file to
 * read; such an ending is written as a Jinja literal so the string stays a string.
 */
const TEMPLATE_EXT = /\.(sh|bash|env)$/;

export function protectTemplateExt(s: string): string {
  const m = TEMPLATE_EXT.exec(s);
  return m ? `${s.slice(0, m.index)}{{ '${m[0]}' }}` : s;
}

/** `--day {{ ds | ds_add(1) }}` → `--day {{ macros.ds_add(ds, 1) }}`. */
export function toAirflowTemplate(s: string, ctx?: DataflowContext): Translated {
  const { exprs, issues } = scanTemplates(s);
  if (exprs.length === 0 && issues.length === 0) return { text: s, issues: [] };
  const problems: string[] = issues.map((i) => i.message);
  let out = '';
  let at = 0;
  for (const e of exprs) {
    out += s.slice(at, e.span.start);
    at = e.span.end;
    let cur: AirflowName | string = airflowBase(e.name, ctx) ?? `the name ${e.name}`;
    for (const f of e.filters) if (typeof cur !== 'string') cur = applyFilter(cur, f);
    if (typeof cur === 'string') {
      problems.push(`${s.slice(e.span.start, e.span.end)}: ${cur} has no Airflow equivalent here`);
      out += s.slice(e.span.start, e.span.end);
    } else out += `{{ ${rendered(cur)} }}`;
  }
  return { text: out + s.slice(at), issues: problems };
}
