import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunRecord } from '../src/protocol/runRecord';
import { connectDocker } from '../src/runner/docker/connect';
import { followLogs } from '../src/runner/docker/dockerAttempt';
import { RunStore } from '../src/runner/runStore';
import { makeMasker } from '../src/runner/secretMasker';
import { fmt, median } from './stats';

const IMAGE = 'cdag-test/busybox:1';

function wall(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): number {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], env });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  return performance.now() - t0;
}

function dagFile(dir: string, name: string, body: string): string {
  const f = join(dir, `${name}.dag.yaml`);
  writeFileSync(f, body);
  return f;
}

export interface DockerBenchResult {
  chain20: {
    oursMs: number;
    dockerRunMs: number;
    ratio: number;
    /** The Engine API floor (bench/engineFloor.ts) as a process, and our ratio to it. */
    floorMs: number;
    floorRatio: number;
    gapMs: number;
    overheadPerTaskMs: number;
  };
  parallel40: { oursMs: number; xargsMs: number; ratio: number };
  fanout1000: { oursMs: number; xargsMs: number; ratio: number };
  logs100mb: { oursMs: number; dockerLogsMs: number; throughputRatio: number; lines: number };
}

/** `cdag run` (one CLI process for the whole DAG) against the same work done with the docker CLI. */
export async function benchDocker(root: string, rounds = 5): Promise<DockerBenchResult | string> {
  const docker = await connectDocker(undefined);
  if (!docker.succeeded) return `skipped: ${docker.error}`;
  if (spawnSync('docker', ['image', 'inspect', IMAGE], { stdio: 'ignore' }).status !== 0) {
    return `skipped: build ${IMAGE} first (npm run test:integration builds it)`;
  }
  const cli = join(root, 'dist', 'cli.js');
  const dir = mkdtempSync(join(tmpdir(), 'cdag-bench-'));
  const task = `{image: ${IMAGE}, image_pull_policy: Never, command: ['true']`;
  const chain = dagFile(
    dir,
    'chain20',
    `tasks:\n${Array.from({ length: 20 }, (_, i) => `  t${i}: ${task}${i ? `, depends_on: [t${i - 1}]` : ''}}`).join('\n')}\n`,
  );
  const fan = dagFile(
    dir,
    'parallel40',
    `max_active_tasks: 8\ntasks:\n${Array.from({ length: 40 }, (_, i) => `  t${i}: ${task}}`).join('\n')}\n`,
  );
  const fanout = dagFile(
    dir,
    'fanout1000',
    `max_active_tasks: 8\ntasks:\n  t: ${task}, expand: {i: [${Array.from({ length: 1000 }, (_, i) => i).join(', ')}]}}\n`,
  );
  const runsDir = join(dir, 'runs');
  const ours: number[] = [];
  const base: number[] = [];
  const floor: number[] = [];
  const floorScript = join(root, 'out', 'engine-floor.js');
  const ours40: number[] = [];
  const base40: number[] = [];
  for (let r = 0; r < rounds; r++) {
    ours.push(wall(process.execPath, [cli, 'run', chain, '--runs-dir', runsDir]));
    base.push(wall('bash', ['-c', `for i in $(seq 20); do docker run --rm ${IMAGE} true; done`]));
    floor.push(wall(process.execPath, [floorScript, IMAGE, '20']));
    ours40.push(wall(process.execPath, [cli, 'run', fan, '--runs-dir', runsDir]));
    base40.push(wall('bash', ['-c', `seq 40 | xargs -P8 -I{} docker run --rm ${IMAGE} true`]));
  }
  // Our own time between a task's end and its downstream's start, from the run records.
  const gaps: number[] = [];
  // Run folders only: `.locks` holds the one-run-per-DAG-and-date locks.
  for (const runId of readdirSync(runsDir).filter((d) => !d.startsWith('.'))) {
    const rec = JSON.parse(readFileSync(join(runsDir, runId, 'record.json'), 'utf8')) as RunRecord;
    if (!rec.tasks.t19 || rec.tasks.t19.attempts.length === 0 || Object.keys(rec.tasks).length !== 20) continue;
    for (let i = 1; i < 20; i++) {
      gaps.push(Date.parse(rec.tasks[`t${i}`]!.started_at!) - Date.parse(rec.tasks[`t${i - 1}`]!.ended_at!));
    }
  }
  // 1,000 instances of one mapped task, 8 at once: once each side (a round is minutes).
  const fanoutOurs = wall(process.execPath, [cli, 'run', fanout, '--runs-dir', join(dir, 'fanout-runs')]);
  const fanoutBase = wall('bash', ['-c', `seq 1000 | xargs -P8 -I{} docker run --rm ${IMAGE} true`]);
  const chainOurs = median(ours);
  const chainBase = median(base);

  // 100 MB of output: produced once, then read by our log path and by `docker logs`.
  const name = `cdag-bench-logs-${process.pid}`;
  spawnSync('docker', ['rm', '-f', name], { stdio: 'ignore' });
  const line = '0123456789'.repeat(10).slice(0, 99);
  const make = spawnSync('docker', ['run', '--name', name, IMAGE, 'sh', '-c', `yes ${line} | head -c 100000000`], {
    stdio: 'ignore',
  });
  if (make.status !== 0) return 'skipped: could not produce the 100 MB log';
  const container = docker.result.getContainer(name);
  const oursLogs: number[] = [];
  const baseLogs: number[] = [];
  let lines = 0;
  for (let r = 0; r < rounds; r++) {
    // The path a run takes: follow, demultiplex, assemble lines, mask, write through the run store's log sink.
    const log = new RunStore(join(dir, 'logs')).sink(`r${r}`).openLog('loud', 1);
    lines = 0;
    const t0 = performance.now();
    await followLogs(container, makeMasker(['not-in-this-log']), (l) => {
      lines++;
      log.write(l);
    });
    await log.close();
    oursLogs.push(performance.now() - t0);
    rmSync(join(dir, 'logs'), { recursive: true, force: true });
    baseLogs.push(wall('bash', ['-c', `docker logs ${name} > /dev/null 2>&1`]));
  }
  spawnSync('docker', ['rm', '-f', name], { stdio: 'ignore' });
  rmSync(dir, { recursive: true, force: true });
  return {
    chain20: {
      oursMs: chainOurs,
      dockerRunMs: chainBase,
      ratio: chainOurs / chainBase,
      floorMs: median(floor),
      floorRatio: chainOurs / median(floor),
      gapMs: median(gaps),
      overheadPerTaskMs: (chainOurs - chainBase) / 20,
    },
    parallel40: { oursMs: median(ours40), xargsMs: median(base40), ratio: median(ours40) / median(base40) },
    fanout1000: { oursMs: fanoutOurs, xargsMs: fanoutBase, ratio: fanoutOurs / fanoutBase },
    logs100mb: {
      oursMs: median(oursLogs),
      dockerLogsMs: median(baseLogs),
      throughputRatio: median(baseLogs) / median(oursLogs),
      lines,
    },
  };
}

export function printDocker(r: DockerBenchResult | string): string[] {
  if (typeof r === 'string') return [`docker: ${r}`];
  return [
    `docker: chain of 20 'true' tasks: cdag run ${fmt(r.chain20.oursMs)} ms vs 20 x docker run --rm ${fmt(r.chain20.dockerRunMs)} ms = ${r.chain20.ratio.toFixed(2)}x`,
    `  Engine API floor (create, start, wait; next created ahead, removal off the path): ${fmt(r.chain20.floorMs)} ms; cdag run = ${r.chain20.floorRatio.toFixed(2)}x`,
    `  orchestration: ${fmt(r.chain20.gapMs)} ms from a task's end to its downstream's start (median); ${fmt(r.chain20.overheadPerTaskMs)} ms per task vs docker run`,
    `docker: 40 independent tasks, 8 at once: cdag run ${fmt(r.parallel40.oursMs)} ms vs xargs -P8 docker run --rm ${fmt(r.parallel40.xargsMs)} ms = ${r.parallel40.ratio.toFixed(2)}x`,
    `docker: one task expanded to 1,000 instances, 8 at once: cdag run ${fmt(r.fanout1000.oursMs)} ms vs xargs -P8 docker run --rm ${fmt(r.fanout1000.xargsMs)} ms = ${r.fanout1000.ratio.toFixed(2)}x`,
    `docker: 100 MB log (${r.logs100mb.lines} lines): our log path ${fmt(r.logs100mb.oursMs)} ms vs docker logs > /dev/null ${fmt(r.logs100mb.dockerLogsMs)} ms = ${r.logs100mb.throughputRatio.toFixed(2)}x throughput`,
  ];
}
