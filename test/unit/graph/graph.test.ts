import assert from 'node:assert/strict';
import ELK from 'elkjs/lib/elk.bundled.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main, type Io } from '../../../src/cli/main';
import { analyzeDag } from '../../../src/dag/analyze';
import { toGraph, type DagGraph } from '../../../src/dag/graph';
import { drawGraph, drawNode, svgDocument, toMarkup, type SvgNode } from '../../../src/graph/draw';
import { layoutGraph, structureKey, type NodeBox } from '../../../src/graph/layout';
import { GRAPH_CSS } from '../../../src/graph/styles';
import { taskViews } from '../../../src/graph/taskViews';
import type { RunRecord } from '../../../src/protocol/runRecord';
import { FIXTURES } from '../helpers';

const MOVIELENS = join(FIXTURES, 'valid', 'movielens.dag.yaml');
const movielens = (): DagGraph => toGraph(analyzeDag(readFileSync(MOVIELENS, 'utf8'), MOVIELENS).dag!);
const elk = new ELK();

const overlap = (a: NodeBox, b: NodeBox) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

function diamond(n: number): DagGraph {
  const nodes = Array.from({ length: n }, (_, i) => ({
    id: `t${i}`,
    image: 'x',
    triggerRule: 'all_success',
    retries: 0,
  }));
  const edges = nodes.slice(1, -1).flatMap((x) => [
    { from: 't0', to: x.id },
    { from: x.id, to: `t${n - 1}` },
  ]);
  return { dag: 'd', nodes, edges };
}

describe('graph layout (elkjs layered)', () => {
  it('places every task in a box of its own, upstream before downstream along the direction', async () => {
    for (const direction of ['RIGHT', 'DOWN'] as const) {
      const g = diamond(12);
      const l = await layoutGraph(g, direction, elk);
      assert.equal(l.nodes.length, 12);
      for (let i = 0; i < l.nodes.length; i++)
        for (let j = i + 1; j < l.nodes.length; j++) assert.ok(!overlap(l.nodes[i]!, l.nodes[j]!));
      const at = new Map(l.nodes.map((n) => [n.id, n]));
      for (const e of g.edges) {
        const a = at.get(e.from)!;
        const b = at.get(e.to)!;
        if (direction === 'RIGHT') assert.ok(a.x + a.width <= b.x, `${e.from} left of ${e.to}`);
        else assert.ok(a.y + a.height <= b.y, `${e.from} above ${e.to}`);
      }
      assert.equal(l.edges.length, g.edges.length);
    }
  });

  it('changes its structure key for a new task, dependency, image or direction, never for anything else', () => {
    const g = movielens();
    const k = structureKey(g, 'RIGHT');
    assert.equal(structureKey({ ...g, nodes: g.nodes.map((n) => ({ ...n, retries: 9 })) }, 'RIGHT'), k);
    assert.notEqual(structureKey(g, 'DOWN'), k);
    assert.notEqual(structureKey({ ...g, edges: [] }, 'RIGHT'), k);
    assert.notEqual(structureKey({ ...g, nodes: g.nodes.map((n) => ({ ...n, image: 'other' })) }, 'RIGHT'), k);
  });
});

describe('graph drawing', () => {
  it('draws a task as a <g data-task> whose first child rect is the node box', () => {
    const n = drawNode(
      { id: 'a', image: 'reg/x:1', triggerRule: 'all_success', retries: 0 },
      { id: 'a', x: 5, y: 6, width: 100, height: 46 },
    );
    assert.equal(n.attrs['data-task'], 'a');
    assert.equal(n.children![0]!.tag, 'rect');
    assert.deepEqual(n.children![0]!.attrs, { width: 100, height: 46, rx: 6 });
  });

  it('escapes text and attributes when written as markup, so a task id can never become an element', () => {
    const node: SvgNode = {
      tag: 'g',
      attrs: { 'data-task': '"><script>' },
      children: [{ tag: 'text', attrs: {}, text: '<img src=x onerror=alert(1)>' }],
    };
    assert.equal(
      toMarkup(node),
      '<g data-task="&quot;&gt;&lt;script&gt;"><text>&lt;img src=x onerror=alert(1)&gt;</text></g>',
    );
  });

  it('shows a run: state class and icon per task, attempt, duration, exit code and reason in the tooltip', () => {
    const record: RunRecord = {
      version: 1,
      run_id: 'r',
      dag: 'movielens',
      logical_date: '2019-01-01T00:00:00Z',
      data_interval_end: '2019-01-02T00:00:00Z',
      backend: 'docker',
      params: {},
      state: 'failed',
      tasks: {
        fetch_ratings: {
          state: 'failed',
          tries: 2,
          exit_code: 1,
          reason: 'exit code 1',
          attempts: [{ try: 2, state: 'failed', started_at: '2019-01-02T00:00:00Z', ended_at: '2019-01-02T00:01:05Z' }],
          ended_at: '2019-01-02T00:01:05Z',
        },
        rank_movies: { state: 'upstream_failed', tries: 0, attempts: [] },
      },
    };
    const g = movielens();
    const layout = {
      width: 100,
      height: 100,
      direction: 'RIGHT' as const,
      nodes: g.nodes.map((n, i) => ({ id: n.id, x: i * 200, y: 0, width: 150, height: 46 })),
      edges: [],
    };
    const markup = toMarkup(drawGraph(g, layout, taskViews(record)));
    assert.match(markup, /<g class="node state-failed" data-task="fetch_ratings"/);
    assert.match(markup, /<title>fetch_ratings\n[^<]*failed · try 2 · 1m 5s\nexit code 1\nexit code 1<\/title>/);
    assert.match(markup, /<g class="node state-upstream_failed" data-task="rank_movies"/);
  });
});

describe('cdag graph --format svg', () => {
  async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const io: Io = { out: (s) => (out += s), err: (s) => (err += s), readFile: (p) => readFileSync(p, 'utf8') };
    const code = await main(args, io);
    return { code, out, err };
  }

  it('writes the same layout and drawing as the panel: a <g data-task> per task, its first <rect> the box', async () => {
    const r = await run(['graph', MOVIELENS, '--format', 'svg']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    const g = movielens();
    const expected = svgDocument(g, await layoutGraph(g, 'RIGHT', elk), GRAPH_CSS);
    assert.equal(r.out, expected);
    for (const n of g.nodes)
      assert.match(
        r.out,
        new RegExp(
          `<g class="node" data-task="${n.id}" transform="translate\\([\\d.]+ [\\d.]+\\)"><rect width="\\d+" height="46"`,
        ),
      );
  });

  it('colours the nodes from a run record given with --record, and refuses a file that is not one', async () => {
    const record = join(tmpdir(), `cdag-record-${process.pid}.json`);
    writeFileSync(record, JSON.stringify({ tasks: { fetch_ratings: { state: 'success', tries: 1, attempts: [] } } }));
    const ok = await run(['graph', MOVIELENS, '--format', 'svg', '--record', record]);
    assert.equal(ok.code, 0, ok.err);
    assert.match(ok.out, /<g class="node state-success" data-task="fetch_ratings"/);
    writeFileSync(record, 'not json');
    const bad = await run(['graph', MOVIELENS, '--format', 'svg', '--record', record]);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /not a run record.*cdag run --json/);
  });

  it('refuses an unknown format or direction with usage (exit 2)', async () => {
    assert.equal((await run(['graph', MOVIELENS, '--format', 'png'])).code, 2);
    assert.equal((await run(['graph', MOVIELENS, '--format', 'svg', '--direction', 'UP'])).code, 2);
  });
});
