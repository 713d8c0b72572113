import type { TaskView } from '../protocol/graphMessages';
import type { RunRecord } from '../protocol/runRecord';
import { dict } from '../util/dict';

/** A run record as the graph shows it: per task, its state and latest attempt. */
export function taskViews(r: Pick<RunRecord, 'tasks'>): Record<string, TaskView> {
  const tasks = dict<TaskView>();
  for (const [id, t] of Object.entries(r.tasks)) {
    const a = t.attempts.at(-1);
    const startedAt = a?.started_at ?? t.started_at;
    const endedAt = t.ended_at ?? a?.ended_at;
    tasks[id] = {
      state: t.state,
      tryNumber: t.tries,
      ...(startedAt ? { startedAt } : {}),
      ...(endedAt && t.state !== 'running' ? { endedAt } : {}),
      ...(t.exit_code !== undefined ? { exitCode: t.exit_code } : {}),
      ...(t.reason ? { reason: t.reason } : {}),
    };
  }
  return tasks;
}
