import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { RunRecord } from '../../../src/protocol/runRecord';
import { RunStore } from '../../../src/runner/runStore';

const run = promisify(execFile);

function record(id: string, extra: Partial<RunRecord> = {}): RunRecord {
  return {
    version: 1,
    run_id: id,
    dag: 'd',
    logical_date: '2024-01-01T00:00:00+00:00',
    data_interval_end: '2024-01-02T00:00:00+00:00',
    backend: 'docker',
    params: {},
    state: 'success',
    tasks: { a: { state: 'success', tries: 1, attempts: [{ try: 1, state: 'success' }] } },
    ...extra,
  };
}

/** The pid of a process that has ended: what a crashed runner leaves in its lock. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

describe('run store', () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'cdag-store-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('skips records holding null, an array, junk, or a folder named record.json, with one warning each', () => {
    const store = new RunStore(root);
    store.save(record('good'));
    const bad: Record<string, string | null> = { nul: 'null', arr: '[]', junk: '{"run_id": 1}', text: 'not json' };
    for (const [dir, text] of Object.entries(bad)) {
      mkdirSync(join(root, dir));
      writeFileSync(join(root, dir, 'record.json'), text!);
    }
    mkdirSync(join(root, 'folder', 'record.json'), { recursive: true });
    mkdirSync(join(root, 'tasks-bad'));
    writeFileSync(join(root, 'tasks-bad', 'record.json'), JSON.stringify({ ...record('x'), tasks: { a: null } }));
    assert.deepEqual(
      store.list().map((r) => r.run_id),
      ['good'],
    );
    assert.deepEqual(store.unfinished(), []);
    assert.equal(store.skipped.size, 6);
    assert.match(store.skipped.get(join(root, 'folder'))!, /record.json is a folder/);
    assert.match(store.skipped.get(join(root, 'nul'))!, /not a JSON object \(null\)/);
    assert.match(store.skipped.get(join(root, 'arr'))!, /an array/);
  });

  it('keeps task ids such as __proto__ as own keys of a loaded record', () => {
    const store = new RunStore(root);
    const r = record('p');
    r.tasks = JSON.parse('{"__proto__": {"state": "failed", "tries": 1, "attempts": []}}') as RunRecord['tasks'];
    mkdirSync(store.runDir('p'));
    writeFileSync(join(store.runDir('p'), 'record.json'), JSON.stringify(r));
    const loaded = store.load('p')!;
    assert.deepEqual(Object.keys(loaded.tasks), ['__proto__']);
    assert.equal(loaded.tasks['__proto__']!.state, 'failed');
    assert.equal(loaded.tasks['constructor'], undefined);
  });

  it('reports a runs folder that cannot be written, naming the cause, before any run', () => {
    writeFileSync(join(root, 'file'), 'x');
    const notDir = new RunStore(join(root, 'file', 'runs')).checkWritable();
    assert.deepEqual(notDir, { code: 'runs-folder-unwritable', folder: join(root, 'file', 'runs'), cause: 'ENOTDIR' });
    assert.equal(new RunStore(join(root, 'ok')).checkWritable(), undefined);
  });

  it('refuses a second lock on a DAG and date while the first holder lives, naming its run and pid', () => {
    const store = new RunStore(root);
    const first = store.lock('d', '2024-01-01T00:00:00+00:00', 'run-1');
    assert.ok(first.acquired);
    const second = store.lock('d', '2024-01-01T00:00:00+00:00', 'run-2');
    assert.ok(!second.acquired && 'holder' in second);
    assert.equal(second.holder.run_id, 'run-1');
    assert.equal(second.holder.pid, process.pid);
    assert.ok(store.lock('d', '2024-01-02T00:00:00+00:00', 'run-3').acquired, 'another date is free');
    first.release();
    const third = store.lock('d', '2024-01-01T00:00:00+00:00', 'run-2');
    assert.ok(third.acquired);
    third.release();
  });

  it('shares the lock of a DAG file across run stores, so the CLI and VS Code see each other’s live runs', () => {
    const file = join(root, 'shared.dag.yaml');
    writeFileSync(file, 'tasks: {}\n');
    const cli = new RunStore(join(root, 'cli-runs'));
    const editor = new RunStore(join(root, 'editor-storage', 'runs'));
    const first = cli.lock('d', '2024-01-01T00:00:00+00:00', 'cli-run', file);
    assert.ok(first.acquired);
    try {
      const second = editor.lock('d', '2024-01-01T00:00:00+00:00', 'editor-run', file);
      assert.ok(!second.acquired && 'holder' in second && second.holder.run_id === 'cli-run');
      assert.equal(editor.lockHeld(record('cli-run', { file })), true);
      // Another DAG file with the same id is another DAG.
      const other = join(root, 'other.dag.yaml');
      writeFileSync(other, 'tasks: {}\n');
      const third = editor.lock('d', '2024-01-01T00:00:00+00:00', 'x', other);
      assert.ok(third.acquired);
      third.release();
    } finally {
      first.release();
    }
    assert.equal(editor.lockHeld(record('cli-run', { file })), false);
  });

  it('after a crash, exactly one of two processes racing for the lock takes the run over', async function () {
    this.timeout(60_000);
    for (let round = 0; round < 4; round++) {
      const dir = join(root, `round${round}`);
      mkdirSync(join(dir, '.locks'), { recursive: true });
      const lockFile = join(dir, '.locks', 'dag@2024-01-01T00_00_00_00_00.lock');
      writeFileSync(
        lockFile,
        JSON.stringify({ pid: deadPid(), host: (await import('node:os')).hostname(), run_id: 'crashed' }),
      );
      const startAt = String(Date.now() + 1500);
      const contender = (id: string) =>
        run(process.execPath, ['-r', 'tsx/cjs', join(__dirname, '../../support/lockContender.ts'), dir, startAt, id]);
      const results = (await Promise.all([contender('A'), contender('B')])).map(
        (r) => JSON.parse(r.stdout) as Record<string, unknown>,
      );
      const winners = results.filter((r) => 'won' in r);
      assert.equal(winners.length, 1, JSON.stringify(results));
      const loser = results.find((r) => 'held' in r) as { held: { run_id: string } } | undefined;
      assert.ok(loser, JSON.stringify(results));
      assert.equal(loser.held.run_id, winners[0]!.won);
      assert.throws(() => readFileSync(lockFile, 'utf8'), /ENOENT/, 'the winner released its lock on leaving');
    }
  });

  it('deletes a finished run with its logs, and refuses one whose runner still lives', () => {
    const store = new RunStore(root);
    store.save(record('done'));
    writeFileSync(join(store.runDir('done'), 'a.1.log'), 'line\n');
    store.save(record('live', { state: 'running', owner: { pid: process.pid, host: hostname() } }));
    store.save(record('orphan', { state: 'running', owner: { pid: deadPid(), host: hostname() } }));
    assert.equal(
      store.remove('done', () => false),
      'removed',
    );
    assert.equal(
      store.remove('live', () => false),
      'live',
      'its owner (this process) is alive',
    );
    assert.equal(
      store.remove('orphan', () => true),
      'live',
      'the launcher says it is live',
    );
    assert.equal(
      store.remove('orphan', () => false),
      'removed',
      'its runner is gone',
    );
    assert.equal(
      store.remove('never', () => false),
      'missing',
    );
    assert.deepEqual(
      store.list().map((r) => r.run_id),
      ['live'],
    );
  });
});
