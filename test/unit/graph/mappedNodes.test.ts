import assert from 'node:assert/strict';
import type { DagGraph } from '../../../src/dag/graph';
import { drawNode, toMarkup, tooltip } from '../../../src/graph/draw';
import { countsText, countsWords, displayGraph } from '../../../src/graph/mappedNodes';
import { structureKey } from '../../../src/graph/layout';
import { taskViews } from '../../../src/graph/taskViews';
import type { RunRecord, TaskRecord } from '../../../src/protocol/runRecord';

const graph: DagGraph = {
  dag: 'd',
  nodes: [
    { id: 'list', image: 'alpine', triggerRule: 'all_success', retries: 0, outputs: ['days'] },
    { id: 'fetch', image: 'alpine', triggerRule: 'all_success', retries: 0, mapped: true, outputs: ['rows'] },
    { id: 'rank', image: 'alpine', triggerRule: 'all_success', retries: 0 },
  ],
  edges: [
    { from: 'list', to: 'fetch' },
    { from: 'fetch', to: 'rank' },
  ],
};

const task = (state: TaskRecord['state'], extra: Partial<TaskRecord> = {}): TaskRecord => ({
  state,
  tries: 1,
  attempts: [],
  ...extra,
});

const record: Pick<RunRecord, 'tasks'> = {
  tasks: {
    list: task('success', { outputs: { days: ['a', 'b', 'c'] } }),
    fetch: task('running', { instances: 3 }),
    'fetch[0]': task('success', { mapped_from: 'fetch', map_index: 0, item: { day: 'a' }, outputs: { rows: 10 } }),
    'fetch[1]': task('failed', { mapped_from: 'fetch', map_index: 1, item: { day: 'b' } }),
    'fetch[2]': task('running', { mapped_from: 'fetch', map_index: 2, item: { day: 'c' } }),
    rank: task('queued'),
  },
};

describe('mapped tasks in the graph', () => {
  it('counts a mapped task’s instances per state, failures first', () => {
    const views = taskViews(record);
    assert.equal(views.fetch!.instances, 3);
    assert.deepEqual(views.fetch!.counts, { success: 1, failed: 1, running: 1 });
    assert.equal(countsText(views.fetch), '×3 ✘1 ▶1 ✔1');
    assert.equal(countsWords(views.fetch), '3 instances: 1 failed, 1 running, 1 success');
    assert.equal(countsText(undefined), '×?');
  });

  it('stays one stacked node until opened, and opens into one node per instance with the task’s edges', () => {
    const views = taskViews(record);
    assert.equal(displayGraph(graph, views, new Set()), graph);
    const open = displayGraph(graph, views, new Set(['fetch']));
    assert.deepEqual(
      open.nodes.map((n) => n.id),
      ['list', 'fetch[0]', 'fetch[1]', 'fetch[2]', 'rank'],
    );
    const { mapped: _mapped, ...fetch } = graph.nodes[1]!;
    assert.deepEqual(open.nodes[2], { ...fetch, id: 'fetch[1]', instanceOf: 'fetch', mapIndex: 1 });
    assert.equal(open.edges.length, 6);
    assert.ok(open.edges.some((e) => e.from === 'list' && e.to === 'fetch[2]'));
    assert.ok(open.edges.some((e) => e.from === 'fetch[0]' && e.to === 'rank'));
    assert.notEqual(structureKey(open, 'RIGHT'), structureKey(graph, 'RIGHT'));
  });

  it('keeps a task folded when the run shown has not made its instances', () => {
    const before = taskViews({ tasks: { list: task('running'), fetch: task('queued'), rank: task('queued') } });
    assert.equal(displayGraph(graph, before, new Set(['fetch'])), graph);
    assert.equal(displayGraph(graph, {}, new Set(['fetch'])), graph);
  });

  it('draws a mapped node as a stack whose counts open it, keeping the node box the first rect', () => {
    const views = taskViews(record);
    const box = { id: 'fetch', x: 0, y: 0, width: 200, height: 46 };
    const markup = toMarkup(drawNode(graph.nodes[1]!, box, views.fetch));
    assert.match(markup, /^<g class="node mapped state-running"/);
    assert.equal((markup.match(/class="stack"/g) ?? []).length, 2);
    assert.match(markup, /<text [^>]*class="counts toggle"[^>]*>×3 ✘1 ▶1 ✔1<\/text>/);
    assert.ok(markup.indexOf('<rect') < markup.indexOf('class="counts'));
    const inst = displayGraph(graph, views, new Set(['fetch'])).nodes[1]!;
    const instMarkup = toMarkup(drawNode(inst, { ...box, id: inst.id }, views['fetch[0]']));
    assert.match(instMarkup, /class="node instance state-success" data-task="fetch\[0\]" data-instance-of="fetch"/);
    assert.match(instMarkup, /class="toggle"[^>]*>⊟</);
  });

  it('tells outputs, items and counts on hover, and the declared names before a run', () => {
    const views = taskViews(record);
    assert.match(tooltip(graph.nodes[0]!, views.list), /outputs\.days = \["a","b","c"\]/);
    assert.match(tooltip(graph.nodes[0]!, undefined), /outputs: days/);
    assert.match(tooltip(graph.nodes[1]!, views.fetch), /3 instances: 1 failed, 1 running, 1 success/);
    const inst = displayGraph(graph, views, new Set(['fetch'])).nodes[1]!;
    const hover = tooltip(inst, views['fetch[0]']);
    assert.match(hover, /item\.day = a/);
    assert.match(hover, /outputs\.rows = 10/);
  });

  it('cuts long and multi-line values to one short line', () => {
    const views = taskViews({ tasks: { list: task('success', { outputs: { days: 'x'.repeat(500), note: 'a\nb' } }) } });
    assert.equal(views.list!.outputs!.days!.length, 80);
    assert.equal(views.list!.outputs!.note, 'a ⏎ b');
  });

  it('joins two opened fan-outs of hundreds one instance to one, not every pair', () => {
    const g: DagGraph = {
      dag: 'd',
      nodes: [
        { id: 'a', image: 'x', triggerRule: 'all_success', retries: 0, mapped: true },
        { id: 'b', image: 'x', triggerRule: 'all_success', retries: 0, mapped: true },
      ],
      edges: [{ from: 'a', to: 'b' }],
    };
    const views = {
      a: { state: 'success' as const, tryNumber: 0, instances: 1000 },
      b: { state: 'running' as const, tryNumber: 0, instances: 600 },
    };
    const open = displayGraph(g, views, new Set(['a', 'b']));
    assert.equal(open.nodes.length, 1600);
    assert.equal(open.edges.length, 1000);
    assert.ok(new Set(open.edges.map((e) => e.to)).size === 600, 'every downstream instance keeps an edge');
    const small = displayGraph(
      g,
      { a: { ...views.a, instances: 3 }, b: { ...views.b, instances: 4 } },
      new Set(['a', 'b']),
    );
    assert.equal(small.edges.length, 12);
  });
});
