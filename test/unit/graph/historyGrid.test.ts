import assert from 'node:assert/strict';
import { analyzeDag } from '../../../src/dag/analyze';
import { toGraph } from '../../../src/dag/graph';
import { ganttOf } from '../../../src/graph/gantt';
import { historyRows, historyRun, historyRuns, topologicalOrder } from '../../../src/graph/historyGrid';
import type { RunRecord, TaskRecord } from '../../../src/protocol/runRecord';

const YAML = `dag: h
groups:
  load: {}
  load.eu: {}
tasks:
  report: {image: x, depends_on: [sink]}
  fetch: {image: x, expand: {n: [1, 2]}}
  clean: {image: x, depends_on: [fetch], group: load}
  sink: {image: x, depends_on: [clean, eu_sink], group: load}
  eu_sink: {image: x, depends_on: [fetch], group: load.eu}
  __proto__: {image: x}
`;
const graph = toGraph(analyzeDag(YAML).dag!);

const at = (s: number) => new Date(Date.UTC(2024, 0, 1, 0, 0, s)).toISOString();
const task = (state: TaskRecord['state'], from: number, to: number, extra: Partial<TaskRecord> = {}): TaskRecord => ({
  state,
  tries: 1,
  attempts: [{ try: 1, state, started_at: at(from), ended_at: at(to) }],
  ...extra,
});

function record(id: string, started: number, tasks: Record<string, TaskRecord>): RunRecord {
  return {
    version: 1,
    run_id: id,
    dag: 'h',
    file: '/w/h.dag.yaml',
    logical_date: '2024-01-01T00:00:00+00:00',
    data_interval_end: '2024-01-02T00:00:00+00:00',
    backend: 'docker',
    params: {},
    state: 'success',
    started_at: at(started),
    ended_at: at(100),
    tasks,
  };
}

describe('the History grid’s rows and columns, and the Gantt of a run', () => {
  it('orders tasks topologically, ties in file order', () => {
    assert.deepEqual(topologicalOrder(graph), ['fetch', 'clean', 'eu_sink', 'sink', 'report', '__proto__']);
  });

  it('keeps each group’s tasks under its row at its first task’s place, inner groups nested, and a row per instance any run made', () => {
    const r = record('r', 0, { fetch: { state: 'success', tries: 0, attempts: [], instances: 2 } });
    const rows = historyRows(graph, [r]);
    assert.deepEqual(
      rows.map((x) => `${'  '.repeat(x.depth)}${x.kind} ${x.id}${x.parent ? ` <${x.parent}` : ''}`),
      [
        'task fetch',
        '  instance fetch[0] <fetch',
        '  instance fetch[1] <fetch',
        'group load',
        '  task clean <load',
        '  group load.eu <load',
        '    task eu_sink <load.eu',
        '  task sink <load',
        'task report',
        'task __proto__',
      ],
    );
    assert.equal(rows.find((x) => x.id === 'fetch')?.mapped, true);
    assert.equal(rows.find((x) => x.id === 'load.eu')?.label, 'eu');
  });

  it('makes a run a column of cells (tasks, instances, groups), a task named __proto__ among them, and keeps the last N runs oldest first', () => {
    // As the run store reads it: JSON, where `__proto__` is an own key.
    const r = record(
      'r2',
      5,
      JSON.parse(
        `{"__proto__": ${JSON.stringify(task('failed', 1, 2, { exit_code: 3, reason: 'exit code 3' }))}, "fetch": ${JSON.stringify(task('success', 0, 1))}}`,
      ) as Record<string, TaskRecord>,
    );
    r.groups = { load: { state: 'upstream_failed', tasks: ['clean', 'sink', 'eu_sink'] } };
    const col = historyRun(r);
    assert.equal(Object.getOwnPropertyDescriptor(col.cells, '__proto__')?.value.state, 'failed');
    assert.equal(col.cells['load']!.state, 'upstream_failed');
    const runs = [record('r3', 9, {}), r, record('r1', 1, {}), { ...record('x', 2, {}), file: '/w/other.dag.yaml' }];
    assert.deepEqual(
      historyRuns(runs, '/w/h.dag.yaml', 2).map((x) => x.run_id),
      ['r2', 'r3'],
    );
  });

  it('draws a bar per attempt, queued from its upstream’s end (or the previous try’s), and marks the chain that ended last as critical', () => {
    const r = record('g', 0, {
      fetch: { state: 'success', tries: 0, attempts: [], instances: 2 },
      'fetch[0]': task('success', 0, 10),
      'fetch[1]': task('success', 0, 20),
      clean: task('success', 25, 30),
      eu_sink: {
        state: 'success',
        tries: 2,
        attempts: [
          { try: 1, state: 'failed', started_at: at(21), ended_at: at(22) },
          { try: 2, state: 'success', started_at: at(40), ended_at: at(50) },
        ],
      },
      sink: task('success', 55, 60),
      report: task('success', 61, 70),
    });
    const g = ganttOf(historyRun(r), graph.edges, Date.parse(at(100)));
    const bar = (id: string, t = 1) => g.bars.find((b) => b.id === id && b.try === t)!;
    assert.deepEqual(
      [bar('clean').queuedFrom, bar('clean').start],
      [20_000, 25_000],
      'ready when fetch’s last instance ended',
    );
    assert.deepEqual(
      [bar('eu_sink', 2).queuedFrom, bar('eu_sink', 2).start],
      [22_000, 40_000],
      'a retry waits from its previous try',
    );
    assert.equal(g.span, 100_000);
    assert.deepEqual([...g.critical], ['report', 'sink', 'eu_sink', 'fetch']);
  });
});
