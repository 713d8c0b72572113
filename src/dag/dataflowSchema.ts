import type { Spec } from './schema';

export const OUTPUT_NAME_PATTERN = '^[A-Za-z_][A-Za-z0-9_]*$';

/** A task's fields of format v2 dataflow: values between tasks, fan-out and conditions. */
export const DATAFLOW_FIELDS = {
  outputs: {
    kind: 'list',
    doc: 'Values this task passes on: the container writes one JSON object (at most 4 KiB) to the file named by `$CDAG_OUTPUT`, with these keys; downstream tasks read them as `{{ tasks.ID.outputs.NAME }}` (text as it is, anything else as JSON). Docker reads the file from the stopped container (`/cdag/output.json`, remote daemons too); Kubernetes carries it as the termination message (`/dev/termination-log`). A missing file or key fails the attempt (`output-missing`), as does one that is not a JSON object (`output-invalid`) or over 4 KiB (`output-too-large`). The record keeps them per attempt, secret values masked. Like Airflow’s XCom and Argo’s output parameters; files go through volumes.',
    items: {
      kind: 'string',
      doc: 'An output name.',
      pattern: OUTPUT_NAME_PATTERN,
      patternHelp: 'letters, digits and `_`, not starting with a digit',
    },
  },
  expand: {
    kind: 'map',
    doc: 'Fan-out: one instance of the task per item, `{VAR: LIST}` (several variables: every combination, as Airflow’s `expand`). A LIST is a YAML list or a template giving one (`"{{ tasks.ID.outputs.NAME }}"`, `"{{ params.P }}"`), resolved when the task is ready. Instances read `{{ item.VAR }}` and `{{ map_index }}`; an empty list skips the task; more than 1,024 items fail it.',
    keyPattern: OUTPUT_NAME_PATTERN,
    keyHelp: 'letters, digits and `_`, not starting with a digit',
    values: { kind: 'listOrTemplate', doc: 'The items: a list, or a template giving a list.' },
  },
  expand_max_active: {
    kind: 'integer',
    doc: 'At most this many instances of an `expand` task run at once (never more than `max_active_tasks`).',
    minimum: 1,
    maximum: 1024,
  },
  skip_on_exit_code: {
    kind: 'list',
    doc: 'Exit codes that end the task as `skipped` rather than failed, without a retry (as the DockerOperator and KubernetesPodOperator do): "nothing to do".',
    items: { kind: 'integer', doc: 'An exit code.', minimum: 1, maximum: 255 },
  },
  when: {
    kind: 'string',
    doc: 'Run the task only if this template is true when the task is ready (false: empty, `false`, `0`, `null`, `[]`); otherwise it is `skipped`, with the reason. Compare with filters: `{{ tasks.check.outputs.rows | gt(0) }}`.',
    templated: true,
  },
  depends_on_past: {
    kind: 'boolean',
    doc: 'Run this task for a logical date only if its instance for the previous logical date of the schedule succeeded or was skipped, as Airflow’s `depends_on_past` (the first date, or a DAG with no run of the previous date, runs). A run of the previous date going on in the same `cdag run` or window is waited for (a backfill with `--max-runs` above 1); otherwise the newest stored run of that date decides. If it did not succeed, the task does not run: it ends `upstream_failed` with the reason (`depends_on_past: rank of 2019-01-01 ended failed`), and so do the tasks that need it.',
  },
} as const satisfies Record<string, Spec>;
