import type { RunRecord } from '../protocol/runRecord';

/** How far a run is, counted one way everywhere (tree, status bar, CLI): the tasks it selected. */
export interface RunCounts {
  /** Tasks that succeeded. */
  readonly succeeded: number;
  /** Tasks that ended, whatever the outcome. */
  readonly ended: number;
  /** Tasks the run selected: a mapped task counts once (not its instances), an unselected one not at all. */
  readonly total: number;
}

const ENDED = new Set(['success', 'failed', 'upstream_failed', 'skipped', 'cancelled']);

export function runCounts(r: Pick<RunRecord, 'tasks'>): RunCounts {
  let succeeded = 0;
  let ended = 0;
  let total = 0;
  for (const t of Object.values(r.tasks)) {
    if (t.mapped_from !== undefined || t.state === 'no_status') continue;
    total++;
    if (t.state === 'success') succeeded++;
    if (ENDED.has(t.state)) ended++;
  }
  return { succeeded, ended, total };
}

/** `✔2/5`: the one counter every front end shows. */
export function countsLabel(c: RunCounts): string {
  return `✔${c.succeeded}/${c.total}`;
}
