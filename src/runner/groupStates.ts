import type { Dag } from '../dag/model';
import type { GroupRecord, RunRecord, TaskState } from '../protocol/runRecord';
import { dict, own } from '../util/dict';

/**
 * A group's state from its tasks', as Airflow shows a TaskGroup: running while any task is (or is
 * between tries, or some ended and others wait), else failed if any failed, upstream_failed if any
 * could not run, queued if none has started, cancelled if any was, skipped if all were, else success.
 */
export function groupState(states: readonly TaskState[]): TaskState {
  const has = (s: TaskState) => states.includes(s);
  if (has('running') || has('up_for_retry')) return 'running';
  if (has('queued')) return states.every((s) => s === 'queued') ? 'queued' : 'running';
  if (has('failed')) return 'failed';
  if (has('upstream_failed')) return 'upstream_failed';
  if (has('cancelled')) return 'cancelled';
  if (states.length > 0 && states.every((s) => s === 'skipped')) return 'skipped';
  return 'success';
}

/** Every group of the DAG with its tasks and state in this record (inner groups' tasks count for the outer). */
export function groupRecords(dag: Dag, record: Pick<RunRecord, 'tasks'>): Record<string, GroupRecord> {
  const out = dict<GroupRecord>();
  for (const name of dag.groups.keys()) {
    const tasks = dag.tasks.filter((t) => t.group === name || t.group?.startsWith(`${name}.`)).map((t) => t.id);
    const states = tasks.map((t) => own(record.tasks, t)?.state).filter((s): s is TaskState => s !== undefined);
    out[name] = { state: groupState(states), tasks };
  }
  return out;
}
