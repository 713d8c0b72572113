import { dict } from '../util/dict';

/** What a `{{ name }}` may refer to. Deprecated names still render but get a hint naming their replacement. */
export interface TemplateName {
  readonly doc: string;
  readonly deprecated?: string;
}

export const TEMPLATE_NAMES: Readonly<Record<string, TemplateName>> = dict(
  Object.entries({
    ds: { doc: 'The logical date as YYYY-MM-DD (start of the data interval).' },
    ds_nodash: { doc: 'The logical date as YYYYMMDD.' },
    ts: { doc: 'The logical date-time, ISO 8601 (`2019-01-01T00:00:00+00:00`).' },
    ts_nodash: { doc: 'The logical date-time as YYYYMMDDTHHMMSS.' },
    logical_date: { doc: 'The logical date-time, ISO 8601; the start of the data interval.' },
    data_interval_start: { doc: 'Start of the data interval, ISO 8601.' },
    data_interval_end: { doc: 'End of the data interval, ISO 8601 (the next logical date).' },
    next_ds: {
      doc: 'The next logical date as YYYY-MM-DD (the end of the data interval).',
      deprecated: 'Airflow deprecates `next_ds`: use `{{ data_interval_end | ds_format("%Y-%m-%d") }}`.',
    },
    prev_ds: {
      doc: 'The previous logical date as YYYY-MM-DD.',
      deprecated: 'Airflow deprecates `prev_ds`: it is the previous run’s logical date; prefer `data_interval_start`.',
    },
    next_ds_nodash: {
      doc: 'The next logical date as YYYYMMDD.',
      deprecated: 'Airflow deprecates `next_ds_nodash`: use `{{ data_interval_end | ds_format("%Y%m%d") }}`.',
    },
    prev_ds_nodash: {
      doc: 'The previous logical date as YYYYMMDD.',
      deprecated: 'Airflow deprecates `prev_ds_nodash`.',
    },
    execution_date: {
      doc: 'The logical date-time (Airflow 1 name).',
      deprecated: 'Airflow 2 renamed `execution_date` to `logical_date`.',
    },
    tomorrow_ds: {
      doc: 'The day after the logical date, YYYY-MM-DD.',
      deprecated: 'Airflow deprecates `tomorrow_ds`: use `{{ ds | ds_add(1) }}`.',
    },
    yesterday_ds: {
      doc: 'The day before the logical date, YYYY-MM-DD.',
      deprecated: 'Airflow deprecates `yesterday_ds`: use `{{ ds | ds_add(-1) }}`.',
    },
    'dag.id': { doc: 'The DAG id.' },
    'task.id': { doc: 'The id of the task being rendered.' },
    run_id: { doc: 'The id of the run.' },
    try_number: { doc: 'The attempt number, starting at 1.' },
    map_index: { doc: 'In a task with `expand`: the index of this instance, from 0 (Airflow’s `map_index`).' },
  }),
);

/** Namespaces whose member is checked separately (`params.NAME` against `params`; `env.NAME` is the host’s). */
export const TEMPLATE_NAMESPACES: Readonly<Record<string, string>> = dict(
  Object.entries({
    params: 'A parameter from `params` (a run may override it).',
    env: 'An environment variable of the host running the DAG, read only when referenced.',
    tasks:
      'An output of an upstream task: `tasks.ID.outputs.NAME` (a mapped task’s is the list of its instances’ values).',
    item: 'In a task with `expand`: this instance’s value of an `expand` variable, `item.VAR`.',
  }),
);

export interface TemplateFilter {
  readonly doc: string;
  /** `value`: a quoted string or a whole number. */
  readonly args: readonly ('string' | 'integer' | 'value')[];
  /** Arguments that may be left out. */
  readonly optional?: number;
  /** The last argument may be repeated (`in("a", "b", "c")`). */
  readonly variadic?: boolean;
  /** What the filter gives, for checks before the run. */
  readonly gives: TemplateType;
  /** What it needs, where a wrong type can be known before the run. */
  readonly takes?: readonly TemplateType[];
}

/** A template value's type as far as it is known before a run. */
export type TemplateType = 'string' | 'number' | 'boolean' | 'list' | 'object' | 'unknown';

export const TEMPLATE_FILTERS: Readonly<Record<string, TemplateFilter>> = dict(
  Object.entries({
    upper: { doc: 'Upper-case the value.', args: [], gives: 'string' },
    lower: { doc: 'Lower-case the value.', args: [], gives: 'string' },
    default: {
      doc: 'Use this text when the value is undefined or empty: `default("x")`.',
      args: ['string'],
      gives: 'unknown',
    },
    ds_add: { doc: 'Add N days to a YYYY-MM-DD date: `ds_add(7)`, `ds_add(-1)`.', args: ['integer'], gives: 'string' },
    ds_format: {
      doc: 'Format a date or date-time with strftime directives: `ds_format("%Y/%m/%d")`.',
      args: ['string'],
      gives: 'string',
    },
    eq: { doc: 'Whether the value equals the argument: `eq("done")`, `eq(3)`.', args: ['value'], gives: 'boolean' },
    ne: { doc: 'Whether the value differs from the argument: `ne("")`.', args: ['value'], gives: 'boolean' },
    gt: {
      doc: 'Whether the number is greater than the argument: `gt(0)`.',
      args: ['integer'],
      gives: 'boolean',
      takes: ['number', 'string', 'unknown'],
    },
    ge: {
      doc: 'Whether the number is at least the argument: `ge(1)`.',
      args: ['integer'],
      gives: 'boolean',
      takes: ['number', 'string', 'unknown'],
    },
    lt: {
      doc: 'Whether the number is less than the argument: `lt(10)`.',
      args: ['integer'],
      gives: 'boolean',
      takes: ['number', 'string', 'unknown'],
    },
    le: {
      doc: 'Whether the number is at most the argument: `le(10)`.',
      args: ['integer'],
      gives: 'boolean',
      takes: ['number', 'string', 'unknown'],
    },
    in: {
      doc: 'Whether the value is one of the arguments: `in("eu", "us")`.',
      args: ['value'],
      variadic: true,
      gives: 'boolean',
    },
    not: {
      doc: 'The opposite truth of the value (empty, `false`, `0`, `null` and `[]` are false).',
      args: [],
      gives: 'boolean',
    },
    length: {
      doc: 'The number of items of a list, keys of an object or characters of a string.',
      args: [],
      gives: 'number',
      takes: ['string', 'list', 'object', 'unknown'],
    },
    sum: { doc: 'The sum of a list of numbers.', args: [], gives: 'number', takes: ['list', 'unknown'] },
    tojson: { doc: 'The value as JSON text.', args: [], gives: 'string' },
  }),
);
