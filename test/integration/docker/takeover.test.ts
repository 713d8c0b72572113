import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import type { RunRecord } from '../../../src/protocol/runRecord';
import { LABELS, MANAGED_BY } from '../../../src/dag/labels';
import { ROOT } from '../../e2e/codeServer';
import { TEST_IMAGE, dockerOrFail, ensureTestImage } from './dockerEnv';

const CLI = join(ROOT, 'dist', 'cli.js');

/** Starts `cdag run` and kills it (SIGKILL, no cleanup of its own) once task `slow` has a running container. */
async function runAndKill(docker: Docker, file: string, runsDir: string, date: string): Promise<void> {
  const child = spawn(process.execPath, [CLI, 'run', file, '--date', date, '--runs-dir', runsDir], { stdio: 'ignore' });
  const dagLabel = `${LABELS.dag}=takeover`;
  for (let i = 0; i < 200; i++) {
    const running = await docker.listContainers({ filters: { label: [dagLabel, `${LABELS.task}=slow`] } });
    if (running.length > 0) {
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error('task "slow" never started');
}

function records(runsDir: string): RunRecord[] {
  return readdirSync(runsDir)
    .filter((d) => !d.startsWith('.'))
    .map((d) => JSON.parse(readFileSync(join(runsDir, d, 'record.json'), 'utf8')) as RunRecord);
}

async function ours(docker: Docker): Promise<Docker.ContainerInfo[]> {
  return docker.listContainers({
    all: true,
    filters: { label: [`${LABELS.managedBy}=${MANAGED_BY}`, `${LABELS.dag}=takeover`] },
  });
}

describe('a runner killed mid-run (reliability test 10)', function () {
  this.timeout(120_000);
  let docker: Docker;
  let dir: string;
  let file: string;

  before(async () => {
    docker = await dockerOrFail();
    ensureTestImage();
  });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cdag-takeover-'));
    file = join(dir, 'takeover.dag.yaml');
    writeFileSync(
      file,
      `dag: takeover
schedule: '@daily'
start_date: 2024-01-01
tasks:
  slow: {image: ${TEST_IMAGE}, image_pull_policy: Never, command: [sh, -c, 'echo begun; sleep 3; echo finished']}
  after: {image: ${TEST_IMAGE}, image_pull_policy: Never, command: [sh, -c, 'echo after'], depends_on: [slow]}
`,
    );
  });

  it('is resumed by the next cdag run of the same DAG and date: the live container is reattached, its log complete, the run finished', async () => {
    const runsDir = join(dir, 'runs');
    await runAndKill(docker, file, runsDir, '2024-01-01');
    const [crashed] = records(runsDir);
    assert.equal(crashed!.state, 'running');
    const r = spawnSync(process.execPath, [CLI, 'run', file, '--date', '2024-01-01', '--runs-dir', runsDir, '--json'], {
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /Resuming run .*reattaching 1 running task/);
    const done = JSON.parse(r.stdout) as RunRecord;
    assert.equal(done.run_id, crashed!.run_id, 'the same run goes on, no second run');
    assert.equal(records(runsDir).length, 1);
    assert.equal(done.state, 'success');
    assert.deepEqual(
      done.tasks.slow!.attempts.map((a) => [a.try, a.state, a.exit_code]),
      [[1, 'success', 0]],
      'the running container was reattached, not started again',
    );
    assert.equal(done.tasks.after!.state, 'success');
    const log = readFileSync(join(runsDir, done.run_id.replace(/[^A-Za-z0-9_.-]/g, '_'), 'slow', '1.log'), 'utf8');
    assert.equal(log, '  begun\n  finished\n');
    assert.deepEqual(await ours(docker), [], 'nothing left with our labels');
  });

  it('keeps the service of a task it reattaches: the task still reaches it by name, and both are gone at the end', async () => {
    writeFileSync(
      file,
      `dag: takeover
schedule: '@daily'
start_date: 2024-01-01
services:
  echo:
    image: ${TEST_IMAGE}
    image_pull_policy: Never
    command: [sh, -c, 'exec nc -ll -p 8080 -e echo hello from echo']
    ports: [8080]
    ready: {tcp: 8080, interval: 200ms, timeout: 20s}
tasks:
  slow: {image: ${TEST_IMAGE}, image_pull_policy: Never, services: [echo], command: [sh, -c, 'nc -w 5 echo 8080; sleep 4; nc -w 5 echo 8080']}
`,
    );
    const runsDir = join(dir, 'runs');
    await runAndKill(docker, file, runsDir, '2024-01-01');
    const service = (await ours(docker)).find((c) => c.Labels[LABELS.service] === 'echo');
    assert.ok(service, 'the service runs when the runner dies');
    const r = spawnSync(process.execPath, [CLI, 'run', file, '--date', '2024-01-01', '--runs-dir', runsDir, '--json'], {
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /Resuming run .*reattaching 1 running task/);
    const done = JSON.parse(r.stdout) as RunRecord;
    assert.equal(done.state, 'success');
    assert.equal(done.services?.echo?.container_id, service.Id, 'the same service container, not a new one');
    const log = readFileSync(join(runsDir, done.run_id.replace(/[^A-Za-z0-9_.-]/g, '_'), 'slow', '1.log'), 'utf8');
    assert.equal(log.match(/hello from echo/g)?.length, 2, log);
    assert.deepEqual(await ours(docker), [], 'nothing left with our labels');
    const networks = await docker.listNetworks({ filters: { label: [`${LABELS.dag}=takeover`] } });
    assert.deepEqual(networks, []);
  });

  it('marks a run of another date interrupted and removes its still-running container', async () => {
    const runsDir = join(dir, 'runs');
    await runAndKill(docker, file, runsDir, '2024-01-01');
    // `slow` runs; `after` may have its container created already, to start the moment `slow` ends.
    const left = await ours(docker);
    assert.deepEqual(
      left.filter((c) => c.State === 'running').map((c) => c.Labels[LABELS.task]),
      ['slow'],
    );
    assert.ok(left.every((c) => c.State === 'running' || (c.State === 'created' && c.Labels[LABELS.task] === 'after')));
    const r = spawnSync(process.execPath, [CLI, 'run', file, '--date', '2024-01-02', '--runs-dir', runsDir, '--json'], {
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`Marked 1 interrupted run\\(s\\); removed ${left.length} leftover container`));
    const old = records(runsDir).find((x) => x.logical_date.startsWith('2024-01-01'))!;
    assert.equal(old.interrupted, true);
    assert.equal(old.tasks.slow!.state, 'failed');
    assert.deepEqual(await ours(docker), []);
  });

  it('fails the attempt whose container was removed while no runner watched as interrupted, then retries it', async () => {
    writeFileSync(file, readFileSync(file, 'utf8').replace('slow: {', 'slow: {retries: 1, retry_delay: 0s, '));
    const runsDir = join(dir, 'runs');
    await runAndKill(docker, file, runsDir, '2024-01-01');
    for (const c of await ours(docker)) await docker.getContainer(c.Id).remove({ force: true });
    const r = spawnSync(process.execPath, [CLI, 'run', file, '--date', '2024-01-01', '--runs-dir', runsDir, '--json'], {
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    const done = JSON.parse(r.stdout) as RunRecord;
    assert.deepEqual(
      done.tasks.slow!.attempts.map((a) => [a.try, a.state]),
      [
        [1, 'failed'],
        [2, 'success'],
      ],
    );
    assert.match(done.tasks.slow!.attempts[0]!.reason!, /interrupted.*container was gone/);
  });

  it('does not resume a run whose DAG file changed since: marks it interrupted and starts a new run', async () => {
    const runsDir = join(dir, 'runs');
    await runAndKill(docker, file, runsDir, '2024-01-01');
    writeFileSync(file, readFileSync(file, 'utf8').replace('echo after', 'echo after, edited'));
    const r = spawnSync(process.execPath, [CLI, 'run', file, '--date', '2024-01-01', '--runs-dir', runsDir, '--json'], {
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    const all = records(runsDir);
    assert.equal(all.length, 2);
    assert.equal(all.filter((x) => x.interrupted).length, 1);
    assert.deepEqual(await ours(docker), []);
  });
});
