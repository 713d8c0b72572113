import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import type { RunRecord } from '../../../src/protocol/runRecord';
import { LABELS } from '../../../src/dag/labels';
import { ROOT } from '../../e2e/codeServer';
import { TEST_IMAGE, dockerOrFail, ensureTestImage } from './dockerEnv';

const CLI = join(ROOT, 'dist', 'cli.js');

const PEM = `-----BEGIN PRIVATE KEY-----
MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj
MzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvu
-----END PRIVATE KEY-----`;

/** Containers of one DAG (by its label), running or not. */
async function containersOf(docker: Docker, dag: string): Promise<Docker.ContainerInfo[]> {
  return docker.listContainers({ all: true, filters: { label: [`${LABELS.dag}=${dag}`] } });
}

function records(runsDir: string): RunRecord[] {
  return readdirSync(runsDir)
    .filter((d) => !d.startsWith('.'))
    .map((d) => JSON.parse(readFileSync(join(runsDir, d, 'record.json'), 'utf8')) as RunRecord);
}

/** Resolves once `text` appears in the child's stderr; the whole stderr is kept in `out.err`. */
function collect(child: ChildProcess): { err: string; until(re: RegExp, ms?: number): Promise<void> } {
  const out = {
    err: '',
    until: (re: RegExp, ms = 30_000) =>
      new Promise<void>((res, rej) => {
        const t0 = Date.now();
        const check = () => {
          if (re.test(out.err)) return res();
          if (Date.now() - t0 > ms) return rej(new Error(`no ${re} in:\n${out.err}`));
          setTimeout(check, 50);
        };
        check();
      }),
  };
  child.stderr!.on('data', (b: Buffer) => (out.err += b.toString()));
  return out;
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((r) => (child.exitCode !== null ? r(child.exitCode) : child.once('exit', (c) => r(c))));

describe('hostile DAG files and faults on a real Docker Engine (issue 11)', function () {
  this.timeout(120_000);
  let docker: Docker;
  let dir: string;
  const dagFile = (name: string, body: string) => {
    const f = join(dir, `${name}.dag.yaml`);
    writeFileSync(f, `dag: ${name}\n${body.replace(/\$IMAGE/g, TEST_IMAGE)}`);
    return f;
  };
  const cdag = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });

  before(async () => {
    docker = await dockerOrFail();
    ensureTestImage();
  });
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'cdag-hardening-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses, before any container starts, every host path that resolves to / or a system folder; allowed, it mounts the resolved path', async () => {
    symlinkSync('/', join(dir, 'innocent'));
    const f = dagFile(
      'hostpaths',
      `params: {dir: data}
tasks:
  first: {image: $IMAGE, image_pull_policy: Never, command: [true]}
  peek: {image: $IMAGE, image_pull_policy: Never, command: [ls, /host/etc/hostname], mounts: ['${dir}/innocent:/host:ro'], depends_on: [first]}
  sneaky: {image: $IMAGE, image_pull_policy: Never, command: [true], mounts: ['/{{ params.dir }}:/d:ro', '/var/run/../run/docker.sock:/s'], depends_on: [first]}
`,
    );
    const runs = join(dir, 'runs');
    const r = cdag(['run', f, '--param', 'dir=tmp/../etc', '--runs-dir', runs]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /Refused: .*peek mount \/ \(written .*innocent\): the host’s whole file system/);
    assert.match(r.stderr, /sneaky mount \/etc \(written \/tmp\/\.\.\/etc\)/);
    assert.match(r.stderr, /sneaky mount \S*docker\.sock.*Docker socket/);
    assert.match(r.stderr, /--allow-host-path \/ --allow-host-path \/etc/);
    assert.equal(r.stderr.match(/Refused:/g)?.length, 1, 'one message for the whole DAG');
    assert.deepEqual(await containersOf(docker, 'hostpaths'), [], 'not even the harmless first task ran');

    const allowed = cdag(['run', f, '--task', 'peek', '--allow-host-path', '/', '--runs-dir', runs, '--json']);
    assert.equal(allowed.status, 0, allowed.stderr);
    assert.equal((JSON.parse(allowed.stdout) as RunRecord).tasks.peek!.state, 'success');
  });

  it('masks every line of a multi-line secret in the log, the record and --json; warns about one too short to mask', async () => {
    const f = dagFile(
      'secrets',
      `tasks:
  leak:
    image: $IMAGE
    image_pull_policy: Never
    secrets: {KEY: pem-key, PIN: pin}
    command: [sh, -c, 'echo "$KEY"; echo "one line: $(echo "$KEY" | sed -n 2p)"; echo "pin=$PIN"; echo "$KEY" >&2; exit 3']
`,
    );
    const runs = join(dir, 'runs');
    const r = cdag(['run', f, '--runs-dir', runs, '--json'], { PEM_KEY: PEM, PIN: 'ab' });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /Warning: Secret "pin" cannot be masked in logs: its value is under 4 characters/);
    const record = JSON.parse(r.stdout) as RunRecord;
    const log = readFileSync(
      join(runs, record.run_id.replace(/[^A-Za-z0-9_.-]/g, '_'), record.tasks.leak!.attempts[0]!.log_file!),
      'utf8',
    );
    const stored = readFileSync(join(runs, record.run_id.replace(/[^A-Za-z0-9_.-]/g, '_'), 'record.json'), 'utf8');
    for (const line of PEM.split('\n').slice(1, -1)) {
      for (const [what, text] of [
        ['log', log],
        ['record', stored],
        ['--json', r.stdout],
        ['stderr', r.stderr],
      ] as const)
        assert.ok(!text.includes(line), `${what} shows a line of the key:\n${text}`);
    }
    assert.match(log, /^ {2}one line: \*\*\*$/m);
    assert.match(log, /^E \*\*\*$/m);
    assert.match(log, /pin=ab/, 'a value too short to mask is shown, as warned, and the log is not mangled');
  });

  it('SIGHUP cancels like SIGINT: containers stopped and removed, record cancelled', async () => {
    const f = dagFile(
      'hangup',
      `tasks:\n  long: {image: $IMAGE, image_pull_policy: Never, command: [sh, -c, "trap 'exit 143' TERM; sleep 60 & wait"]}\n`,
    );
    const runs = join(dir, 'runs');
    const child = spawn(process.execPath, [CLI, 'run', f, '--runs-dir', runs], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out = collect(child);
    await out.until(/long try 1: running/);
    child.kill('SIGHUP');
    assert.equal(await exited(child), 1, out.err);
    assert.match(out.err, /Cancelling \(SIGHUP\)/);
    assert.equal(records(runs)[0]!.state, 'cancelled');
    assert.deepEqual(await containersOf(docker, 'hangup'), []);
  });

  it('a second Ctrl-C waits for the cleanup instead of leaving containers behind', async () => {
    const f = dagFile(
      'twice',
      // The task ignores SIGTERM, so stopping it takes the whole grace period (10 s).
      `tasks:\n  stubborn: {image: $IMAGE, image_pull_policy: Never, command: [sh, -c, "trap '' TERM; sleep 60 & wait; sleep 60"]}\n`,
    );
    const runs = join(dir, 'runs');
    const child = spawn(process.execPath, [CLI, 'run', f, '--runs-dir', runs], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out = collect(child);
    await out.until(/stubborn try 1: running/);
    await new Promise((r) => setTimeout(r, 1000)); // the shell has set its trap
    child.kill('SIGINT');
    await out.until(/Cancelling \(SIGINT\)/);
    child.kill('SIGINT');
    await out.until(/Still stopping and removing containers/);
    assert.equal(await exited(child), 1, out.err);
    assert.deepEqual(await containersOf(docker, 'twice'), [], 'nothing left running unowned');
    assert.equal(records(runs)[0]!.state, 'cancelled');
  });

  it('refuses a second cdag run of the same DAG and date while the first is live, naming its run and pid', async () => {
    const f = dagFile('single', 'tasks:\n  long: {image: $IMAGE, image_pull_policy: Never, command: [sleep, "4"]}\n');
    const runs = join(dir, 'runs');
    const first = spawn(process.execPath, [CLI, 'run', f, '--date', '2024-01-01', '--runs-dir', runs], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out = collect(first);
    await out.until(/long try 1: running/);
    const second = cdag(['run', f, '--date', '2024-01-01', '--runs-dir', runs]);
    assert.equal(second.status, 1, second.stderr);
    const live = records(runs)[0]!;
    assert.match(
      second.stderr,
      new RegExp(`not started: run ${live.run_id} of this DAG and date is live \\(process ${first.pid} on `),
    );
    assert.equal(await exited(first), 0, out.err);
    assert.equal(records(runs).length, 1, 'no second run was made');
  });

  describe('a runs folder that stops taking writes', () => {
    let mnt: string;
    beforeEach(() => {
      mnt = join(dir, 'mnt');
      mkdirSync(mnt);
    });
    afterEach(() => spawnSync('umount', [mnt]));

    it('is found before the first task: a full disk, a read-only mount, a file in the way (exit 2, folder and cause)', () => {
      const f = dagFile('nospace', 'tasks:\n  a: {image: $IMAGE, image_pull_policy: Never, command: [true]}\n');
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mnt]);
      spawnSync('dd', ['if=/dev/zero', `of=${join(mnt, 'fill')}`, 'bs=4k', 'count=64']);
      const full = cdag(['run', f, '--runs-dir', join(mnt, 'runs')]);
      assert.equal(full.status, 2, full.stderr);
      assert.match(
        full.stderr,
        new RegExp(`Cannot write runs to ${mnt}/runs \\(ENOSPC: the disk is full\\)\\. Nothing was run`),
      );
      execFileSync('umount', [mnt]);
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,ro', 'tmpfs', mnt]);
      const ro = cdag(['run', f, '--runs-dir', join(mnt, 'runs')]);
      assert.equal(ro.status, 2, ro.stderr);
      assert.match(ro.stderr, /\(EROFS: the file system is read-only\)/);
      writeFileSync(join(dir, 'afile'), '');
      const notDir = cdag(['run', f, '--runs-dir', join(dir, 'afile', 'runs')]);
      assert.equal(notDir.status, 2, notDir.stderr);
      assert.match(notDir.stderr, /\(ENOTDIR: a part of the path is a file, not a folder\)/);
    });

    it('mid-run: the running container is stopped and removed, and the record finished once there is room', async () => {
      // A task writing far more log than the 1 MiB folder holds.
      const f = dagFile(
        'fills',
        `tasks:\n  chatty: {image: $IMAGE, image_pull_policy: Never, command: [sh, -c, 'trap "exit 143" TERM; while true; do echo "some log line that fills the disk sooner or later"; done']}\n`,
      );
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mnt]);
      const child = spawn(process.execPath, [CLI, 'run', f, '--runs-dir', join(mnt, 'runs')], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const out = collect(child);
      await out.until(/Cannot write this run's record or logs \(ENOSPC\)/);
      // Make room, as a user would: remove the log that filled the disk.
      for (const run of readdirSync(join(mnt, 'runs')).filter((d) => !d.startsWith('.')))
        rmSync(join(mnt, 'runs', run, 'chatty'), { recursive: true, force: true });
      assert.equal(await exited(child), 1, out.err);
      assert.ok(!/Error|at .*\.js/.test(out.err.replace(/Cannot write|ENOSPC/g, '')), out.err);
      assert.deepEqual(await containersOf(docker, 'fills'), [], 'the container was stopped and removed');
      const [r] = records(join(mnt, 'runs'));
      assert.equal(r!.state, 'failed');
      assert.match(r!.reason!, /runs folder stopped taking writes \(ENOSPC\)/);
    });
  });
});
