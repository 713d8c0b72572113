import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeDag } from '../../../src/dag/analyze';
import type { RunRecord } from '../../../src/protocol/runRecord';
import type { AttemptSpec } from '../../../src/runner/backend';
import { connectBackend } from '../../../src/runner/backendConnection';
import { Consent, type SensitiveRequest } from '../../../src/runner/hostAccess';
import type { RunNotStarted } from '../../../src/runner/launchFailure';
import { RunLauncher, type Connect, type LaunchRequest } from '../../../src/runner/runLauncher';
import { RunStore } from '../../../src/runner/runStore';
import { ok } from '../../../src/util/errorable';
import { ScriptedBackend } from '../../support/scriptedBackend';

const code = (spec: AttemptSpec) => Number(spec.rendered.command?.[0] ?? 0);
const ms = (spec: AttemptSpec) => Number(spec.rendered.command?.[1] ?? 5);
const day = (d: string) => ({
  start: new Date(`${d}T00:00:00Z`),
  end: new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000),
});

/** A DAG file on disk (the run lock is keyed by its real path) and a launcher whose backend is scripted. */
function setUp(yaml: string) {
  const dir = mkdtempSync(join(tmpdir(), 'cdag-launcher-'));
  const file = join(dir, 'test.dag.yaml');
  writeFileSync(file, yaml);
  const a = analyzeDag(yaml, file);
  assert.ok(!a.hasErrors, JSON.stringify(a.problems));
  const backend = new ScriptedBackend((s) => ({ code: code(s), ms: ms(s) }));
  const connects: Consent[] = [];
  const connect: Connect = async (_dag, _file, _choice, consent) => {
    connects.push(consent);
    return ok({ backend, secretValues: { pw: 'hunter2-secret' } });
  };
  const store = new RunStore(join(dir, 'runs'));
  const launcher = new RunLauncher(store, connect);
  const request = (extra: Partial<LaunchRequest> = {}): LaunchRequest => ({
    dag: a.dag!,
    file,
    text: yaml,
    backend: 'docker',
    intervals: [day('2024-01-01')],
    env: {},
    ...extra,
  });
  return {
    dir,
    file,
    dag: a.dag!,
    backend,
    connects,
    store,
    launcher,
    request,
    done: () => rmSync(dir, { recursive: true, force: true }),
  };
}

const CHAIN =
  'schedule: "@daily"\ntasks:\n  a: {image: x, command: ["0", "5"]}\n  b: {image: x, command: ["0", "5"], depends_on: [a]}\n';

describe('run launcher', () => {
  it('keeps each group’s state in the run record, from its tasks', async () => {
    const t = setUp(
      'tasks:\n  a: {image: x, group: g, command: ["0", "5"]}\n  b: {image: x, group: g.in, command: ["3", "5"]}\n  c: {image: x, depends_on: [g], command: ["0", "5"]}\n',
    );
    try {
      const p = await t.launcher.prepare(t.request());
      assert.ok(p.succeeded);
      const [record] = await t.launcher.start(p.result, { intervals: [day('2024-01-01')] });
      assert.deepEqual(
        { ...record!.groups },
        {
          g: { state: 'failed', tasks: ['a', 'b'] },
          'g.in': { state: 'failed', tasks: ['b'] },
        },
      );
      assert.equal(record!.tasks.c!.state, 'upstream_failed');
      assert.deepEqual({ ...t.store.load(record!.run_id)!.groups }, { ...record!.groups }, 'kept in the stored record');
    } finally {
      t.done();
    }
  });

  it('refuses a DAG that mounts /etc before connecting anything when nothing was allowed and no one can be asked', async () => {
    const t = setUp('tasks:\n  peek: {image: x, mounts: ["/etc:/host-etc"]}\n');
    try {
      const r = await t.launcher.prepare(t.request());
      assert.ok(!r.succeeded);
      assert.equal(r.error.code, 'host-access-refused');
      const requests = (r.error as { requests: readonly SensitiveRequest[] }).requests;
      assert.deepEqual(
        requests.map((x) => [x.taskId, x.kind, x.subject]),
        [['peek', 'host-path', '/etc']],
      );
      assert.equal(t.connects.length, 0, 'no backend was connected');
    } finally {
      t.done();
    }
  });

  it('asks once with every request; a no declines the launch, a yes connects with consent to exactly those', async () => {
    const t = setUp(
      'tasks:\n  peek: {image: x, mounts: ["/etc:/e"]}\n  sock: {image: x, mounts: ["/var/run/docker.sock:/s"], network: host}\n',
    );
    try {
      const asked: SensitiveRequest[][] = [];
      const no = await t.launcher.prepare(t.request({ ask: async (r) => (asked.push([...r]), false) }));
      assert.ok(!no.succeeded);
      assert.equal(no.error.code, 'host-access-declined');
      assert.equal(asked.length, 1);
      assert.deepEqual(asked[0]!.map((r) => r.kind).sort(), ['host-network', 'host-path', 'host-path']);
      assert.equal(t.connects.length, 0);

      const yes = await t.launcher.prepare(t.request({ ask: async () => true }));
      assert.ok(yes.succeeded);
      const consent = t.connects[0]!;
      for (const r of asked[0]!) assert.ok(consent.allows(r), `${r.kind} ${r.subject} allowed`);
      assert.ok(
        !consent.allows({ taskId: 'x', kind: 'host-path', subject: '/root', why: '' }),
        'nothing beyond what was asked',
      );
    } finally {
      t.done();
    }
  });

  it('takes what was allowed beforehand (the CLI flags) without asking, and refuses the rest', async () => {
    const t = setUp('tasks:\n  peek: {image: x, mounts: ["/etc:/e"], network: host}\n');
    try {
      const asked: unknown[] = [];
      const partly = await t.launcher.prepare(t.request({ allowed: new Consent(['/etc']) }));
      assert.ok(!partly.succeeded);
      assert.equal(partly.error.code, 'host-access-refused');
      assert.deepEqual(
        (partly.error as { requests: readonly SensitiveRequest[] }).requests.map((r) => r.kind),
        ['host-network'],
      );
      const all = await t.launcher.prepare(
        t.request({ allowed: new Consent(['/etc/'], true), ask: async (r) => (asked.push(r), false) }),
      );
      assert.ok(all.succeeded);
      assert.equal(asked.length, 0, 'nobody is asked for what was allowed');
    } finally {
      t.done();
    }
  });

  it('says the runs folder cannot be written (ENOTDIR) before any consent or connection', async () => {
    const t = setUp(CHAIN);
    try {
      // A part of the runs folder's path is a file.
      const launcher = new RunLauncher(new RunStore(join(t.file, 'runs')), async () => {
        throw new Error('not to be connected');
      });
      const r = await launcher.prepare(t.request());
      assert.ok(!r.succeeded);
      assert.equal(r.error.code, 'runs-folder-unwritable');
      assert.equal((r.error as { cause: string }).cause, 'ENOTDIR');
      assert.equal(t.connects.length, 0);
    } finally {
      t.done();
    }
  });

  it('names the secrets no source has a value for as data, before reaching Docker (the real connector)', async () => {
    const t = setUp('tasks:\n  a: {image: x, secrets: {PW: movielens-password, TOKEN: api-token}}\n');
    try {
      const r = await new RunLauncher(t.store, connectBackend).prepare(
        t.request({ env: { API_TOKEN: 'from-the-environment' }, dockerHost: 'unix:///nonexistent/docker.sock' }),
      );
      assert.ok(!r.succeeded);
      assert.deepEqual(r.error, { code: 'secrets-missing', names: ['movielens-password'] });
    } finally {
      t.done();
    }
  });

  it('says the Docker Engine is unavailable as data, with the cause in the message', async () => {
    const t = setUp(CHAIN);
    try {
      const r = await new RunLauncher(t.store, connectBackend).prepare(
        t.request({ dockerHost: 'unix:///nonexistent/docker.sock' }),
      );
      assert.ok(!r.succeeded);
      assert.equal(r.error.code, 'backend-unavailable');
      assert.match(
        (r.error as { message: string }).message,
        /No Docker Engine at unix:\/\/\/nonexistent\/docker\.sock/,
      );
    } finally {
      t.done();
    }
  });

  it('masks the secret values it read and hashes the file it was given', async () => {
    const t = setUp(CHAIN);
    try {
      const r = await t.launcher.prepare(t.request());
      assert.ok(r.succeeded);
      assert.equal(r.result.mask('the password is hunter2-secret.'), 'the password is ***.');
      assert.match(r.result.fileHash, /^[0-9a-f]{64}$/);
    } finally {
      t.done();
    }
  });

  it('starts a backfill in date order, at most max-runs at once, returns the records by date, and says a run ended only once it is no longer live', async () => {
    const t = setUp(CHAIN);
    try {
      const p = await t.launcher.prepare(t.request());
      assert.ok(p.succeeded);
      const dates = ['2024-01-03', '2024-01-01', '2024-01-02', '2024-01-04'];
      let live = 0;
      let most = 0;
      const records = await t.launcher.start(
        p.result,
        { intervals: dates.map(day), kind: 'backfill', maxRuns: 2 },
        {
          started: (engine) => {
            most = Math.max(most, ++live);
            assert.ok(t.launcher.isLive(engine.record), 'a started run is live');
          },
          ended: (record) => {
            live--;
            // What a front end counts when it hears of the end (VS Code's status bar) leaves the run out.
            assert.ok(!t.launcher.isLive(record), 'an ended run is not live');
            assert.ok(!t.launcher.live.some((e) => e.record.run_id === record.run_id));
          },
        },
      );
      assert.equal(most, 2);
      assert.deepEqual(
        records.map((r) => r.logical_date.slice(0, 10)),
        ['2024-01-01', '2024-01-02', '2024-01-03', '2024-01-04'],
      );
      assert.ok(records.every((r) => r.state === 'success' && r.run_id.startsWith('backfill__')));
      assert.equal(t.launcher.live.length, 0);
      assert.equal(readdirSync(join(t.dir, 'runs')).filter((d) => !d.startsWith('.')).length, 4);
    } finally {
      t.done();
    }
  });

  it('does not start a second run of the same DAG and date while one is live (another front end), and says who holds it', async () => {
    const t = setUp('schedule: "@daily"\ntasks:\n  slow: {image: x, command: ["0", "300"]}\n');
    try {
      const p = await t.launcher.prepare(t.request());
      assert.ok(p.succeeded);
      const first = t.launcher.start(p.result, { intervals: [day('2024-01-01')] });
      await new Promise((r) => setTimeout(r, 50));
      const other = new RunLauncher(new RunStore(join(t.dir, 'other-runs')), async () =>
        ok({ backend: t.backend, secretValues: {} }),
      );
      const q = await other.prepare({ ...t.request() });
      assert.ok(q.succeeded);
      const refused: RunNotStarted[] = [];
      const second = await other.start(
        q.result,
        { intervals: [day('2024-01-01'), day('2024-01-02')] },
        {
          notStarted: (n) => refused.push(n),
        },
      );
      assert.deepEqual(
        second.map((r) => r.logical_date.slice(0, 10)),
        ['2024-01-02'],
        'the other date ran',
      );
      assert.equal(refused.length, 1);
      const n = refused[0]!;
      assert.equal(n.code, 'run-locked');
      assert.equal(n.code === 'run-locked' && n.holder.pid, process.pid);
      const [mine] = await first;
      assert.equal(n.code === 'run-locked' && n.holder.run_id, mine!.run_id);
    } finally {
      t.done();
    }
  });

  it('cancels the runs it started and starts no further date when its signal aborts', async () => {
    const t = setUp('schedule: "@daily"\ntasks:\n  slow: {image: x, command: ["0", "10000"]}\n');
    try {
      const p = await t.launcher.prepare(t.request());
      assert.ok(p.succeeded);
      const stop = new AbortController();
      const records = t.launcher.start(
        p.result,
        { intervals: [day('2024-01-01'), day('2024-01-02')], signal: stop.signal },
        { started: () => setTimeout(() => stop.abort(), 20) },
      );
      const done = await records;
      assert.equal(done.length, 1);
      assert.equal(done[0]!.state, 'cancelled');
      assert.deepEqual(t.backend.killed, ['slow']);
    } finally {
      t.done();
    }
  });

  it('takes over the runs a dead runner left: resumes what the front end accepts, marks the rest interrupted and collects their containers, leaves the others alone', async () => {
    const t = setUp(CHAIN);
    try {
      const p = await t.launcher.prepare(t.request());
      assert.ok(p.succeeded);
      const made = await t.launcher.start(p.result, {
        intervals: [day('2024-01-01'), day('2024-01-02'), day('2024-01-03')],
        kind: 'backfill',
      });
      // As a runner killed mid-run leaves them: running, owned by a process that is gone.
      const dead = { pid: 2 ** 22 + 12345, host: hostname() };
      for (const r of made) {
        r.state = 'running';
        r.owner = dead;
        r.tasks.b!.state = 'running';
        t.store.save(r);
      }
      const [resume, abandon, leave] = made;
      const collected: string[][] = [];
      const result = await t.launcher.takeOver(
        (r) =>
          r.run_id === resume!.run_id ? 'resume' : r.run_id === abandon!.run_id ? { abandon: 'changed' } : 'leave',
        async () => ({ collect: async (ids) => (collected.push([...ids]), ok(1)) }),
      );
      assert.deepEqual(
        result.resume.map((r) => r.run_id),
        [resume!.run_id],
      );
      assert.equal(result.abandoned.length, 1);
      assert.deepEqual(result.abandoned[0]!.why, ['changed']);
      assert.match(result.abandoned[0]!.note ?? '', /Marked 1 interrupted run\(s\); removed 1 leftover container/);
      assert.deepEqual(collected, [[abandon!.run_id]]);
      const stored = (id: string) =>
        JSON.parse(readFileSync(join(t.store.runDir(id), 'record.json'), 'utf8')) as RunRecord;
      assert.equal(stored(abandon!.run_id).interrupted, true);
      assert.equal(stored(leave!.run_id).state, 'running', 'left alone');
      assert.equal(stored(resume!.run_id).state, 'running', 'resumed by whoever starts it');
    } finally {
      t.done();
    }
  });

  it('resumes a run under its own id: its live attempt is reattached and everything else it left is collected', async () => {
    const t = setUp(CHAIN);
    try {
      const p = await t.launcher.prepare(t.request());
      assert.ok(p.succeeded);
      const [r] = await t.launcher.start(p.result, { intervals: [day('2024-01-01')] });
      r!.state = 'running';
      r!.owner = { pid: 2 ** 22 + 12346, host: hostname() };
      r!.tasks.b!.state = 'running';
      r!.tasks.b!.attempts.at(-1)!.state = 'running';
      t.store.save(r!);
      t.backend.alive.add('b#1');
      t.backend.starts = [];
      const resumed: Array<{ reattaching: number; removed: number } | undefined> = [];
      const [again] = await t.launcher.start(
        p.result,
        { intervals: [day('2024-01-01')], resume: [r!] },
        { started: (_e, how) => resumed.push(how) },
      );
      assert.equal(again!.run_id, r!.run_id);
      assert.equal(again!.state, 'success');
      assert.deepEqual(t.backend.reattached, ['b#1']);
      assert.deepEqual(t.backend.starts, [], 'a is not run again, b is followed, not started');
      assert.deepEqual(resumed, [{ reattaching: 1, removed: 0 }]);
      assert.deepEqual(t.backend.collected.at(-1), { runs: [r!.run_id], keep: ['b#1'] });
      assert.ok(statSync(t.store.runDir(r!.run_id)).isDirectory());
    } finally {
      t.done();
    }
  });
});

describe('the runner layer', () => {
  it('names no CLI flag and no VS Code command in what it says: each front end phrases its failures', () => {
    const root = join(__dirname, '..', '..', '..', 'src', 'runner');
    const files = (readdirSync(root, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts'));
    assert.ok(files.length > 20);
    const offending: string[] = [];
    for (const f of files) {
      const text = readFileSync(join(root, f), 'utf8');
      for (const m of text.matchAll(
        /--(?:allow-[a-z-]+|runs-dir|kubeconfig|context|namespace|backend|max-[a-z]+|yes|json)\b|containerDags\.[a-zA-Z]+|Container DAGs: [A-Z]/g,
      ))
        offending.push(`${f}: ${m[0]}`);
    }
    assert.deepEqual(offending, []);
  });
});
