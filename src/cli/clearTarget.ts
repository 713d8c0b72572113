import type { Dag } from '../dag/model';
import type { DataInterval } from '../dag/schedule';
import type { RunRecord } from '../protocol/runRecord';
import { unknownInstance, widenSelection } from '../runner/rerunSelection';
import { fail, ok, type Errorable } from '../util/errorable';

/** What `cdag run FILE --rerun RUN_ID --task X` clears: the run, its date, and the tasks that run again in it. */
export interface ClearTarget {
  readonly record: RunRecord;
  readonly interval: DataInterval;
  readonly only: ReadonlySet<string>;
}

/**
 * Finds the run to clear among the stored ones and widens the selection as asked (Airflow's Clear
 * with downstream / upstream); the messages name the flag to change.
 */
export function clearTarget(
  runs: readonly RunRecord[],
  dag: Dag,
  file: string,
  runId: string,
  tasks: readonly string[],
  widen: { readonly downstream: boolean; readonly upstream: boolean },
  isLive: (r: RunRecord) => boolean,
): Errorable<ClearTarget> {
  if (tasks.length === 0) return fail('--rerun needs --task ID (the tasks to run again in that run).');
  const record = runs.find((r) => r.run_id === runId);
  if (!record) return fail(`--rerun ${runId}: no such run in the runs folder (cdag diff and VS Code list them).`);
  if (record.dag !== dag.id || (record.file !== undefined && record.file !== file))
    return fail(
      `--rerun ${runId}: that run is of DAG ${record.dag}${record.file ? ` (${record.file})` : ''}, not this file.`,
    );
  if (record.ended_at === undefined || isLive(record))
    return fail(`--rerun ${runId}: that run is still going on; cancel it or wait for its end.`);
  const only = widenSelection(dag, tasks, widen);
  const missing = unknownInstance(dag, only, record);
  if (missing)
    return fail(
      missing.made === undefined
        ? `${missing.id}: run ${runId} made no instances of ${missing.task}.`
        : `${missing.id}: run ${runId} made ${missing.made} instance(s) of ${missing.task} (${missing.task}[0] to ${missing.task}[${missing.made - 1}]).`,
    );
  const start = new Date(record.logical_date);
  return ok({ record, interval: { start, end: new Date(record.data_interval_end) }, only });
}
