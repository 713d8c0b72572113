import type { HistoryRun } from '../protocol/historyMessages';
import type { TaskState } from '../protocol/runRecord';

/** One attempt as a bar: queued (waiting for its upstream, or for its retry) then running. */
export interface GanttBar {
  /** The task or instance. */
  readonly id: string;
  readonly try: number;
  readonly state: TaskState;
  /** Milliseconds since the run started. */
  readonly queuedFrom: number;
  readonly start: number;
  readonly end: number;
  /** It ended while the run went on (no end yet): drawn to now. */
  readonly open: boolean;
}

export interface Gantt {
  readonly bars: readonly GanttBar[];
  /** The run's span in ms (the axis). */
  readonly span: number;
  /** Tasks on the critical path: the chain whose last task ended last, each waiting on the one before. */
  readonly critical: ReadonlySet<string>;
}

const ms = (iso: string | undefined) => (iso ? Date.parse(iso) : NaN);

/**
 * Where a run's time went, as Airflow's Gantt shows it: a bar per attempt, its queued part from when
 * it could have started (its upstream's end, the run's start, or its previous try's end) to its start.
 * `edges` are the DAG's; an instance waits on its task's upstream.
 */
export function ganttOf(
  run: HistoryRun,
  edges: ReadonlyArray<{ readonly from: string; readonly to: string }>,
  now = Date.now(),
): Gantt {
  const t0 = ms(run.startedAt);
  if (Number.isNaN(t0)) return { bars: [], span: 0, critical: new Set() };
  const upstream = new Map<string, string[]>();
  for (const e of edges) upstream.set(e.to, [...(upstream.get(e.to) ?? []), e.from]);
  const taskOf = (id: string) => /^(.*)\[\d+\]$/.exec(id)?.[1] ?? id;
  const endOf = new Map<string, number>();
  for (const [id, c] of Object.entries(run.cells)) {
    const last = c.attempts.at(-1);
    const end = ms(last?.endedAt);
    if (!Number.isNaN(end)) endOf.set(id, end);
  }
  // A mapped task ends with its last instance.
  for (const [id, c] of Object.entries(run.cells))
    if (c.instances !== undefined) {
      const ends = Array.from({ length: c.instances }, (_, i) => endOf.get(`${id}[${i}]`) ?? NaN).filter(
        (x) => !Number.isNaN(x),
      );
      if (ends.length) endOf.set(id, Math.max(...ends));
    }
  const bars: GanttBar[] = [];
  let span = Math.max(0, ms(run.endedAt) - t0 || 0);
  for (const [id, c] of Object.entries(run.cells)) {
    let previousEnd: number | undefined;
    for (const a of c.attempts) {
      const start = ms(a.startedAt);
      if (Number.isNaN(start)) continue;
      const ended = ms(a.endedAt);
      const end = Number.isNaN(ended) ? now : ended;
      const ready = Math.max(t0, ...(upstream.get(taskOf(id)) ?? []).map((u) => endOf.get(u) ?? t0));
      const queuedFrom = Math.min(start, previousEnd ?? ready);
      bars.push({
        id,
        try: a.try,
        state: a.state,
        queuedFrom: queuedFrom - t0,
        start: start - t0,
        end: end - t0,
        open: Number.isNaN(ended),
      });
      span = Math.max(span, end - t0);
      previousEnd = end;
    }
  }
  return { bars, span, critical: criticalPath(upstream, endOf) };
}

/** From the task that ended last, back through the upstream that ended last, to a task with none. */
function criticalPath(
  upstream: ReadonlyMap<string, readonly string[]>,
  endOf: ReadonlyMap<string, number>,
): Set<string> {
  const path = new Set<string>();
  // Tasks only: an instance's time is its task's (a mapped task ends with its last instance).
  let current = [...endOf].filter(([id]) => !/\[\d+\]$/.test(id)).sort((a, b) => b[1] - a[1])[0]?.[0];
  while (current !== undefined && !path.has(current)) {
    path.add(current);
    current = (upstream.get(current) ?? [])
      .filter((u) => endOf.has(u))
      .sort((a, b) => endOf.get(b)! - endOf.get(a)!)[0];
  }
  return path;
}
