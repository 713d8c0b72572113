import type { TriggerRule } from '../dag/schema';
import type { TaskState } from '../protocol/runRecord';

export type Decision = 'run' | 'wait' | 'skipped' | 'upstream_failed';

/** The states a task does not leave. */
export const ENDED_STATES: ReadonlySet<TaskState> = new Set([
  'success',
  'failed',
  'upstream_failed',
  'skipped',
  'cancelled',
  'no_status',
]);
const FAILED: ReadonlySet<TaskState> = new Set(['failed', 'upstream_failed', 'cancelled']);

/** Airflow's trigger rules, over the states of a task's upstream tasks. */
export function decide(rule: TriggerRule, given: readonly TaskState[]): Decision {
  // An upstream task the run did not select does not hold a selected one back (Airflow's `tasks test`
  // ignores dependencies likewise): it counts as done well.
  const upstream = given.includes('no_status') ? given.map((s) => (s === 'no_status' ? 'success' : s)) : given;
  if (upstream.length === 0 || rule === 'always') return 'run';
  const done = upstream.filter((s) => ENDED_STATES.has(s)).length;
  const success = upstream.filter((s) => s === 'success').length;
  const failed = upstream.filter((s) => FAILED.has(s)).length;
  const skipped = upstream.filter((s) => s === 'skipped').length;
  const allDone = done === upstream.length;
  switch (rule) {
    case 'all_success':
      if (failed > 0) return 'upstream_failed';
      if (skipped > 0) return 'skipped';
      return allDone ? 'run' : 'wait';
    case 'all_failed':
      if (success > 0 || skipped > 0) return 'skipped';
      return allDone ? 'run' : 'wait';
    case 'all_done':
      return allDone ? 'run' : 'wait';
    case 'one_success':
      if (success > 0) return 'run';
      if (!allDone) return 'wait';
      return failed > 0 ? 'upstream_failed' : 'skipped';
    case 'one_failed':
      if (failed > 0) return 'run';
      return allDone ? 'skipped' : 'wait';
    case 'none_failed':
      if (failed > 0) return 'upstream_failed';
      return allDone ? 'run' : 'wait';
    case 'none_failed_min_one_success':
      if (failed > 0) return 'upstream_failed';
      if (!allDone) return 'wait';
      return success > 0 ? 'run' : 'skipped';
  }
}
