import type Docker from 'dockerode';
import { LABELS, MANAGED_BY, labelValue } from '../labels';

/** Finds this tool's containers of the given runs by label and removes them; returns how many. */
export async function collectLeftovers(docker: Docker, runIds: ReadonlySet<string>): Promise<number> {
  const containers = await docker.listContainers({
    all: true,
    filters: { label: [`${LABELS.managedBy}=${MANAGED_BY}`] },
  });
  const wanted = new Set([...runIds].map(labelValue));
  let removed = 0;
  for (const c of containers) {
    if (!wanted.has(c.Labels[LABELS.runId] ?? '')) continue;
    try {
      await docker.getContainer(c.Id).remove({ force: true });
      removed++;
    } catch {
      // Already gone: nothing to collect.
    }
  }
  return removed;
}
