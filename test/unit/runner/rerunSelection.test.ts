import assert from 'node:assert/strict';
import { analyzeDag } from '../../../src/dag/analyze';
import type { Dag } from '../../../src/dag/model';
import type { RunRecord } from '../../../src/protocol/runRecord';
import type { AttemptSpec } from '../../../src/runner/backend';
import { RunEngine } from '../../../src/runner/engine';
import {
  downstreamOf,
  failedSelection,
  isSelectable,
  keepOutside,
  latestEndedRun,
  unknownInstance,
  upstreamOf,
  widenSelection,
} from '../../../src/runner/rerunSelection';
import { DAY_INTERVAL, discardingSink, ScriptedBackend, type Script } from '../../support/scriptedBackend';

const YAML = `tasks:
  list: {image: x, outputs: [days]}
  fetch: {image: x, depends_on: [list], expand: {day: "{{ tasks.list.outputs.days }}"}, args: ["{{ item.day }}"], outputs: [rows]}
  total: {image: x, depends_on: [fetch], args: ["{{ tasks.fetch.outputs.rows | sum }}"]}
  other: {image: x}
`;
const dag: Dag = analyzeDag(YAML).dag!;
const sink = discardingSink;
const interval = DAY_INTERVAL;

/** Runs the DAG; `fail` names the days whose fetch fails. Returns the record and what started, with args. */
async function run(
  fail: readonly string[],
  o: { only?: Set<string>; previous?: RunRecord; rows?: number } = {},
): Promise<{ record: RunRecord; started: string[] }> {
  const started: string[] = [];
  const backend = new ScriptedBackend((spec: AttemptSpec): Script => {
    const id = spec.rendered.task.id;
    started.push(`${id} ${(spec.rendered.args ?? []).join(' ')}`.trim());
    if (id === 'list') return { code: 0, ms: 1, output: { kind: 'text', text: '{"days": ["mon", "tue", "wed"]}' } };
    if (id.startsWith('fetch[')) {
      const day = spec.rendered.args![0]!;
      if (fail.includes(day)) return { code: 1, ms: 1 };
      return { code: 0, ms: 1, output: { kind: 'text', text: `{"rows": ${o.rows ?? 1}}` } };
    }
    return { code: 0, ms: 1 };
  });
  const engine = new RunEngine({
    dag,
    runId: 'r',
    interval,
    backend,
    sink,
    sleep: async () => undefined,
    ...(o.only ? { only: o.only } : {}),
    ...(o.previous ? { previous: o.previous } : {}),
  });
  return { record: await engine.start(), started: started.sort() };
}

describe('re-running part of a run with mapped tasks', () => {
  it('re-runs only the failed instances of a failed run, keeping the ones that succeeded and their outputs', async () => {
    const first = await run(['tue']);
    assert.equal(first.record.state, 'failed');
    const again = await run([], { previous: first.record, rows: 5 });
    assert.deepEqual(again.started, ['fetch[1] tue', 'total 7']);
    assert.equal(again.record.state, 'success');
    assert.equal(again.record.tasks['fetch[0]']!.attempts.length, 1);
    assert.deepEqual([...(again.record.tasks.fetch!.outputs!.rows as number[])], [1, 5, 1]);
  });

  it('re-runs one instance alone (fetch[2]), its siblings and the rest kept from the previous run', async () => {
    const first = await run([]);
    const only = new Set(['fetch[2]']);
    const again = await run([], { only, previous: keepOutside(dag, first.record, only), rows: 4 });
    assert.deepEqual(again.started, ['fetch[2] wed']);
    assert.equal(again.record.state, 'success');
    assert.equal(again.record.tasks.fetch!.instances, 3);
    assert.deepEqual([...(again.record.tasks.fetch!.outputs!.rows as number[])], [1, 1, 4]);
    assert.equal(again.record.tasks.total!.attempts.length, 1, 'total kept from the first run');
  });

  it('re-runs from an instance: it and every task downstream of its task, nothing else', async () => {
    const first = await run(['mon']);
    const only = downstreamOf(dag, 'fetch[0]');
    assert.deepEqual([...only].sort(), ['fetch[0]', 'total']);
    const again = await run([], { only, previous: keepOutside(dag, first.record, only) });
    assert.deepEqual(again.started, ['fetch[0] mon', 'total 3']);
    assert.equal(again.record.state, 'success');
  });

  it('re-runs every instance when the whole mapped task is selected', async () => {
    const first = await run([]);
    const only = new Set(['fetch']);
    const again = await run([], { only, previous: keepOutside(dag, first.record, only) });
    assert.deepEqual(again.started, ['fetch[0] mon', 'fetch[1] tue', 'fetch[2] wed']);
  });

  it('keeps a failed instance the selection left out, so the task stays failed', async () => {
    const first = await run(['mon', 'tue']);
    const only = new Set(['fetch[1]']);
    const again = await run([], { only, previous: keepOutside(dag, first.record, only) });
    assert.deepEqual(again.started, ['fetch[1] tue']);
    assert.equal(again.record.tasks['fetch[0]']!.state, 'failed');
    assert.equal(again.record.tasks.fetch!.state, 'failed');
  });

  it('knows instances only of mapped tasks, and finds the newest ended run of a file and logical date (to the hour)', () => {
    assert.ok(isSelectable(dag, 'fetch[7]'));
    assert.ok(!isSelectable(dag, 'other[0]'));
    assert.ok(!isSelectable(dag, 'nope'));
    const r = (id: string, at: string, ended: boolean) =>
      ({ run_id: id, file: '/f', logical_date: at, ...(ended ? { ended_at: 'x' } : {}) }) as RunRecord;
    const runs = [
      r('live', '2024-01-02T05:00:00+00:00', false),
      r('other-hour', '2024-01-02T23:00:00+00:00', true),
      r('b', '2024-01-02T05:00:00+00:00', true),
      r('a', '2024-01-02T05:00:00+00:00', true),
    ];
    assert.equal(latestEndedRun(runs, '/f', new Date('2024-01-02T05:00:00Z'))?.run_id, 'b');
    assert.equal(latestEndedRun(runs, '/f', new Date('2024-01-02T06:00:00Z')), undefined, 'another hour of the day');
    assert.equal(latestEndedRun(runs, '/g', new Date('2024-01-02T05:00:00Z')), undefined);
  });

  it('refuses an instance no ended run made: none of that date, or an index past its instances', async () => {
    const first = await run([]);
    assert.equal(unknownInstance(dag, new Set(['fetch[2]', 'total']), first.record), undefined);
    assert.deepEqual(unknownInstance(dag, new Set(['fetch[3]']), first.record), {
      id: 'fetch[3]',
      task: 'fetch',
      made: 3,
    });
    assert.deepEqual(unknownInstance(dag, new Set(['fetch[0]']), undefined), { id: 'fetch[0]', task: 'fetch' });
  });

  it('selects for Re-run Failed Tasks the failed instances (not their task) and the failed or upstream-failed tasks; nothing after a success', async () => {
    const { record } = await run(['tue']);
    assert.deepEqual([...failedSelection(record)].sort(), ['fetch[1]', 'total']);
    const ok = await run([]);
    assert.equal(failedSelection(ok.record).size, 0);
  });

  it('widens a Clear with what is upstream and/or downstream of the selection, as Airflow’s Clear does', () => {
    assert.deepEqual([...upstreamOf(dag, 'total')].sort(), ['fetch', 'list', 'total']);
    assert.deepEqual([...upstreamOf(dag, 'fetch[1]')].sort(), ['fetch[1]', 'list']);
    const none = { downstream: false, upstream: false };
    assert.deepEqual([...widenSelection(dag, ['fetch'], none)], ['fetch']);
    assert.deepEqual([...widenSelection(dag, ['fetch'], { ...none, downstream: true })].sort(), ['fetch', 'total']);
    assert.deepEqual([...widenSelection(dag, ['fetch'], { downstream: true, upstream: true })].sort(), [
      'fetch',
      'list',
      'total',
    ]);
  });
});
