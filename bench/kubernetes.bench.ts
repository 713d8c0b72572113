import { spawn, spawnSync } from 'node:child_process';
import { KubeConfig, Watch, type V1Pod } from '@kubernetes/client-node';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fmt, median } from './stats';

const IMAGE = 'cdag-test/busybox:1';
const NS = 'cdag-bench';

export interface KubernetesBenchResult {
  oursMs: number;
  podsMs: number;
  /** (our wall time − the pods' own start-to-finish times) / tasks. */
  overheadPerTaskMs: number;
  /**
   * Per task, from a watch of the namespace in this process (millisecond clock): the upstream pod's
   * container seen terminated → the downstream pod seen created (median over tasks and rounds).
   */
  orchestrationMs: number;
  kubectlMs: number;
  ratio: number;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): { ms: number; out: string } {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  return { ms: performance.now() - t0, out: r.stdout };
}

interface PodTimes {
  items: Array<{
    metadata: { creationTimestamp: string };
    status: { containerStatuses?: Array<{ state: { terminated?: { finishedAt: string } } }> };
  }>;
}

/**
 * A 10-task chain of `true` on the cluster: `cdag run --backend kubernetes` against the pods' own
 * timestamps (creation → container finished), and against `kubectl run --rm --attach` ten times.
 */
export async function benchKubernetes(root: string, rounds = 3): Promise<KubernetesBenchResult | string> {
  const kubeconfig = process.env.KUBECONFIG ?? join(homedir(), '.cache', 'container-dags', 'cluster', 'kubeconfig');
  if (!existsSync(kubeconfig)) return 'skipped: no cluster (npm run cluster:up)';
  const env = { ...process.env, KUBECONFIG: kubeconfig };
  const kubectl = (...a: string[]) => run('kubectl', a, env);
  try {
    kubectl('get', 'namespace', NS);
  } catch {
    kubectl('create', 'namespace', NS);
  }
  // The cluster reaches no registry: the test image goes from the local Engine into its containerd.
  run('bash', [join(root, 'scripts', 'cluster', 'load-image.sh'), IMAGE], env);
  const dir = mkdtempSync(join(tmpdir(), 'cdag-k8s-bench-'));
  const chain = join(dir, 'chain10.dag.yaml');
  writeFileSync(
    chain,
    `dag: kchain\nkubernetes: {namespace: ${NS}, delete_pods: never}\ntasks:\n${Array.from(
      { length: 10 },
      (_, i) =>
        `  t${i}: {image: ${IMAGE}, image_pull_policy: Never, command: ['true']${i ? `, depends_on: [t${i - 1}]` : ''}}`,
    ).join('\n')}\n`,
  );
  const cli = join(root, 'dist', 'cli.js');
  const ours: number[] = [];
  const pods: number[] = [];
  const base: number[] = [];
  const gaps: number[] = [];
  for (let r = 0; r < rounds; r++) {
    kubectl('-n', NS, 'delete', 'pods', '--all', '--wait=true');
    const seen = await watched(kubeconfig, () =>
      runAsync(process.execPath, [cli, 'run', chain, '--backend', 'kubernetes', '--runs-dir', join(dir, 'runs')], env),
    );
    ours.push(seen.ms);
    for (let i = 1; i < 10; i++) {
      const up = seen.terminated.get(`t${i - 1}`);
      const created = seen.added.get(`t${i}`);
      if (up !== undefined && created !== undefined) gaps.push(created - up);
    }
    const times = JSON.parse(
      kubectl('-n', NS, 'get', 'pods', '-l', 'io.container-dags/dag=kchain', '-o', 'json').out,
    ) as PodTimes;
    pods.push(
      times.items.reduce((sum, p) => {
        const end = p.status.containerStatuses?.[0]?.state.terminated?.finishedAt;
        return sum + (end ? Date.parse(end) - Date.parse(p.metadata.creationTimestamp) : 0);
      }, 0),
    );
    kubectl('-n', NS, 'delete', 'pods', '--all', '--wait=true');
    base.push(
      run(
        'bash',
        [
          '-c',
          `for i in $(seq 10); do kubectl -n ${NS} run bench-$i --image=${IMAGE} --image-pull-policy=Never --restart=Never --rm --attach --quiet -- true >/dev/null; done`,
        ],
        env,
      ).ms,
    );
  }
  const oursMs = median(ours);
  const podsMs = median(pods);
  const kubectlMs = median(base);
  return {
    oursMs,
    podsMs,
    overheadPerTaskMs: (oursMs - podsMs) / 10,
    orchestrationMs: median(gaps),
    kubectlMs,
    ratio: oursMs / kubectlMs,
  };
}

function runAsync(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('exit', (code) =>
      code === 0 ? resolve(performance.now() - t0) : reject(new Error(`${cmd} ${args.join(' ')} failed: ${err}`)),
    );
  });
}

/** Runs `work` under a watch of the bench's pods: when each task's pod was first seen, and its container seen terminated. */
async function watched(
  kubeconfig: string,
  work: () => Promise<number>,
): Promise<{ ms: number; added: Map<string, number>; terminated: Map<string, number> }> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const added = new Map<string, number>();
  const terminated = new Map<string, number>();
  let ready!: () => void;
  let stopping = false;
  const listening = new Promise<void>((r) => (ready = r));
  const ac = await new Watch(kc).watch(
    `/api/v1/namespaces/${NS}/pods`,
    { labelSelector: 'io.container-dags/dag=kchain' },
    (_type: string, pod: V1Pod) => {
      const now = performance.now();
      const task = pod.metadata?.labels?.['io.container-dags/task'];
      if (!task) return;
      if (!added.has(task)) added.set(task, now);
      if (pod.status?.containerStatuses?.[0]?.state?.terminated && !terminated.has(task)) terminated.set(task, now);
    },
    (e: unknown) => {
      if (e && !stopping) process.stderr.write(`kubernetes bench: the watch ended: ${String(e)}\n`);
    },
  );
  // The watch is open once its request is answered; a moment for the API server to register it.
  setTimeout(ready, 200);
  await listening;
  try {
    const ms = await work();
    return { ms, added, terminated };
  } finally {
    stopping = true;
    ac.abort();
  }
}

export function printKubernetes(r: KubernetesBenchResult | string): string[] {
  if (typeof r === 'string') return [`kubernetes: ${r}`];
  return [
    `kubernetes: chain of 10 'true' pods: cdag run ${fmt(r.oursMs)} ms; the pods' own creation→finish times sum to ${fmt(r.podsMs)} ms (1 s resolution)`,
    `  orchestration ${fmt(r.orchestrationMs)} ms per task (median, from a watch: upstream container seen terminated → downstream pod seen created); ${fmt(r.overheadPerTaskMs)} ms per task by the 1 s timestamps`,
    `  vs 10 x kubectl run --rm --attach ${fmt(r.kubectlMs)} ms = ${r.ratio.toFixed(2)}x`,
  ];
}
