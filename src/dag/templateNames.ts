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
  }),
);

/** Namespaces whose member is checked separately (`params.NAME` against `params`; `env.NAME` is the host’s). */
export const TEMPLATE_NAMESPACES: Readonly<Record<string, string>> = dict(
  Object.entries({
    params: 'A parameter from `params` (a run may override it).',
    env: 'An environment variable of the host running the DAG, read only when referenced.',
  }),
);

export interface TemplateFilter {
  readonly doc: string;
  readonly args: readonly ('string' | 'integer')[];
  /** Arguments that may be left out. */
  readonly optional?: number;
}

export const TEMPLATE_FILTERS: Readonly<Record<string, TemplateFilter>> = dict(
  Object.entries({
    upper: { doc: 'Upper-case the value.', args: [] },
    lower: { doc: 'Lower-case the value.', args: [] },
    default: { doc: 'Use this text when the value is undefined or empty: `default("x")`.', args: ['string'] },
    ds_add: { doc: 'Add N days to a YYYY-MM-DD date: `ds_add(7)`, `ds_add(-1)`.', args: ['integer'] },
    ds_format: {
      doc: 'Format a date or date-time with strftime directives: `ds_format("%Y/%m/%d")`.',
      args: ['string'],
    },
  }),
);
