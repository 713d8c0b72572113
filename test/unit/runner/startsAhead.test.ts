import assert from 'node:assert/strict';
import type { Dag } from '../../../src/dag/model';
import type { RunEvent } from '../../../src/protocol/runEvents';
import { RunEngine } from '../../../src/runner/engine';
import { readsOutputs } from '../../../src/runner/startsAhead';
import {
  DAY_INTERVAL,
  dagOf,
  discardingSink,
  ScriptedBackend,
  scriptedCode,
  scriptedMs,
} from '../../support/scriptedBackend';

const code = scriptedCode;
const ms = scriptedMs;

function run(dag: Dag, backend: ScriptedBackend, extra: Partial<ConstructorParameters<typeof RunEngine>[0]> = {}) {
  const engine = new RunEngine({
    dag,
    runId: 'r1',
    interval: DAY_INTERVAL,
    backend,
    sink: discardingSink,
    sleep: async () => undefined,
    ...extra,
  });
  const events: RunEvent[] = [];
  engine.on((e) => events.push(e));
  return { engine, events, done: engine.start() };
}

describe('containers created ahead of their start', () => {
  it('creates the next container of a chain while its upstream runs, and starts that one', async () => {
    const b = new ScriptedBackend((s) => ({ code: code(s), ms: ms(s) })).preparing();
    const dag = dagOf(
      'tasks:\n  a: {image: x, command: [0, 30]}\n  b: {image: x, command: [0, 30], depends_on: [a]}\n  c: {image: x, command: [0, 5], depends_on: [b]}\n',
    );
    const r = await run(dag, b).done;
    assert.equal(r.state, 'success');
    assert.deepEqual(b.ahead!.prepared, ['b#1', 'c#1']);
    assert.deepEqual(b.ahead!.startedAhead, ['b#1', 'c#1']);
    assert.deepEqual(b.starts, ['a#1', 'b#1', 'c#1']);
    assert.deepEqual(b.ahead!.discarded, []);
  });

  it('removes a container created ahead when its upstream fails, before the run ends', async () => {
    const b = new ScriptedBackend((s) => ({ code: code(s), ms: ms(s) })).preparing();
    const dag = dagOf('tasks:\n  a: {image: x, command: [1, 20]}\n  b: {image: x, command: [0], depends_on: [a]}\n');
    const r = await run(dag, b).done;
    assert.equal(r.tasks.b!.state, 'upstream_failed');
    assert.deepEqual(b.ahead!.prepared, ['b#1']);
    assert.deepEqual(b.ahead!.discarded, ['b#1']);
    assert.deepEqual(b.starts, ['a#1']);
  });

  it('removes the containers created ahead when the run is cancelled', async () => {
    const b = new ScriptedBackend((s) => ({ code: code(s), ms: ms(s) })).preparing();
    const dag = dagOf('tasks:\n  a: {image: x, command: [0, 5000]}\n  b: {image: x, command: [0], depends_on: [a]}\n');
    const { engine, done } = run(dag, b);
    while (b.ahead!.prepared.length === 0) await new Promise((r) => setTimeout(r, 5));
    engine.cancel();
    const r = await done;
    assert.equal(r.state, 'cancelled');
    assert.deepEqual(b.ahead!.discarded, ['b#1']);
    assert.deepEqual(b.ahead!.startedAhead, []);
  });

  it('creates nothing ahead whose spec or start depends on more than its upstream succeeding', async () => {
    const b = new ScriptedBackend((s) => ({
      code: code(s),
      ms: ms(s),
      ...(s.rendered.task.id === 'a' ? { output: { kind: 'text' as const, text: '{"n": 3}' } } : {}),
    })).preparing();
    const dag = dagOf(
      [
        // Slots for all: nothing here waits for one, which would be created ahead too.
        'max_active_tasks: 16',
        'tasks:',
        '  a: {image: x, command: [0, 30], outputs: [n]}',
        '  slow: {image: x, command: [0, 200]}',
        '  reads: {image: x, command: [0], args: ["{{ tasks.a.outputs.n }}"], depends_on: [a]}',
        '  rule: {image: x, command: [0], depends_on: [a], trigger_rule: all_done}',
        '  both: {image: x, command: [0], depends_on: [a, slow]}',
        '  gated: {image: x, command: [0], depends_on: [a], when: "{{ params.go }}"}',
        '  fan: {image: x, command: [0], depends_on: [a], expand: {i: [1, 2]}}',
        '  plain: {image: x, command: [0], depends_on: [a]}',
        'params: {go: true}',
      ].join('\n'),
    );
    const r = await run(dag, b, {}).done;
    assert.deepEqual(b.ahead!.prepared, ['plain#1']);
    assert.equal(r.state, 'success');
    assert.deepEqual(b.ahead!.startedAhead, ['plain#1']);
  });

  it('takes a container created ahead only for the very attempt it was made for', async () => {
    const b = new ScriptedBackend((s) => ({ code: code(s), ms: ms(s) })).preparing();
    const dag = dagOf(
      'tasks:\n  a: {image: x, command: [0, 30]}\n  b: {image: x, command: [0], args: ["{{ params.v }}"], depends_on: [a]}\nparams: {v: one}\n',
    );
    const params: Record<string, unknown> = { v: 'one' };
    const { done } = run(dag, b, { params });
    // What the engine renders when b starts differs from what was created ahead: that container goes.
    while (b.ahead!.prepared.length === 0) await new Promise((r) => setTimeout(r, 2));
    params.v = 'two';
    const r = await done;
    assert.equal(r.state, 'success');
    assert.deepEqual(b.ahead!.discarded, ['b#1']);
    assert.deepEqual(b.ahead!.startedAhead, []);
  });

  it('ends the run only once finished containers are removed, and reports a removal that failed', async () => {
    const b = new ScriptedBackend((s) => ({ code: code(s), ms: ms(s) })).preparing();
    let removedLate = false;
    b.cleanupOf = async (key) => {
      if (key === 'a#1') throw new Error('device or resource busy');
      await new Promise((r) => setTimeout(r, 60));
      removedLate = true;
    };
    const dag = dagOf('tasks:\n  a: {image: x, command: [0, 5]}\n  b: {image: x, command: [0, 5], depends_on: [a]}\n');
    const { events, done } = run(dag, b);
    const r = await done;
    assert.ok(removedLate, 'the run ended before the removal of b did');
    assert.match(r.tasks.a!.attempts[0]!.cleanup_error ?? '', /c-a-1 could not be removed: device or resource busy/);
    assert.ok(events.some((e) => e.type === 'note' && /could not be removed/.test(e.message)));
    assert.equal(r.tasks.b!.attempts[0]!.cleanup_error, undefined);
    assert.equal(r.state, 'success');
  });

  it('creates the containers of ready tasks and instances that wait for a slot, within max_active_tasks', async () => {
    const b = new ScriptedBackend((s) => ({ code: code(s), ms: ms(s) })).preparing();
    const dag = dagOf(
      [
        'max_active_tasks: 2',
        'tasks:',
        '  a: {image: x, command: [0, 20]}',
        '  b: {image: x, command: [0, 20]}',
        '  c: {image: x, command: [0, 20]}',
        '  d: {image: x, command: [0, 20]}',
        '  m: {image: x, command: [0, 10], args: ["{{ item.n }}"], expand: {n: [1, 2, 3, 4]}, depends_on: [a, b, c, d]}',
      ].join('\n'),
    );
    const r = await run(dag, b).done;
    assert.equal(r.state, 'success');
    assert.equal(b.maxRunning, 2);
    // c and d waited for a slot; so did instances beyond the first two.
    assert.deepEqual(b.ahead!.prepared.slice(0, 2), ['c#1', 'd#1']);
    assert.ok(
      b.ahead!.startedAhead.includes('m[2]#1') && b.ahead!.startedAhead.includes('m[3]#1'),
      String(b.ahead!.startedAhead),
    );
    assert.deepEqual(b.ahead!.discarded, []);
    assert.equal(b.starts.length, 8);
  });

  it('tells which tasks read another task’s outputs', () => {
    const dag = dagOf(
      'tasks:\n  a: {image: x, outputs: [n]}\n  b: {image: x, env: {N: "{{ tasks.a.outputs.n }}"}, depends_on: [a]}\n  c: {image: "x:{{ ds }}", args: ["tasks.a.outputs.n"], depends_on: [a]}\n',
    );
    assert.deepEqual(
      dag.tasks.map((t) => [t.id, readsOutputs(t)]),
      [
        ['a', false],
        ['b', true],
        ['c', false],
      ],
    );
  });
});
