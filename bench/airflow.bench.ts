import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeDag } from '../src/dag/analyze';
import { exportAirflow } from '../src/interop/airflow/exportAirflow';
import { dagsTest, useProjectRoot } from '../test/support/airflow';
import { fmt, median } from './stats';

const IMAGE = 'cdag-test/busybox:1';

export interface SideBySide {
  cdagMs: number;
  airflowMs: number;
  /** How many times faster cdag is: Airflow's wall time / ours. */
  speedup: number;
}

export interface AirflowBenchResult {
  movielens: SideBySide;
  chain10: SideBySide & { rounds: number };
}

function cdag(root: string, args: string[], env: NodeJS.ProcessEnv): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [join(root, 'dist', 'cli.js'), 'run', ...args], { encoding: 'utf8', env });
  if (r.status !== 0) throw new Error(`cdag run failed: ${r.stderr}`);
  return performance.now() - t0;
}

function airflow(folder: string, dagId: string, date: string, env: NodeJS.ProcessEnv): number {
  const r = dagsTest(folder, dagId, date, env);
  if (r.exitCode !== 0 || r.run !== 'success')
    throw new Error(`airflow dags test ${dagId} failed:\n${r.output.slice(-2000)}`);
  return r.wallMs;
}

/**
 * The same DAGs run by `cdag run` and by `airflow dags test` of their export, on the same Docker
 * Engine: the movielens example for 2019-01-01 (one run each) and a 10-task chain of `true`.
 */
export function benchAirflow(root: string, chainRounds = 3): AirflowBenchResult | string {
  useProjectRoot(root);
  if (spawnSync('docker', ['image', 'inspect', IMAGE], { stdio: 'ignore' }).status !== 0)
    return `skipped: build ${IMAGE} first (npm run test:integration builds it)`;
  const dir = mkdtempSync(join(tmpdir(), 'cdag-airflow-bench-'));
  // The example's images build FROM this base (busybox:1.36, or offline one made from busybox-static).
  const base = spawnSync('bash', [join(root, 'scripts', 'movielens-base.sh')], { encoding: 'utf8' }).stdout.trim();
  const env = { ...process.env, MOVIELENS_PASSWORD: 'airflow', MOVIELENS_BASE: base };
  try {
    const up = spawnSync('bash', [join(root, 'scripts', 'movielens-env.sh')], { encoding: 'utf8' });
    if (up.status !== 0) return `skipped: scripts/movielens-env.sh failed: ${up.stderr}`;
    const movielensFile = join(root, 'examples', 'movielens', 'movielens.dag.yaml');
    const movielensDag = analyzeDag(readFileSync(movielensFile, 'utf8'), movielensFile).dag!;
    mkdirSync(join(dir, 'movielens'));
    // Airflow has no run-scoped services: its tasks reach the API movielens-env.sh runs on the airflow network.
    const onApiNetwork = { ...movielensDag, docker: { ...movielensDag.docker, network: 'airflow' } };
    writeFileSync(join(dir, 'movielens', 'movielens.py'), exportAirflow(onApiNetwork, 'docker').python);
    rmSync('/tmp/airflow/data', { recursive: true, force: true });
    const mlOurs = cdag(root, [movielensFile, '--date', '2019-01-01', '--runs-dir', join(dir, 'runs')], env);
    const mlTheirs = airflow(join(dir, 'movielens'), 'movielens', '2019-01-01', env);

    const chainText = `dag: chain10\ntasks:\n${Array.from(
      { length: 10 },
      (_, i) => `  t${i}: {image: ${IMAGE}, command: ['true']${i ? `, depends_on: [t${i - 1}]` : ''}}`,
    ).join('\n')}\n`;
    const chainFile = join(dir, 'chain10.dag.yaml');
    writeFileSync(chainFile, chainText);
    mkdirSync(join(dir, 'chain'));
    writeFileSync(join(dir, 'chain', 'chain10.py'), exportAirflow(analyzeDag(chainText).dag!, 'docker').python);
    const ours: number[] = [];
    const theirs: number[] = [];
    for (let r = 0; r < chainRounds; r++) {
      ours.push(cdag(root, [chainFile, '--date', '2019-01-01', '--runs-dir', join(dir, 'runs')], env));
      theirs.push(airflow(join(dir, 'chain'), 'chain10', '2019-01-01', env));
    }
    const side = (a: number, b: number): SideBySide => ({ cdagMs: a, airflowMs: b, speedup: b / a });
    return {
      movielens: side(mlOurs, mlTheirs),
      chain10: { ...side(median(ours), median(theirs)), rounds: chainRounds },
    };
  } finally {
    spawnSync('bash', [join(root, 'scripts', 'movielens-env.sh'), '--down']);
    rmSync(dir, { recursive: true, force: true });
  }
}

export function printAirflow(r: AirflowBenchResult | string): string[] {
  if (typeof r === 'string') return [`airflow: ${r}`];
  return [
    `airflow: movielens 2019-01-01: cdag run ${fmt(r.movielens.cdagMs)} ms vs airflow dags test ${fmt(r.movielens.airflowMs)} ms = ${r.movielens.speedup.toFixed(1)}x faster`,
    `airflow: chain of 10 'true' tasks (median of ${r.chain10.rounds}): cdag run ${fmt(r.chain10.cdagMs)} ms vs airflow dags test ${fmt(r.chain10.airflowMs)} ms = ${r.chain10.speedup.toFixed(1)}x faster`,
  ];
}
