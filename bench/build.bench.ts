import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunRecord } from '../src/protocol/runRecord';
import { fmt, median } from './stats';

const IMAGE = 'cdag-test/busybox:1';

export interface BuildBenchResult {
  files: number;
  /** `cdag run` of a task whose image is up to date (content hashed, image found, no build). */
  builtMs: number;
  /** The same task naming that image directly: no build at all. */
  plainMs: number;
  deltaMs: number;
}

/** Wall time of one `cdag run`, and the run record it wrote. */
function run(cli: string, file: string, runsDir: string): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [cli, 'run', file, '--runs-dir', runsDir], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  if (r.status !== 0) throw new Error(`cdag run ${file} failed: ${r.stderr}`);
  return performance.now() - t0;
}

/**
 * What building in the loop costs when nothing changed (issue 15's target: the first container
 * within 0.3 s of a run without `build`): a 200-file context, hashed and found built, against the
 * same task given the built image directly, rounds interleaved.
 */
export function benchBuild(root: string, rounds = 7): BuildBenchResult | string {
  if (spawnSync('docker', ['image', 'inspect', IMAGE], { stdio: 'ignore' }).status !== 0)
    return `skipped: build ${IMAGE} first (npm run test:integration builds it)`;
  const cli = join(root, 'dist', 'cli.js');
  const dir = mkdtempSync(join(tmpdir(), 'cdag-bench-build-'));
  const app = join(dir, 'app');
  mkdirSync(join(app, 'src'), { recursive: true });
  writeFileSync(join(app, 'Dockerfile'), `FROM ${IMAGE}\nCOPY src /src\nCMD ["true"]\n`);
  const files = 200;
  for (let i = 0; i < files; i++)
    writeFileSync(join(app, 'src', `m${i}.py`), `# module ${i} ${dir}\n${'x = 1\n'.repeat(200)}`);
  const built = join(dir, 'built.dag.yaml');
  writeFileSync(built, `dag: bench_build\ntasks:\n  t: {build: {context: app}}\n`);
  const runs = join(dir, 'runs');
  run(cli, built, runs); // builds once
  const record = JSON.parse(
    readFileSync(
      join(
        runs,
        readdirSync(runs).find((d) => !d.startsWith('.'))!,
        'record.json',
      ),
      'utf8',
    ),
  ) as RunRecord;
  const image = record.tasks.t!.attempts[0]!.image!;
  const plain = join(dir, 'plain.dag.yaml');
  writeFileSync(plain, `dag: bench_build\ntasks:\n  t: {image: "${image}", image_pull_policy: Never}\n`);
  const withBuild: number[] = [];
  const without: number[] = [];
  for (let r = 0; r < rounds; r++) {
    withBuild.push(run(cli, built, runs));
    without.push(run(cli, plain, runs));
  }
  spawnSync('docker', ['rmi', '-f', image, 'cdag/bench_build-t', 'cdag/bench-build-t'], { stdio: 'ignore' });
  rmSync(dir, { recursive: true, force: true });
  const b = median(withBuild);
  const p = median(without);
  return { files, builtMs: b, plainMs: p, deltaMs: b - p };
}

export function printBuild(r: BuildBenchResult | string): string[] {
  if (typeof r === 'string') return [`build: ${r}`];
  return [
    `build: task with build: {context} (${r.files} files, unchanged): cdag run ${fmt(r.builtMs)} ms vs the same image given directly ${fmt(r.plainMs)} ms = +${fmt(r.deltaMs)} ms`,
  ];
}
