import { labelValue } from '../dag/labels';
import type { RunRecord } from '../protocol/runRecord';
import { ownerAlive } from './owner';
import type { RunStore } from './runStore';

/** Whether a stored run goes on now: it says it is running (or queued) and the process that owns it lives. */
export function isLive(r: RunRecord): boolean {
  return (r.state === 'running' || r.state === 'queued') && ownerAlive(r.owner);
}

/**
 * The run ids of the live runs in these stores, as their containers and pods are labelled: a pod
 * whose run is among them is watched by someone and is never an orphan.
 */
export function liveRunLabels(
  stores: Iterable<RunStore>,
  alsoLive: (r: RunRecord) => boolean = () => false,
): Set<string> {
  const live = new Set<string>();
  for (const store of stores)
    for (const r of store.list()) if (alsoLive(r) || isLive(r)) live.add(labelValue(r.run_id));
  return live;
}
