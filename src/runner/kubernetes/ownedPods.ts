import { fail, ok, type Errorable } from '../../util/errorable';
import type { V1Pod } from '@kubernetes/client-node';
import { LABELS, MANAGED_BY, keyOfLabels, labelValue } from '../../dag/labels';
import { deletePod, messageOf, withRetry } from './apiErrors';
import { deleteService } from './kubernetesServices';
import type { Cluster } from './connect';

/** A pod this tool created, as the orphan listing shows it. */
export interface OwnedPod {
  readonly name: string;
  readonly dag: string;
  readonly runId: string;
  readonly task: string;
  readonly tryNumber: string;
  /** Set on a run-scoped service's pod (it has no task). */
  readonly service?: string;
  readonly phase: string;
  readonly createdAt?: string;
}

/** Every pod of this tool in a namespace (by its managed-by label), oldest first. */
export async function listOwnedPods(cluster: Cluster, namespace: string): Promise<Errorable<OwnedPod[]>> {
  try {
    const list = await withRetry(
      () => cluster.core.listNamespacedPod({ namespace, labelSelector: `${LABELS.managedBy}=${MANAGED_BY}` }),
      5,
      250,
      cluster.refresh,
    );
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
            ...(l[LABELS.service] ? { service: l[LABELS.service] } : {}),
            phase: p.status?.phase ?? '?',
            ...(created ? { createdAt: new Date(created).toISOString() } : {}),
          };
        })
        .sort((a, b) => (a.createdAt ?? '').localeCompare(b.createdAt ?? '')),
    );
  } catch (e) {
    return fail(`Could not list this tool's pods in ${namespace}: ${messageOf(e)}`);
  }
}

/**
 * Pods no live run is watching: those of runs not in `liveRunIds`. A pod of a live run is never
 * offered for removal, so cleaning up cannot break a run in progress.
 */
export function orphans(pods: readonly OwnedPod[], liveRunIds: ReadonlySet<string>): OwnedPod[] {
  return pods.filter((p) => !liveRunIds.has(p.runId));
}

/**
 * Deletes pods by name; a pod already gone counts as removed. Returns how many went. A service's
 * pod takes its Service along (they share a name); nothing else is touched.
 */
export async function removePods(cluster: Cluster, namespace: string, names: readonly string[]): Promise<number> {
  let n = 0;
  for (const name of names) {
    if ((await deletePod(cluster, namespace, name, 0).catch(() => undefined)) !== undefined) n++;
    await deleteService(cluster, namespace, name).catch(() => false);
  }
  return n;
}

/** Removes the pods of these runs in a namespace, except the attempts in `keep`; returns how many went. */
export async function collectRunPods(
  cluster: Cluster,
  namespace: string,
  runIds: ReadonlySet<string>,
  keep: ReadonlySet<string> = new Set(),
): Promise<Errorable<number>> {
  const wanted = new Set([...runIds].map(labelValue));
  let pods: V1Pod[];
  try {
    pods = (
      await withRetry(() =>
        cluster.core.listNamespacedPod({
          namespace,
          labelSelector: `${LABELS.managedBy}=${MANAGED_BY}`,
        }),
      )
    ).items;
  } catch (e) {
    return fail(`Could not list this tool's pods in ${namespace}: ${messageOf(e)}`);
  }
  let removed = 0;
  for (const p of pods) {
    const l = p.metadata?.labels ?? {};
    if (!wanted.has(l[LABELS.runId] ?? '') || keep.has(keyOfLabels(l))) continue;
    if (await deletePod(cluster, namespace, p.metadata!.name!, 0)) removed++;
  }
  return ok(removed);
}
