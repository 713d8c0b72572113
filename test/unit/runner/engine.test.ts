import assert from 'node:assert/strict';
import type { Dag } from '../../../src/dag/model';
import type { RunEvent } from '../../../src/protocol/runEvents';
import type { RunRecord } from '../../../src/protocol/runRecord';
import type { Backend, LogLine } from '../../../src/runner/backend';
import { dagOf, ScriptedBackend, scriptedCode, scriptedMs } from '../../support/scriptedBackend';
import { RunEngine } from '../../../src/runner/engine';
import type { RunSink } from '../../../src/runner/runOptions';
import { decide } from '../../../src/runner/triggerRules';

function memorySink(): RunSink & { logs: Map<string, string[]>; last?: RunRecord } {
  const logs = new Map<string, string[]>();
  const sink = {
    logs,
    last: undefined as RunRecord | undefined,
    record(r: RunRecord) {
      sink.last = structuredClone(r);
    },
    openLog(task: string, tryNumber: number) {
      const key = `${task}#${tryNumber}`;
      logs.set(key, []);
      return { path: key, write: (l: LogLine) => void logs.get(key)!.push(l.line), close: async () => undefined };
    },
  };
  return sink;
}

const code = scriptedCode;
const ms = scriptedMs;
const interval = { start: new Date('2024-01-01T00:00:00Z'), end: new Date('2024-01-02T00:00:00Z') };

function run(dag: Dag, backend: Backend, extra: Partial<ConstructorParameters<typeof RunEngine>[0]> = {}) {
  const sink = memorySink();
  const engine = new RunEngine({ dag, runId: 'r1', interval, backend, sink, sleep: async () => undefined, ...extra });
  const events: RunEvent[] = [];
  engine.on((e) => events.push(e));
  return { engine, sink, events, done: engine.start() };
}

describe('run engine', () => {
  it('runs a chain in dependency order and succeeds', async () => {
    const b = new ScriptedBackend((s) => ({ code: code(s), ms: ms(s) }));
    const dag = dagOf(
      'tasks:\n  c: {image: x, command: [0], depends_on: [b]}\n  a: {image: x, command: [0]}\n  b: {image: x, command: [0], depends_on: [a]}\n',
    );
    const r = await run(dag, b).done;
    assert.equal(r.state, 'success');
    assert.deepEqual(b.starts, ['a#1', 'b#1', 'c#1']);
  });

  it('never runs more than max_active_tasks at once', async () => {
    const b = new ScriptedBackend((s) => ({ code: 0, ms: ms(s) }));
    const tasks = Array.from(
      { length: 10 },
      (_, i) => `  t${i}: {image: x, command: [0, ${10 + (i % 3) * 5}], depends_on: [start]}`,
    ).join('\n');
    const dag = dagOf(
      `max_active_tasks: 3\ntasks:\n  start: {image: x, command: [0]}\n${tasks}\n  end: {image: x, command: [0], depends_on: [${Array.from({ length: 10 }, (_, i) => `t${i}`).join(', ')}]}\n`,
    );
    const r = await run(dag, b).done;
    assert.equal(r.state, 'success');
    assert.equal(b.maxRunning, 3);
    assert.equal(b.starts.at(-1), 'end#1');
  });

  it('retries a failed attempt and succeeds, with exponential backoff', async () => {
    const b = new ScriptedBackend((s) => ({ code: s.tryNumber < 3 ? 1 : 0, ms: 2 }));
    const delays: number[] = [];
    const dag = dagOf('tasks:\n  flaky: {image: x, retries: 3, retry_delay: 10s, retry_exponential_backoff: true}\n');
    const r = await run(dag, b, { sleep: async (d) => void delays.push(d) }).done;
    assert.equal(r.state, 'success');
    assert.equal(r.tasks.flaky!.tries, 3);
    assert.deepEqual(delays, [10_000, 20_000]);
    assert.deepEqual(
      r.tasks.flaky!.attempts.map((a) => [a.try, a.state, a.reason]),
      [
        [1, 'failed', 'exit code 1'],
        [2, 'failed', 'exit code 1'],
        [3, 'success', undefined],
      ],
    );
  });

  it('fails after the last retry and marks downstream upstream_failed, all_done still runs', async () => {
    const b = new ScriptedBackend((s) => ({ code: code(s), ms: 2 }));
    const dag = dagOf(
      'tasks:\n  bad: {image: x, command: [2], retries: 1}\n  after: {image: x, command: [0], depends_on: [bad]}\n  cleanup: {image: x, command: [0], depends_on: [bad], trigger_rule: all_done}\n  alert: {image: x, command: [0], depends_on: [bad], trigger_rule: one_failed}\n  happy: {image: x, command: [0], depends_on: [bad], trigger_rule: one_success}\n',
    );
    const r = await run(dag, b).done;
    assert.equal(r.state, 'failed');
    assert.equal(r.tasks.bad!.state, 'failed');
    assert.equal(r.tasks.bad!.tries, 2);
    assert.equal(r.tasks.bad!.exit_code, 2);
    assert.equal(r.tasks.after!.state, 'upstream_failed');
    assert.equal(r.tasks.cleanup!.state, 'success');
    assert.equal(r.tasks.alert!.state, 'success');
    assert.equal(r.tasks.happy!.state, 'upstream_failed');
  });

  it('kills an attempt that exceeds its timeout and reports it as the reason', async () => {
    const b = new ScriptedBackend(() => ({ code: 0, ms: 60_000 }));
    const dag = dagOf('tasks:\n  slow: {image: x, timeout: 50ms}\n');
    const r = await run(dag, b).done;
    assert.equal(r.tasks.slow!.state, 'failed');
    assert.match(r.tasks.slow!.reason!, /timeout/);
    assert.deepEqual(b.killed, ['slow']);
  });

  it('cancelling a run stops running tasks, starts nothing new and does not retry', async () => {
    const b = new ScriptedBackend(() => ({ code: 1, ms: 60_000 }));
    const dag = dagOf('tasks:\n  long: {image: x, retries: 5}\n  next: {image: x, depends_on: [long]}\n');
    const { engine, done } = run(dag, b);
    await new Promise((r) => setTimeout(r, 20));
    engine.cancel();
    const r = await done;
    assert.equal(r.state, 'cancelled');
    assert.equal(r.tasks.long!.state, 'cancelled');
    assert.equal(r.tasks.long!.tries, 1);
    assert.equal(r.tasks.next!.state, 'cancelled');
    assert.deepEqual(b.starts, ['long#1']);
  });

  it('stops a container whose start was still in progress when the run was cancelled', async () => {
    const b = new ScriptedBackend(() => ({ code: 0, ms: 60_000 }));
    b.startDelayMs = 50;
    const { engine, done } = run(dagOf('tasks:\n  t: {image: x}\n'), b);
    await new Promise((r) => setTimeout(r, 10));
    engine.cancel();
    const t0 = Date.now();
    const r = await done;
    assert.ok(Date.now() - t0 < 1000);
    assert.equal(r.tasks.t!.state, 'cancelled');
    // Stopping twice is allowed (kill is idempotent); not stopping at all is the bug.
    assert.ok(b.killed.includes('t'));
  });

  it("fails an attempt whose backend refuses to start it, with the backend's message", async () => {
    const b = new ScriptedBackend(() => 'Image x is not on this Docker Engine and image_pull_policy is Never.');
    const r = await run(dagOf('tasks:\n  t: {image: x}\n'), b).done;
    assert.equal(r.tasks.t!.state, 'failed');
    assert.match(r.tasks.t!.reason!, /image_pull_policy is Never/);
  });

  it('re-runs only the failed tasks of a previous run ("clear")', async () => {
    const dag = dagOf('tasks:\n  a: {image: x, command: [0]}\n  b: {image: x, command: [0], depends_on: [a]}\n');
    const first = await run(dag, new ScriptedBackend((s) => ({ code: s.rendered.task.id === 'b' ? 1 : 0, ms: 1 })))
      .done;
    assert.equal(first.tasks.b!.state, 'failed');
    const b = new ScriptedBackend(() => ({ code: 0, ms: 1 }));
    const second = await run(dag, b, { previous: first }).done;
    assert.equal(second.state, 'success');
    assert.deepEqual(b.starts, ['b#1']);
  });

  it('masks secrets in logs and keeps them out of the record', async () => {
    const b = new ScriptedBackend(() => ({ code: 0, ms: 1, lines: ['token is hunter2-secret'] }));
    const dag = dagOf('tasks:\n  t: {image: x, secrets: {TOKEN: api-token}}\n');
    const { sink, done } = run(dag, b, {
      secretValues: { 'api-token': 'hunter2-secret' },
      mask: (l) => l.split('hunter2-secret').join('***'),
    });
    const r = await done;
    assert.deepEqual(sink.logs.get('t#1'), ['token is ***']);
    assert.ok(!JSON.stringify(r).includes('hunter2'));
  });
});

describe('run engine: taking over a run whose runner died', () => {
  const dag = () =>
    dagOf(
      'tasks:\n  a: {image: x, command: [0]}\n  b: {image: x, command: [0, 20], depends_on: [a], retries: 1}\n  c: {image: x, command: [0], depends_on: [b]}\n',
    );
  /** What the store holds after a crash while b's first attempt ran. */
  const crashed = (): RunRecord => ({
    version: 1,
    run_id: 'r1',
    dag: 'x',
    logical_date: '2024-01-01T00:00:00Z',
    data_interval_end: '2024-01-02T00:00:00Z',
    backend: 'docker',
    params: {},
    state: 'running',
    owner: { pid: 999_999, host: 'gone' },
    tasks: {
      a: { state: 'success', tries: 1, exit_code: 0, attempts: [{ try: 1, state: 'success', exit_code: 0 }] },
      b: {
        state: 'running',
        tries: 1,
        attempts: [{ try: 1, state: 'running', started_at: new Date().toISOString(), container_id: 'c-b-1' }],
      },
      c: { state: 'queued', tries: 0, attempts: [] },
    },
  });

  it('reattaches the attempt that was running, keeps finished tasks, and runs the rest under the same run id', async () => {
    const b = new ScriptedBackend((s) => ({ code: code(s), ms: ms(s), lines: [`${s.rendered.task.id} again`] }));
    b.alive.add('b#1');
    const { engine, done } = run(dag(), b, { resume: crashed() });
    assert.deepEqual([...engine.liveAttempts], ['b#1']);
    const r = await done;
    assert.equal(r.state, 'success');
    assert.equal(r.run_id, 'r1');
    assert.deepEqual(b.reattached, ['b#1']);
    assert.deepEqual(b.starts, ['c#1'], 'a is not run again, b is not started again');
    assert.deepEqual(
      r.tasks.b!.attempts.map((x) => [x.try, x.state]),
      [[1, 'success']],
    );
    assert.equal(r.resumed_at?.length, 1);
    assert.equal(r.interrupted, undefined);
    assert.notEqual(r.owner?.host, 'gone');
  });

  it('fails the attempt whose container is gone as interrupted, then retries it per its policy', async () => {
    const b = new ScriptedBackend((s) => ({ code: code(s), ms: 1 }));
    const r = await run(dag(), b, { resume: crashed() }).done;
    assert.equal(r.state, 'success');
    assert.deepEqual(
      r.tasks.b!.attempts.map((x) => [x.try, x.state]),
      [
        [1, 'failed'],
        [2, 'success'],
      ],
    );
    assert.match(r.tasks.b!.attempts[0]!.reason!, /interrupted: .*container was gone/);
    assert.deepEqual(b.starts, ['b#2', 'c#1']);
  });
});

describe('trigger rules (Airflow semantics)', () => {
  const cases: Array<[Parameters<typeof decide>[0], Parameters<typeof decide>[1], string]> = [
    ['all_success', ['success', 'success'], 'run'],
    ['all_success', ['success', 'running'], 'wait'],
    ['all_success', ['success', 'failed'], 'upstream_failed'],
    ['all_success', ['success', 'skipped'], 'skipped'],
    ['all_failed', ['failed', 'upstream_failed'], 'run'],
    ['all_failed', ['failed', 'success'], 'skipped'],
    ['all_done', ['failed', 'skipped', 'success'], 'run'],
    ['all_done', ['failed', 'running'], 'wait'],
    ['one_success', ['running', 'success'], 'run'],
    ['one_success', ['failed', 'failed'], 'upstream_failed'],
    ['one_success', ['skipped', 'skipped'], 'skipped'],
    ['one_failed', ['running', 'failed'], 'run'],
    ['one_failed', ['success', 'success'], 'skipped'],
    ['none_failed', ['success', 'skipped'], 'run'],
    ['none_failed', ['success', 'upstream_failed'], 'upstream_failed'],
    ['none_failed_min_one_success', ['skipped', 'success'], 'run'],
    ['none_failed_min_one_success', ['skipped', 'skipped'], 'skipped'],
    ['always', ['running', 'queued'], 'run'],
  ];
  for (const [rule, up, want] of cases) {
    it(`${rule} with [${up.join(', ')}] → ${want}`, () => assert.equal(decide(rule, up), want));
  }
});

describe('run engine on hostile ids and a failing runs folder', () => {
  it('runs tasks named constructor, toString, __proto__ and valueOf like any others', async () => {
    const b = new ScriptedBackend((s) => ({ code: code(s), ms: ms(s) }));
    const dag = dagOf(
      'tasks:\n  constructor: {image: x, command: [0]}\n  toString: {image: x, command: [0], depends_on: [constructor]}\n  __proto__: {image: x, command: [0], depends_on: [toString]}\n  valueOf: {image: x, command: [1], depends_on: [__proto__]}\n',
    );
    const r = await run(dag, b).done;
    assert.deepEqual(b.starts, ['constructor#1', 'toString#1', '__proto__#1', 'valueOf#1']);
    assert.deepEqual(
      Object.entries(r.tasks).map(([id, t]) => `${id}:${t.state}`),
      ['constructor:success', 'toString:success', '__proto__:success', 'valueOf:failed'],
    );
    assert.equal(r.state, 'failed');
    // The record survives JSON both ways with every id an own key.
    const again = JSON.parse(JSON.stringify(r)) as RunRecord;
    assert.deepEqual(Object.keys(again.tasks), ['constructor', 'toString', '__proto__', 'valueOf']);
  });

  it('stops the run when the runs folder is full, and writes the final record once there is room', async () => {
    const b = new ScriptedBackend((s) => ({ code: code(s), ms: ms(s) }));
    const dag = dagOf('tasks:\n  a: {image: x, command: [0, 5000]}\n  b: {image: x, command: [0], depends_on: [a]}\n');
    const sink = memorySink();
    let full = false;
    const writes: RunRecord[] = [];
    const enospc = () => Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
    let logFailed: ((e: Error) => void) | undefined;
    const failing: RunSink = {
      record: (r) => {
        if (full) throw enospc();
        writes.push(structuredClone(r));
      },
      openLog: (task, tryNumber, onError) => {
        logFailed ??= onError;
        return sink.openLog(task, tryNumber);
      },
    };
    const engine = new RunEngine({ dag, runId: 'r1', interval, backend: b, sink: failing, storePatienceMs: 5_000 });
    const notes: string[] = [];
    engine.on((e) => e.type === 'note' && notes.push(e.message));
    const done = engine.start();
    await new Promise((r) => setTimeout(r, 50));
    // The disk fills while task a runs: its log stream reports ENOSPC (as fs.WriteStream's 'error' does).
    full = true;
    logFailed!(enospc());
    setTimeout(() => (full = false), 700);
    const r = await done;
    assert.deepEqual(b.killed, ['a'], 'the running container is stopped');
    assert.equal(r.state, 'failed');
    assert.match(r.reason ?? '', /runs folder stopped taking writes \(ENOSPC\)/);
    assert.equal(r.tasks.b!.state, 'cancelled');
    assert.match(notes.join('\n'), /Cannot write this run's record or logs \(ENOSPC\)/);
    assert.equal(writes.at(-1)!.state, 'failed', 'the final record is written once there is room');
  });
});
