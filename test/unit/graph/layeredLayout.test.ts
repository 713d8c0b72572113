import assert from 'node:assert/strict';
import type { DagGraph } from '../../../src/dag/graph';
import { layeredLayout } from '../../../src/graph/layeredLayout';
import { usesLayeredLayout, type GraphLayout, type NodeBox } from '../../../src/graph/layout';
import { generatedGraph } from '../../support/graphPage';

function graphOf(edges: Array<[string, string]>, ids?: string[]): DagGraph {
  const names = ids ?? [...new Set(edges.flat())];
  return {
    dag: 'g',
    nodes: names.map((id) => ({ id, image: 'busybox', triggerRule: 'all_success', retries: 0 })),
    edges: edges.map(([from, to]) => ({ from, to })),
  };
}

const box = (l: GraphLayout, id: string): NodeBox => l.nodes.find((n) => n.id === id)!;

/** Pairs of edges between the same two layers whose ends are in opposite orders. */
function crossings(l: GraphLayout): number {
  const segs = l.edges.map((e) => [e.points[0]!, e.points.at(-1)!] as const);
  let c = 0;
  for (let i = 0; i < segs.length; i++)
    for (let j = i + 1; j < segs.length; j++) {
      const [a, b] = segs[i]!;
      const [p, q] = segs[j]!;
      if (a.x !== p.x || b.x !== q.x) continue;
      if ((a.y - p.y) * (b.y - q.y) < 0) c++;
    }
  return c;
}

describe('the layered layout of large graphs', () => {
  for (const direction of ['RIGHT', 'DOWN'] as const) {
    it(`puts every task after its upstream tasks, with no two tasks overlapping (${direction})`, () => {
      const g = generatedGraph(400, 7);
      const l = layeredLayout(g, direction);
      assert.equal(l.nodes.length, 400);
      const along = (b: NodeBox) => (direction === 'RIGHT' ? b.x : b.y);
      const end = (b: NodeBox) => (direction === 'RIGHT' ? b.x + b.width : b.y + b.height);
      for (const e of g.edges) assert.ok(along(box(l, e.to)) > end(box(l, e.from)), `${e.from} → ${e.to}`);
      const sorted = [...l.nodes].sort((a, b) => a.x - b.x || a.y - b.y);
      for (let i = 0; i < sorted.length; i++)
        for (let j = i + 1; j < sorted.length && sorted[j]!.x < sorted[i]!.x + sorted[i]!.width; j++) {
          const a = sorted[i]!;
          const b = sorted[j]!;
          const apart = b.y >= a.y + a.height || a.y >= b.y + b.height || b.x >= a.x + a.width;
          assert.ok(apart, `${a.id} and ${b.id} overlap`);
        }
      for (const b of l.nodes) {
        assert.ok(b.x >= 0 && b.y >= 0 && b.x + b.width <= l.width + 0.5 && b.y + b.height <= l.height + 0.5);
      }
    });
  }

  it('routes an edge that skips layers through a lane in each, clear of the tasks there', () => {
    const l = layeredLayout(
      graphOf([
        ['a', 'b'],
        ['b', 'c'],
        ['a', 'c'],
      ]),
      'RIGHT',
    );
    const skip = l.edges.find((e) => e.from === 'a' && e.to === 'c')!;
    assert.equal(skip.points.length, 4, 'in, through the middle layer, out');
    const b = box(l, 'b');
    const [, enter, leave] = skip.points;
    assert.equal(enter!.x, b.x);
    assert.equal(enter!.y, leave!.y, 'straight through the layer');
    assert.ok(enter!.y < b.y || enter!.y > b.y + b.height, 'not through task b');
  });

  it('orders each layer by the tasks upstream, so a file written out of order draws without crossings', () => {
    const l = layeredLayout(
      graphOf(
        [
          ['s1', 't1'],
          ['s2', 't2'],
          ['s3', 't3'],
          ['t1', 'u1'],
          ['t3', 'u3'],
        ],
        ['s1', 's2', 's3', 'u3', 't3', 't2', 'u1', 't1'],
      ),
      'RIGHT',
    );
    assert.equal(crossings(l), 0);
    assert.ok(box(l, 't1').y < box(l, 't2').y && box(l, 't2').y < box(l, 't3').y);
  });

  it('lays out a chain of 50,000 tasks (no recursion to overflow the stack)', () => {
    const ids = Array.from({ length: 50_000 }, (_, i) => `t${i}`);
    const l = layeredLayout(
      graphOf(
        ids.slice(1).map((id, i) => [ids[i]!, id]),
        ids,
      ),
      'DOWN',
    );
    assert.equal(l.nodes.length, 50_000);
    assert.ok(box(l, 't49999').y > box(l, 't0').y);
  });

  it('takes over from elkjs above 300 tasks, unless the graph has groups (up to 3,000 tasks)', () => {
    assert.equal(usesLayeredLayout(generatedGraph(300)), false);
    assert.equal(usesLayeredLayout(generatedGraph(301)), true);
    const grouped = { ...generatedGraph(2000), groups: [{ id: 'g' }] } as DagGraph;
    assert.equal(usesLayeredLayout(grouped), false);
    assert.equal(usesLayeredLayout({ ...generatedGraph(3001), groups: [{ id: 'g' }] } as DagGraph), true);
  });
});
