import type { ServiceView, TaskView } from '../protocol/graphMessages';
import type { RunRecord, TaskRecord, TaskState } from '../protocol/runRecord';
import { dict, own } from '../util/dict';

/** Longer values are cut: a tooltip line, not a viewer (the record has them whole). */
const MAX_VALUE_CHARS = 80;

/** A run record as the graph shows it: per task (and instance), its state, latest attempt and outputs. */
export function taskViews(r: Pick<RunRecord, 'tasks'>): Record<string, TaskView> {
  const tasks = dict<TaskView>();
  const counts = new Map<string, Partial<Record<TaskState, number>>>();
  for (const [id, t] of Object.entries(r.tasks)) {
    // A task the run did not select has no state in it: drawn as before any run, never as a success.
    if (t.state === 'no_status') continue;
    tasks[id] = viewOf(t);
    if (t.mapped_from !== undefined) {
      const c = counts.get(t.mapped_from) ?? {};
      c[t.state] = (c[t.state] ?? 0) + 1;
      counts.set(t.mapped_from, c);
    }
  }
  for (const [id, c] of counts) {
    const parent = own(tasks, id);
    if (parent) parent.counts = c;
  }
  return tasks;
}

function viewOf(t: TaskRecord): TaskView {
  const a = t.attempts.at(-1);
  const startedAt = a?.started_at ?? t.started_at;
  const endedAt = t.ended_at ?? a?.ended_at;
  return {
    state: t.state,
    ...(t.state === 'running' && a?.phase === 'building' ? { building: true } : {}),
    ...(t.state === 'running' && a?.phase === 'pending' ? { pending: true } : {}),
    tryNumber: t.tries,
    ...(startedAt ? { startedAt } : {}),
    ...(endedAt && t.state !== 'running' ? { endedAt } : {}),
    ...(t.exit_code !== undefined ? { exitCode: t.exit_code } : {}),
    ...(t.reason
      ? { reason: t.reason }
      : t.state === 'running' && a?.pending_reason
        ? { reason: a.pending_reason }
        : {}),
    ...(t.outputs && Object.keys(t.outputs).length ? { outputs: shortValues(t.outputs) } : {}),
    ...(t.item ? { item: shortValues(t.item) } : {}),
    ...(t.instances !== undefined ? { instances: t.instances } : {}),
  };
}

/** Values as the short text a tooltip shows: strings as they are, anything else as JSON. */
export function shortValues(values: Readonly<Record<string, unknown>>): Record<string, string> {
  const out = dict<string>();
  for (const [k, v] of Object.entries(values)) out[k] = shortValue(v);
  return out;
}

export function shortValue(v: unknown): string {
  const text = typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v));
  const line = text.replace(/\s*\n\s*/g, ' ⏎ ');
  return line.length > MAX_VALUE_CHARS ? `${line.slice(0, MAX_VALUE_CHARS - 1)}…` : line;
}

/** Each service's state in a run, for the graph's service lane. */
export function serviceViews(r: RunRecord): Record<string, ServiceView> {
  const out = dict<ServiceView>();
  for (const [name, s] of Object.entries(r.services ?? {}))
    out[name] = {
      state: s.state,
      ...(s.started_at ? { startedAt: s.started_at } : {}),
      ...(s.ended_at ? { endedAt: s.ended_at } : {}),
      ...(s.exit_code !== undefined ? { exitCode: s.exit_code } : {}),
      ...(s.reason ? { reason: s.reason } : {}),
    };
  return out;
}
