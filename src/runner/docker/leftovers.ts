import type Docker from 'dockerode';
import { fail, ok, type Errorable } from '../../util/errorable';
import { LABELS, MANAGED_BY, attemptKey, labelValue } from '../../dag/labels';

/**
 * Finds this tool's containers of the given runs by label and removes them, except the attempts in
 * `keep`; returns how many were removed.
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
    if (keep.has(attemptKey(c.Labels[LABELS.task] ?? '', c.Labels[LABELS.tryNumber] ?? ''))) continue;
    try {
      await docker.getContainer(c.Id).remove({ force: true });
      removed++;
    } catch {
      // Already gone (404) or being removed (409): nothing left to collect.
    }
  }
  return ok(removed);
}
