import type { FilterCall } from '../../dag/template';
import { own } from '../../util/dict';

/**
 * The format-v2 names and filters in Airflow's Jinja. Outputs are XComs pushed one per name (the
 * exported operators push them), an instance's item is the `cdag_item` its operator was expanded
 * with, and typed values render through `cdag_text` as cdag renders them (text as it is, anything
 * else as compact JSON), so a list reaches a command as `["a","b"]`, not Python's `['a', 'b']`.
 */

/** What an expression gives: a date string, other text, a date-time, or a typed value (a JSON value, a number, a truth). */
export type Kind = 'ds' | 'ds_nodash' | 'string' | 'datetime' | 'value' | 'number' | 'bool';

export interface AirflowName {
  readonly expr: string;
  readonly kind: Kind;
}

/** What the translation needs to know of the DAG: which tasks are mapped (their outputs are lists). */
export interface DataflowContext {
  readonly mapped: ReadonlySet<string>;
  /** The schedule's cron (presets spelled out), for `prev_ds`; absent without a cron schedule. */
  readonly cron?: string;
}

/** Single quotes, so the template sits in a double-quoted Python string without escapes. */
export function pyString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

const literal = (a: string | number | undefined): string => (typeof a === 'number' ? String(a) : pyString(a ?? ''));

export function dataflowName(name: string, ctx: DataflowContext | undefined): AirflowName | undefined {
  if (name === 'map_index') return { expr: 'ti.map_index', kind: 'number' };
  const item = /^item\.(.+)$/.exec(name);
  if (item) return { expr: `task.cdag_item[${pyString(item[1]!)}]`, kind: 'value' };
  const out = /^tasks\.(.+)\.outputs\.([^.]+)$/.exec(name);
  if (!out) return undefined;
  const [, task, output] = out as unknown as [string, string, string];
  // A list of task ids always gives a list: every instance's value of a mapped task, in map-index order.
  const ids = ctx?.mapped.has(task) ? `[${pyString(task)}]` : pyString(task);
  return { expr: `ti.xcom_pull(task_ids=${ids}, key=${pyString(output)})`, kind: 'value' };
}

const COMPARE: Readonly<Record<string, string>> = { eq: '==', ne: '!=', gt: '>', ge: '>=', lt: '<', le: '<=' };

/** The v2 filters; undefined for a filter this does not know (the caller tries its own). */
export function dataflowFilter(base: AirflowName, f: FilterCall, wrap: (e: string) => string): AirflowName | undefined {
  const op = own(COMPARE, f.name);
  if (op) return { expr: `${wrap(base.expr)} ${op} ${literal(f.args[0])}`, kind: 'bool' };
  switch (f.name) {
    case 'in':
      return { expr: `${wrap(base.expr)} in [${f.args.map(literal).join(', ')}]`, kind: 'bool' };
    case 'not':
      return { expr: `not cdag_truthy(${base.expr})`, kind: 'bool' };
    case 'length':
    case 'sum':
      return { expr: `${wrap(base.expr)} | list | ${f.name}`, kind: 'number' };
    case 'tojson':
      return { expr: `cdag_json(${base.expr})`, kind: 'string' };
    case 'upper':
    case 'lower':
      return base.kind === 'value' || base.kind === 'bool'
        ? { expr: `cdag_text(${base.expr}) | ${f.name}`, kind: 'string' }
        : undefined;
    default:
      return undefined;
  }
}

/** The expression as it goes between `{{ }}`: typed values through `cdag_text`. */
export function rendered(name: AirflowName): string {
  return name.kind === 'value' || name.kind === 'bool' ? `cdag_text(${name.expr})` : name.expr;
}

/** The helpers a translated template calls, which the exported DAG passes to Jinja. */
export function helpersUsed(text: string): string[] {
  return ['cdag_text', 'cdag_truthy', 'cdag_json', 'cdag_prev_ds'].filter((h) => text.includes(`${h}(`));
}
