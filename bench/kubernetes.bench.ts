import { spawnSync } from 'node:child_process';
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
export function benchKubernetes(root: string, rounds = 3): KubernetesBenchResult | string {
  const kubeconfig = process.env.KUBECONFIG ?? join(homedir(), '.cache', 'container-dags', 'cluster', 'kubeconfig');
  if (!existsSync(kubeconfig)) return 'skipped: no cluster (npm run cluster:up)';
  const env = { ...process.env, KUBECONFIG: kubeconfig };
  const kubectl = (...a: string[]) => run('kubectl', a, env);
  try {
    kubectl('get', 'namespace', NS);
  } catch {
    kubectl('create', 'namespace', NS);
  }
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
  for (let r = 0; r < rounds; r++) {
    kubectl('-n', NS, 'delete', 'pods', '--all', '--wait=true');
    ours.push(
      run(process.execPath, [cli, 'run', chain, '--backend', 'kubernetes', '--runs-dir', join(dir, 'runs')], env).ms,
    );
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
  return { oursMs, podsMs, overheadPerTaskMs: (oursMs - podsMs) / 10, kubectlMs, ratio: oursMs / kubectlMs };
}

export function printKubernetes(r: KubernetesBenchResult | string): string[] {
  if (typeof r === 'string') return [`kubernetes: ${r}`];
  return [
    `kubernetes: chain of 10 'true' pods: cdag run ${fmt(r.oursMs)} ms; the pods' own creation→finish times sum to ${fmt(r.podsMs)} ms (1 s resolution)`,
    `  orchestration overhead ${fmt(r.overheadPerTaskMs)} ms per task; vs 10 x kubectl run --rm --attach ${fmt(r.kubectlMs)} ms = ${r.ratio.toFixed(2)}x`,
  ];
}
