import { isoTimestamp } from '../dag/dates';
import type { Dag } from '../dag/model';
import { previousLogicalDate } from '../dag/schedule';
import { ENDED_STATES } from './triggerRules';
import type { TaskState } from '../protocol/runRecord';
import type { RunEngine } from './engine';
import type { PastVerdict } from './runOptions';
import type { RunStore } from './runStore';

/**
 * `depends_on_past`, as Airflow means it: a task runs for a logical date only if its instance for
 * the previous logical date succeeded or was skipped, or when there is no previous run (the first
 * date, or a DAG never run before). A run of that date going on in this process is waited for (a
 * backfill with several runs at once); otherwise the newest stored run of that date decides.
 */
export async function pastVerdict(
  dag: Dag,
  logical: Date,
  taskId: string,
  store: RunStore,
  live: () => readonly RunEngine[],
): Promise<PastVerdict> {
  const prev = previousLogicalDate(dag.schedule, logical);
  if (prev.getTime() >= logical.getTime() || (dag.startDate && prev < dag.startDate)) return { ok: true };
  const when = isoTimestamp(prev);
  const day = when.slice(0, 10);
  const engine = live().find((e) => e.record.dag === dag.id && e.record.logical_date === when);
  const state = engine ? await settled(engine, taskId) : newestStored(store, dag.id, when, taskId);
  if (state === undefined || state === 'success' || state === 'skipped') return { ok: true };
  return {
    ok: false,
    reason: `depends_on_past: ${taskId} of ${day} ${state === 'running' ? 'is still running in another process' : `ended ${state}`}`,
  };
}

/** The task's state in a run going on here, once it has ended (or the run has). */
function settled(engine: RunEngine, taskId: string): Promise<TaskState | undefined> {
  const now = () => engine.record.tasks[taskId]?.state;
  return new Promise((resolve) => {
    const check = () => {
      const s = now();
      if (s === undefined || ENDED_STATES.has(s) || engine.record.ended_at) {
        off();
        resolve(s);
      }
    };
    const off = engine.on(check);
    check();
  });
}

function newestStored(store: RunStore, dagId: string, logical: string, taskId: string): TaskState | undefined {
  const runs = store.list().filter((r) => r.dag === dagId && r.logical_date === logical);
  return runs[0]
    ? Object.prototype.hasOwnProperty.call(runs[0].tasks, taskId)
      ? runs[0].tasks[taskId]!.state
      : undefined
    : undefined;
}
