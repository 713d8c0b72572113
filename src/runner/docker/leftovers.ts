import type Docker from 'dockerode';
import { fail, ok, type Errorable } from '../../util/errorable';
import { LABELS, MANAGED_BY, keyOfLabels, labelValue } from '../../dag/labels';

/**
 * Finds this tool's containers of the given runs by label and removes them, except the attempts and
 * services in `keep` (`attemptKey`, `serviceKey`); returns how many were removed.
 */
export async function collectLeftovers(
  docker: Docker,
  runIds: ReadonlySet<string>,
  keep: ReadonlySet<string> = new Set(),
): Promise<Errorable<number>> {
  let containers: Docker.ContainerInfo[];
  try {
    containers = await docker.listContainers({
      all: true,
      filters: { label: [`${LABELS.managedBy}=${MANAGED_BY}`] },
    });
  } catch (e) {
    return fail(`Could not list this tool's containers to collect leftovers: ${(e as Error).message}`);
  }
  const wanted = new Set([...runIds].map(labelValue));
  let removed = 0;
  for (const c of containers) {
    if (!wanted.has(c.Labels[LABELS.runId] ?? '')) continue;
    if (keep.has(keyOfLabels(c.Labels))) continue;
    try {
      await docker.getContainer(c.Id).remove({ force: true });
      removed++;
    } catch {
      // Already gone (404) or being removed (409): nothing left to collect.
    }
  }
  // The runs' service networks go once their containers have; a run resumed keeps its network.
  if (keep.size) return ok(removed);
  try {
    const networks = await docker.listNetworks({ filters: { label: [`${LABELS.managedBy}=${MANAGED_BY}`] } });
    for (const n of networks) {
      if (!wanted.has(n.Labels?.[LABELS.runId] ?? '')) continue;
      // Endpoints of containers just removed may linger a moment: a few tries.
      for (let attempt = 0; attempt < 5; attempt++) {
        try {
          await docker.getNetwork(n.Id).remove();
          removed++;
          break;
        } catch {
          // In use by an attempt kept for reattaching, or not yet free, or gone: tried again, then left.
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    }
  } catch {
    // Listing networks failed: the containers were collected, the networks wait for the next look.
  }
  return ok(removed);
}
