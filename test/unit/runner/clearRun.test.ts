import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeDag } from '../../../src/dag/analyze';
import type { AttemptSpec } from '../../../src/runner/backend';
import { downstreamOf } from '../../../src/runner/rerunSelection';
import { RunLauncher, type Connect } from '../../../src/runner/runLauncher';
import { RunStore } from '../../../src/runner/runStore';
import { ok } from '../../../src/util/errorable';
import { ScriptedBackend } from '../../support/scriptedBackend';

const DAY = { start: new Date('2024-01-01T00:00:00Z'), end: new Date('2024-01-02T00:00:00Z') };

/** A launcher on a scripted backend where each task fails on the tries listed for it, else succeeds. */
function setUp(yaml: string, failing: Record<string, number[]>) {
  const dir = mkdtempSync(join(tmpdir(), 'cdag-clear-'));
  const file = join(dir, 'clear.dag.yaml');
  writeFileSync(file, yaml);
  const a = analyzeDag(yaml, file);
  assert.ok(a.dag && !a.hasErrors, JSON.stringify(a.problems));
  const fails = new Map(Object.entries(failing));
  const backend = new ScriptedBackend((s: AttemptSpec) => ({
    code: (fails.get(s.rendered.task.id) ?? []).includes(s.tryNumber) ? 1 : 0,
    ms: 2,
  }));
  const connect: Connect = async () => ok({ backend, secretValues: {} });
  const store = new RunStore(join(dir, 'runs'));
  const launcher = new RunLauncher(store, connect);
  const prepare = async () => {
    const p = await launcher.prepare({ dag: a.dag!, file, text: yaml, backend: 'docker', intervals: [DAY], env: {} });
    assert.ok(p.succeeded);
    return p.result;
  };
  return { dag: a.dag, store, launcher, prepare, done: () => rmSync(dir, { recursive: true, force: true }) };
}

const CHAIN = `dag: chain
schedule: '@daily'
tasks:
  a: {image: x, command: ['0']}
  b: {image: x, command: ['0'], depends_on: [a]}
  c: {image: x, command: ['0'], depends_on: [b]}
`;

describe('Clear: re-running tasks inside the same run, as Airflow does', () => {
  it('gives a failed task and its downstream a new try in the same run, keeps the earlier attempt and its log, and recomputes the run’s state', async () => {
    const t = setUp(CHAIN, { b: [1] });
    try {
      const p = await t.prepare();
      const [first] = await t.launcher.start(p, { intervals: [DAY] });
      assert.equal(first!.state, 'failed');
      assert.equal(first!.tasks.c!.state, 'upstream_failed');
      const only = downstreamOf(t.dag, 'b');
      const [cleared] = await t.launcher.start(await t.prepare(), { intervals: [DAY], only, clear: first });
      assert.equal(cleared!.run_id, first!.run_id, 'the same run');
      assert.equal(cleared!.state, 'success');
      assert.equal(cleared!.cleared_at?.length, 1);
      const b = cleared!.tasks.b!;
      assert.equal(b.tries, 2);
      assert.deepEqual(
        b.attempts.map((x) => [x.try, x.state]),
        [
          [1, 'failed'],
          [2, 'success'],
        ],
      );
      assert.deepEqual(
        cleared!.tasks.c!.attempts.map((x) => [x.try, x.state]),
        [[1, 'success']],
      );
      // What was not cleared is as it was: a's one attempt, not run again.
      assert.deepEqual(cleared!.tasks.a, first!.tasks.a);
      assert.ok(!t.launcher.isLive(cleared!));
      // One run in the store, both of b's logs in its folder.
      const runs = t.store.list();
      assert.deepEqual(
        runs.map((r) => [r.run_id, r.state]),
        [[first!.run_id, 'success']],
      );
      for (const log of ['1.log', '2.log']) assert.ok(existsSync(join(t.store.runDir(first!.run_id), 'b', log)), log);
    } finally {
      t.done();
    }
  });

  it('clears a task that succeeded (a new try, its upstream untouched), and a second Clear adds a third try', async () => {
    const t = setUp(CHAIN, {});
    try {
      const [first] = await t.launcher.start(await t.prepare(), { intervals: [DAY] });
      const only = new Set(['b']);
      const [once] = await t.launcher.start(await t.prepare(), { intervals: [DAY], only, clear: first });
      const [twice] = await t.launcher.start(await t.prepare(), { intervals: [DAY], only, clear: once });
      assert.equal(twice!.run_id, first!.run_id);
      assert.deepEqual(
        twice!.tasks.b!.attempts.map((x) => x.try),
        [1, 2, 3],
      );
      assert.equal(twice!.tasks.c!.tries, 1, 'without --downstream, c is not cleared');
      assert.equal(twice!.cleared_at?.length, 2);
    } finally {
      t.done();
    }
  });

  it('clears one instance of a mapped task: it gets a new try after its failed one while its siblings keep theirs', async () => {
    const yaml = `dag: mapped
tasks:
  each:
    image: x
    command: ['0']
    expand: {n: [1, 2, 3]}
`;
    const t = setUp(yaml, { 'each[1]': [1] });
    try {
      const [first] = await t.launcher.start(await t.prepare(), { intervals: [DAY] });
      assert.equal(first!.tasks['each[1]']!.state, 'failed');
      assert.equal(first!.state, 'failed');
      const [cleared] = await t.launcher.start(await t.prepare(), {
        intervals: [DAY],
        only: new Set(['each[1]']),
        clear: first,
      });
      assert.equal(cleared!.run_id, first!.run_id);
      assert.deepEqual(
        cleared!.tasks['each[1]']!.attempts.map((x) => [x.try, x.state]),
        [
          [1, 'failed'],
          [2, 'success'],
        ],
      );
      assert.deepEqual(cleared!.tasks['each[0]'], first!.tasks['each[0]']);
      assert.deepEqual(cleared!.tasks['each[2]'], first!.tasks['each[2]']);
      assert.equal(cleared!.state, 'success');
    } finally {
      t.done();
    }
  });
});
