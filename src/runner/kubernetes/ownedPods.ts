import { fail, ok, type Errorable } from '../../dag/errorable';
import { LABELS, MANAGED_BY } from '../labels';
import type { Cluster } from './connect';

/** A pod this tool created, as the orphan listing shows it. */
export interface OwnedPod {
  readonly name: string;
  readonly dag: string;
  readonly runId: string;
  readonly task: string;
  readonly tryNumber: string;
  readonly phase: string;
  readonly createdAt?: string;
}

/** Every pod of this tool in a namespace (by its managed-by label), oldest first. */
export async function listOwnedPods(cluster: Cluster, namespace: string): Promise<Errorable<OwnedPod[]>> {
  try {
    const list = await cluster.core.listNamespacedPod({
      namespace,
      labelSelector: `${LABELS.managedBy}=${MANAGED_BY}`,
    });
    return ok(
      list.items
        .map((p) => {
          const l = p.metadata?.labels ?? {};
          const created = p.metadata?.creationTimestamp;
          return {
            name: p.metadata?.name ?? '?',
            dag: l[LABELS.dag] ?? '?',
            runId: l[LABELS.runId] ?? '?',
            task: l[LABELS.task] ?? '?',
            tryNumber: l[LABELS.tryNumber] ?? '?',
            phase: p.status?.phase ?? '?',
            ...(created ? { createdAt: new Date(created).toISOString() } : {}),
          };
        })
        .sort((a, b) => (a.createdAt ?? '').localeCompare(b.createdAt ?? '')),
    );
  } catch (e) {
    return fail(`Could not list this tool's pods in ${namespace}: ${(e as Error).message}`);
  }
}

/**
 * Pods no live run is watching: those of runs not in `liveRunIds`. A pod of a live run is never
 * offered for removal, so cleaning up cannot break a run in progress.
 */
export function orphans(pods: readonly OwnedPod[], liveRunIds: ReadonlySet<string>): OwnedPod[] {
  return pods.filter((p) => !liveRunIds.has(p.runId));
}

/** Deletes pods by name; a pod already gone counts as removed (L2). Returns how many went. */
export async function removePods(cluster: Cluster, namespace: string, names: readonly string[]): Promise<number> {
  let n = 0;
  for (const name of names) {
    try {
      await cluster.core.deleteNamespacedPod({ name, namespace, gracePeriodSeconds: 0 });
      n++;
    } catch (e) {
      if ((e as { code?: number }).code === 404) n++;
    }
  }
  return n;
}
