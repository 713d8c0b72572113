import assert from 'node:assert/strict';
import ELK from 'elkjs/lib/elk.bundled.js';
import { analyzeDag } from '../../../src/dag/analyze';
import { toGraph } from '../../../src/dag/graph';
import { drawGraph, toMarkup, tooltip } from '../../../src/graph/draw';
import { foldedViews, foldGroups } from '../../../src/graph/foldedGroups';
import { layoutGraph, structureKey, type NodeBox } from '../../../src/graph/layout';
import type { TaskView } from '../../../src/protocol/graphMessages';

const graph = toGraph(
  analyzeDag(
    `groups:
  extract: {description: Pull the raw data.}
tasks:
  start: {image: busybox}
  eu: {image: busybox, group: extract.eu, depends_on: [start]}
  us: {image: busybox, group: extract, depends_on: [start]}
  load: {image: busybox, depends_on: [extract]}
`,
    'g.dag.yaml',
  ).dag!,
);
const inside = (a: NodeBox, b: NodeBox) =>
  a.x >= b.x && a.y >= b.y && a.x + a.width <= b.x + b.width && a.y + a.height <= b.y + b.height;
const view = (state: TaskView['state']): TaskView => ({ state, tryNumber: 1 });

describe('task groups in the graph', () => {
  it('lays out each group as a box around its tasks, an inner group inside its outer one (elkjs compound layout)', async () => {
    assert.deepEqual(graph.groups, [
      { id: 'extract', description: 'Pull the raw data.' },
      { id: 'extract.eu', parent: 'extract' },
    ]);
    const layout = await layoutGraph(graph, 'RIGHT', new ELK());
    const box = (id: string) => layout.groups!.find((g) => g.id === id)!;
    const node = (id: string) => layout.nodes.find((n) => n.id === id)!;
    assert.ok(inside(node('eu'), box('extract.eu')));
    assert.ok(inside(box('extract.eu'), box('extract')));
    assert.ok(inside(node('us'), box('extract')));
    assert.ok(!inside(node('start'), box('extract')) && !inside(node('load'), box('extract')));
    // Edges in absolute coordinates: each ends at its target's box.
    for (const e of layout.edges) {
      const to = node(e.to);
      const last = e.points.at(-1)!;
      assert.ok(Math.abs(last.x - to.x) < 1 || Math.abs(last.y - to.y) < 1, `${e.from} → ${e.to} ends at its target`);
    }
    const markup = toMarkup(drawGraph(graph, layout, {}));
    assert.match(
      markup,
      /<g class="group-box" data-group="extract\.eu"[^>]*><rect [^>]*><\/rect><title>group extract\.eu<\/title><text[^>]*>eu<\/text><text[^>]*class="toggle"[^>]*>⊟<\/text>/,
    );
  });

  it('folds a group into one node with the group’s edges, an outer fold hiding the inner group', () => {
    const f = foldGroups(graph, new Set(['extract']));
    assert.deepEqual(
      f.nodes.map((n) => n.id),
      ['start', 'extract', 'load'],
    );
    assert.deepEqual(f.edges, [
      { from: 'start', to: 'extract' },
      { from: 'extract', to: 'load' },
    ]);
    assert.deepEqual(f.groups, []);
    assert.notEqual(structureKey(f, 'RIGHT'), structureKey(graph, 'RIGHT'));
    const inner = foldGroups(graph, new Set(['extract.eu']));
    assert.deepEqual(
      inner.nodes.map((n) => [n.id, n.group ?? null, !!n.folded]),
      [
        ['start', null, false],
        ['extract.eu', 'extract', true],
        ['us', 'extract', false],
        ['load', null, false],
      ],
    );
    assert.deepEqual(
      inner.groups!.map((g) => g.id),
      ['extract'],
    );
  });

  it('gives a folded group the state of its tasks with their counts, and says so on hover', () => {
    const f = foldGroups(graph, new Set(['extract']));
    const views = foldedViews(graph, f, { start: view('success'), eu: view('failed'), us: view('success') });
    assert.deepEqual(views.extract, { state: 'failed', tryNumber: 0, instances: 2, counts: { failed: 1, success: 1 } });
    const node = f.nodes.find((n) => n.id === 'extract')!;
    assert.equal(
      tooltip(node, views.extract),
      'group extract\n2 tasks: 1 failed, 1 success\nUnfold it with its ⊞ or +.',
    );
    assert.match(
      toMarkup(
        drawGraph(
          f,
          {
            width: 0,
            height: 0,
            direction: 'RIGHT',
            nodes: [{ id: 'extract', x: 0, y: 0, width: 200, height: 46 }],
            edges: [],
          },
          views,
        ),
      ),
      /class="counts toggle"[^>]*>⊞ ✘1 ✔1</,
    );
  });
});
