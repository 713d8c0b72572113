import type { TaskState } from '../protocol/runRecord';

/**
 * A group's state from its tasks', as Airflow shows a TaskGroup: running while any task is (or is
 * between tries, or some ended and others wait), else failed if any failed, upstream_failed if any
 * could not run, queued if none has started, cancelled if any was, skipped if all were, else success;
 * no status when the run selected none of its tasks.
 */
export function groupState(all: readonly TaskState[]): TaskState {
  // Tasks the run did not select say nothing about the group; a group of only those has no status.
  const states = all.includes('no_status') ? all.filter((s) => s !== 'no_status') : all;
  if (all.length > 0 && states.length === 0) return 'no_status';
  const has = (s: TaskState) => states.includes(s);
  if (has('running') || has('up_for_retry')) return 'running';
  if (has('queued')) return states.every((s) => s === 'queued') ? 'queued' : 'running';
  if (has('failed')) return 'failed';
  if (has('upstream_failed')) return 'upstream_failed';
  if (has('cancelled')) return 'cancelled';
  if (states.length > 0 && states.every((s) => s === 'skipped')) return 'skipped';
  return 'success';
}
