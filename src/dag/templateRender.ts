import { addDays, isoDay, isoTimestamp, parseDate, strftime } from './dates';
import { own } from '../util/dict';
import { fail, ok, type Errorable } from '../util/errorable';
import { inDateRange, scanTemplates, type FilterCall, type TemplateExpr } from './template';

/** Everything a template can read during one attempt. */
export interface TemplateContext {
  readonly dagId: string;
  readonly taskId: string;
  readonly runId: string;
  readonly tryNumber: number;
  readonly logicalDate: Date;
  readonly intervalEnd: Date;
  readonly prevLogicalDate: Date;
  readonly params: Readonly<Record<string, unknown>>;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The outputs of the tasks done so far, by task id (a mapped task's: lists in map-index order). */
  readonly outputs?: ReadonlyMap<string, Readonly<Record<string, unknown>>>;
  /** In an instance of a task with `expand`: its values of the `expand` variables, and its index. */
  readonly item?: Readonly<Record<string, unknown>>;
  readonly mapIndex?: number;
}

/** A value as text in a container's arguments: strings as they are, anything else as JSON. */
export function asText(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** Truth as `when` reads it: empty, `false`, `0`, `null` and `[]` (and `{}`) are false; as text too. */
export function truthy(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0) return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  if (typeof v === 'string') return !['', 'false', 'False', '0', 'null', 'None', '[]', '{}'].includes(v.trim());
  return true;
}

/** A name's value in this attempt, typed (outputs and params keep their JSON types); undefined when it has none. */
export function templateValue(name: string, ctx: TemplateContext): unknown {
  const start = ctx.logicalDate;
  const nodash = (d: Date) => isoDay(d).replace(/-/g, '');
  switch (name) {
    case 'ds':
      return isoDay(start);
    case 'ds_nodash':
      return nodash(start);
    case 'ts':
    case 'logical_date':
    case 'execution_date':
    case 'data_interval_start':
      return isoTimestamp(start);
    case 'ts_nodash':
      return isoTimestamp(start).slice(0, 19).replace(/[-:]/g, '');
    case 'data_interval_end':
      return isoTimestamp(ctx.intervalEnd);
    case 'next_ds':
      return isoDay(ctx.intervalEnd);
    case 'next_ds_nodash':
      return nodash(ctx.intervalEnd);
    case 'prev_ds':
      return isoDay(ctx.prevLogicalDate);
    case 'prev_ds_nodash':
      return nodash(ctx.prevLogicalDate);
    case 'tomorrow_ds':
      return isoDay(addDays(start, 1));
    case 'yesterday_ds':
      return isoDay(addDays(start, -1));
    case 'dag.id':
      return ctx.dagId;
    case 'task.id':
      return ctx.taskId;
    case 'run_id':
      return ctx.runId;
    case 'try_number':
      return ctx.tryNumber;
    case 'map_index':
      return ctx.mapIndex;
  }
  if (name.startsWith('params.')) {
    const v = own(ctx.params, name.slice(7));
    return v === null ? undefined : v;
  }
  if (name.startsWith('env.')) {
    const v = own(ctx.env, name.slice(4));
    return typeof v === 'string' ? v : undefined;
  }
  if (name.startsWith('item.')) return ctx.item ? own(ctx.item, name.slice(5)) : undefined;
  if (name.startsWith('tasks.')) {
    const [, id, kind, output] = name.split('.');
    const outputs = id && kind === 'outputs' && output ? ctx.outputs?.get(id) : undefined;
    return outputs ? own(outputs, output!) : undefined;
  }
  return undefined;
}

/** A number to compare: a JSON number, or text that is one (a `--param n=5` arrives as text). */
function numberOf(v: unknown, filter: string): Errorable<number> {
  if (typeof v === 'number') return ok(v);
  if (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v.trim())) return ok(Number(v));
  return fail(`${filter} needs a number, got ${asText(v)}.`);
}

function same(v: unknown, arg: string | number): boolean {
  if (typeof arg === 'number') {
    const n = numberOf(v, '');
    return n.succeeded && n.result === arg;
  }
  return v === arg || (typeof v !== 'string' && v !== undefined && asText(v) === arg);
}

export function applyFilter(value: unknown, f: FilterCall): Errorable<unknown> {
  const text = () => (value === undefined ? undefined : asText(value));
  switch (f.name) {
    case 'upper':
      return ok(text()?.toUpperCase());
    case 'lower':
      return ok(text()?.toLowerCase());
    case 'default':
      return ok(value === undefined || value === '' ? String(f.args[0]) : value);
    case 'ds_add': {
      const t = text();
      if (t === undefined) return ok(t);
      const d = parseDate(t.slice(0, 10));
      if (!d.succeeded) return fail(`ds_add needs a YYYY-MM-DD date, got "${t}".`);
      const shifted = addDays(d.result, Number(f.args[0]));
      if (!inDateRange(shifted)) {
        return fail(`ds_add(${String(f.args[0])}) takes ${t.slice(0, 10)} outside the years 0001–9999.`);
      }
      return ok(isoDay(shifted));
    }
    case 'ds_format': {
      const t = text();
      if (t === undefined) return ok(t);
      const d = parseDate(t);
      if (!d.succeeded) return fail(`ds_format needs a date or date-time, got "${t}".`);
      return ok(strftime(d.result, String(f.args[0])));
    }
    case 'eq':
      return ok(same(value, f.args[0]!));
    case 'ne':
      return ok(!same(value, f.args[0]!));
    case 'gt':
    case 'ge':
    case 'lt':
    case 'le': {
      const n = numberOf(value, `${f.name}(${String(f.args[0])})`);
      if (!n.succeeded) return n;
      const arg = Number(f.args[0]);
      return ok(
        f.name === 'gt'
          ? n.result > arg
          : f.name === 'ge'
            ? n.result >= arg
            : f.name === 'lt'
              ? n.result < arg
              : n.result <= arg,
      );
    }
    case 'in':
      return ok(f.args.some((a) => same(value, a)));
    case 'not':
      return ok(!truthy(value));
    case 'length':
      if (typeof value === 'string' || Array.isArray(value)) return ok(value.length);
      if (value && typeof value === 'object') return ok(Object.keys(value).length);
      return fail(`length needs a list, an object or text, got ${asText(value)}.`);
    case 'sum': {
      if (!Array.isArray(value)) return fail(`sum needs a list of numbers, got ${asText(value)}.`);
      let total = 0;
      for (const x of value) {
        const n = numberOf(x, 'sum');
        if (!n.succeeded) return n;
        total += n.result;
      }
      return ok(total);
    }
    case 'tojson':
      return ok(JSON.stringify(value ?? null));
    default:
      return fail(`Unknown filter "${f.name}".`);
  }
}

/** One expression's value, filters applied; undefined (no value) is a failure naming the name. */
export function evaluateExpr(e: TemplateExpr, ctx: TemplateContext): Errorable<unknown> {
  let value = templateValue(e.name, ctx);
  for (const f of e.filters) {
    const r = applyFilter(value, f);
    if (!r.succeeded) return r;
    value = r.result;
  }
  if (value === undefined) {
    const hint = e.name.startsWith('env.')
      ? ` Set the environment variable ${e.name.slice(4)} or add | default("…").`
      : e.name.startsWith('tasks.')
        ? ' The task has not produced it (it did not run, was skipped, or did not write it).'
        : '';
    return fail(`"{{ ${e.name} }}" has no value in this run.${hint}`);
  }
  return ok(value);
}

/** Renders every `{{ }}` of a string; a syntax error or an undefined value is a failure, never an empty string. */
export function renderTemplate(s: string, ctx: TemplateContext): Errorable<string> {
  if (!s.includes('{{') && !s.includes('}}')) return ok(s);
  const scanned = scanTemplates(s);
  if (scanned.issues.length > 0) return fail(scanned.issues[0]!.message);
  let out = '';
  let last = 0;
  for (const e of scanned.exprs) {
    const v = evaluateExpr(e, ctx);
    if (!v.succeeded) return v;
    out += s.slice(last, e.span.start) + asText(v.result);
    last = e.span.end;
  }
  return ok(out + s.slice(last));
}

/**
 * A template's value with its type: a string that is one `{{ … }}` and nothing else gives the
 * expression's value (a list stays a list, `false` stays false); anything else renders as text.
 */
export function evaluateTemplate(s: string, ctx: TemplateContext): Errorable<unknown> {
  const scanned = scanTemplates(s);
  if (scanned.issues.length > 0) return fail(scanned.issues[0]!.message);
  const only = scanned.exprs.length === 1 ? scanned.exprs[0]! : undefined;
  if (only && s.slice(0, only.span.start).trim() === '' && s.slice(only.span.end).trim() === '')
    return evaluateExpr(only, ctx);
  return renderTemplate(s, ctx);
}
