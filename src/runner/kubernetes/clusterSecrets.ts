import { fail, ok, type Errorable } from '../../util/errorable';
import type { Dag } from '../../dag/model';
import { secretKeyRef } from '../../dag/secretRefs';
import { messageOf, statusOf, withRetry } from './apiErrors';
import type { Cluster } from './connect';
import { dict } from '../../util/dict';

/**
 * On Kubernetes a secret name is a Secret in the namespace (`name` or `name/key`); pods get it as a
 * `secretKeyRef`. Its value is read here only to mask it in logs; a missing Secret stops
 * the run before any pod is created, with the command that makes it.
 */
export async function clusterSecretValues(
  cluster: Cluster,
  namespace: string,
  dag: Dag,
  taskIds?: ReadonlySet<string>,
): Promise<Errorable<Record<string, string>>> {
  const names = new Set<string>();
  for (const t of dag.tasks) {
    if (taskIds && !taskIds.has(t.id)) continue;
    for (const s of Object.values(t.secrets)) names.add(s);
    // The services it needs run with it: their Secrets are checked (and masked) with its own.
    for (const name of t.services) for (const s of Object.values(dag.services.get(name)?.secrets ?? {})) names.add(s);
  }
  const values = dict<string>();
  for (const ref of names) {
    const { name: secret, key } = secretKeyRef(ref);
    try {
      const s = await withRetry(
        () => cluster.core.readNamespacedSecret({ name: secret, namespace }),
        5,
        250,
        cluster.refresh,
      );
      const data = s.data?.[key];
      if (data === undefined)
        return fail(
          `Secret "${secret}" in namespace ${namespace} has no key "${key}". Add it: kubectl -n ${namespace} patch secret ${secret} --type merge -p '{"stringData":{"${key}":"…"}}'`,
        );
      values[ref] = Buffer.from(data, 'base64').toString('utf8');
    } catch (e) {
      const code = statusOf(e);
      if (code === 404)
        return fail(
          `Secret "${secret}" does not exist in namespace ${namespace}. Create it: kubectl -n ${namespace} create secret generic ${secret} --from-literal=${key}=…`,
        );
      if (code === 403)
        return fail(
          `Reading Secret "${secret}" in ${namespace} is forbidden; its value cannot be masked in logs. Ask for "get secrets" in the namespace.`,
        );
      return fail(`Could not read Secret "${secret}" in ${namespace}: ${messageOf(e)}`);
    }
  }
  return ok(values);
}
