import type { RunRecord } from '../protocol/runRecord';
import type { Backend } from './backend';
import type { RunStore } from './runStore';

/**
 * Runs whose runner died, split by what happens to them now: the ones the new runner can carry
 * on (same DAG file, unchanged) are resumed under their own id, their live containers reattached;
 * the rest are marked interrupted and their containers collected, so none is left unaccounted for.
 */
export interface Takeover {
  readonly resume: readonly RunRecord[];
  readonly abandon: readonly RunRecord[];
}

export function planTakeover(unfinished: readonly RunRecord[], canResume: (r: RunRecord) => boolean): Takeover {
  const resume: RunRecord[] = [];
  const abandon: RunRecord[] = [];
  for (const r of unfinished) (canResume(r) ? resume : abandon).push(r);
  return { resume, abandon };
}

/** Marks the runs interrupted, then removes their containers; a backend error is returned as a note. */
export async function abandonRuns(
  store: RunStore,
  runs: readonly RunRecord[],
  backend: Pick<Backend, 'collect'> | undefined,
): Promise<string | undefined> {
  if (runs.length === 0) return undefined;
  for (const r of runs) store.markInterrupted(r);
  if (!backend) return `Marked ${runs.length} interrupted run(s).`;
  const removed = await backend.collect(new Set(runs.map((r) => r.run_id)));
  return removed.succeeded
    ? `Marked ${runs.length} interrupted run(s); removed ${removed.result} leftover container(s).`
    : `Marked ${runs.length} interrupted run(s); ${removed.error}`;
}
