import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { liveRunLabels } from '../../runner/liveRuns';
import { RunStore } from '../../runner/runStore';
import { EXIT, type Io } from '../io';
import { USAGES } from '../usage';

/**
 * Lists this tool's pods in a namespace and which are orphans — no live run of the given run
 * stores is watching them (the runner died, or the pod was kept after a failure) — and with
 * `--remove` deletes the orphans. A pod of a live run is never touched.
 */
export async function podsCommand(args: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: {
      namespace: { type: 'string' },
      context: { type: 'string' },
      kubeconfig: { type: 'string' },
      'runs-dir': { type: 'string', multiple: true },
      remove: { type: 'boolean' },
      json: { type: 'boolean' },
    },
    allowPositionals: true,
  });
  if (positionals.length) {
    io.err(`pods takes no FILE.\nUsage: ${USAGES.pods}\n`);
    return EXIT.usage;
  }
  const { connectKubernetes, listOwnedPods, orphans, removePods } =
    await import('../../runner/kubernetes/kubernetesBundle');
  const cluster = await connectKubernetes(
    {
      ...(values.kubeconfig ? { kubeconfig: values.kubeconfig } : {}),
      ...(values.context ? { context: values.context } : {}),
      ...(values.namespace ? { namespace: values.namespace } : {}),
    },
    io.env ?? {},
  );
  if (!cluster.succeeded) {
    io.err(`${cluster.error}\n`);
    return EXIT.failed;
  }
  const ns = cluster.result.namespace;
  const pods = await listOwnedPods(cluster.result, ns);
  if (!pods.succeeded) {
    io.err(`${pods.error}\n`);
    return EXIT.failed;
  }
  const live = liveRunLabels((values['runs-dir'] ?? [resolve('.cdag', 'runs')]).map((d) => new RunStore(resolve(d))));
  const orphaned = orphans(pods.result, live);
  const orphanNames = new Set(orphaned.map((p) => p.name));
  const removed = values.remove ? await removePods(cluster.result, ns, [...orphanNames]) : 0;
  if (values.json) {
    io.out(
      `${JSON.stringify({ namespace: ns, pods: pods.result.map((p) => ({ ...p, orphan: orphanNames.has(p.name) })), removed }, null, 2)}\n`,
    );
    return EXIT.ok;
  }
  if (pods.result.length === 0) io.out(`No pods of Container DAGs in ${ns}.\n`);
  for (const p of pods.result)
    io.out(
      `${orphanNames.has(p.name) ? 'orphan' : 'live  '}  ${p.name}  ${p.phase}  ${p.service ? `${p.dag} service ${p.service}` : `${p.dag}.${p.task} try ${p.tryNumber}`}  ${p.runId}\n`,
    );
  if (values.remove) io.err(`Removed ${removed} orphaned pod(s) from ${ns}.\n`);
  else if (orphaned.length)
    io.err(
      `${orphaned.length} orphaned pod(s); remove them with cdag pods --remove${values.namespace ? ` --namespace ${ns}` : ''}.\n`,
    );
  return EXIT.ok;
}
