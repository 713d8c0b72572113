import type { HostToPage } from '../../../src/protocol/graphMessages';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../../src/cli/main';
import { analyzeDag } from '../../../src/dag/analyze';
import { toGraph, type DagGraph } from '../../../src/dag/graph';
import { ARTIFACTS } from '../../e2e/codeServer';
import { layeredLayout } from '../../../src/graph/layeredLayout';
import { GraphPage, generatedGraph, type DrawnNode, type Theme } from '../../support/graphPage';
import { readFileSync, readdirSync } from 'node:fs';

const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'valid');

function fixtureGraphs(): Array<[string, DagGraph]> {
  return readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.dag.yaml'))
    .map((f) => {
      const a = analyzeDag(readFileSync(join(FIXTURES, f), 'utf8'), f);
      return [f, toGraph(a.dag!)] as [string, DagGraph];
    })
    .filter(([, g]) => g.nodes.length > 0);
}

const overlap = (a: DrawnNode, b: DrawnNode) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

/** Whether a point lies on or inside a box (1 px of slack for rounding). */
const touches = (p: { x: number; y: number }, n: DrawnNode) =>
  p.x >= n.x - 1 && p.x <= n.x + n.width + 1 && p.y >= n.y - 1 && p.y <= n.y + n.height + 1;

function endpoints(d: string): [{ x: number; y: number }, { x: number; y: number }] {
  const nums = d.match(/-?[\d.]+/g)!.map(Number);
  return [
    { x: nums[0]!, y: nums[1]! },
    { x: nums[nums.length - 2]!, y: nums[nums.length - 1]! },
  ];
}

describe('the graph page in headless Chromium', function () {
  this.timeout(60_000);
  let p: GraphPage;

  before(async () => {
    p = await GraphPage.open('dark');
  });
  after(async () => p?.close());

  it('draws every fixture DAG with a node per task, no two boxes overlapping, and each edge from its upstream to its downstream node', async () => {
    const graphs = fixtureGraphs();
    assert.ok(graphs.length >= 3, 'the valid fixture corpus has DAGs to draw');
    for (const [name, g] of [...graphs, ['generated_60', generatedGraph(60)] as [string, DagGraph]]) {
      await p.graph(g);
      const nodes = await p.nodes();
      assert.deepEqual(nodes.map((n) => n.id).sort(), g.nodes.map((n) => n.id).sort(), name);
      for (let i = 0; i < nodes.length; i++)
        for (let j = i + 1; j < nodes.length; j++)
          assert.ok(!overlap(nodes[i]!, nodes[j]!), `${name}: ${nodes[i]!.id} overlaps ${nodes[j]!.id}`);
      const byId = new Map(nodes.map((n) => [n.id, n]));
      const edges = await p.edges();
      assert.deepEqual(
        edges.map((e) => `${e.from}->${e.to}`).sort(),
        g.edges.map((e) => `${e.from}->${e.to}`).sort(),
        name,
      );
      for (const e of edges) {
        const [start, end] = endpoints(e.d);
        assert.ok(touches(start, byId.get(e.from)!), `${name}: ${e.from}->${e.to} starts at its upstream node`);
        assert.ok(touches(end, byId.get(e.to)!), `${name}: ${e.from}->${e.to} ends at its downstream node`);
      }
    }
    assert.deepEqual(await p.pageCspViolations(), []);
  });

  it('draws the same layout as cdag graph --format svg (one layout and drawing code for both)', async () => {
    const file = join(__dirname, '..', '..', '..', 'examples', 'movielens', 'movielens.dag.yaml');
    let svg = '';
    const code = await main(['graph', file, '--format', 'svg'], {
      out: (t) => (svg += t),
      err: () => undefined,
      readFile: (f) => readFileSync(f, 'utf8'),
    });
    assert.equal(code, 0);
    const fromCli = [
      ...svg.matchAll(/data-task="([^"]+)" transform="translate\(([\d.]+) ([\d.]+)\)"><rect width="(\d+)"/g),
    ]
      .map((m) => [m[1], Number(m[2]), Number(m[3]), Number(m[4])])
      .sort();
    await p.graph(toGraph(analyzeDag(readFileSync(file, 'utf8'), file).dag!));
    const fromPage = (await p.nodes()).map((n) => [n.id, n.x, n.y, n.width]).sort();
    assert.ok(fromCli.length >= 2);
    assert.deepEqual(fromPage, fromCli);
  });

  it('recolours nodes for run states, with icon and tooltip, without laying out again', async () => {
    const g = generatedGraph(8);
    await p.graph(g);
    const before = await p.nodes();
    await p.page.evaluate(() => {
      (globalThis as unknown as { __marker: unknown }).__marker = 1;
    });
    await p.send({
      type: 'states',
      runId: 'r1',
      label: '2024-01-01 · running · docker',
      tasks: {
        task_0: {
          state: 'success',
          tryNumber: 1,
          startedAt: '2024-01-01T00:00:00Z',
          endedAt: '2024-01-01T00:00:07Z',
          exitCode: 0,
        },
        task_1: { state: 'failed', tryNumber: 2, exitCode: 3, reason: 'exit code 3' },
        task_2: { state: 'running', tryNumber: 1, startedAt: new Date().toISOString() },
        task_3: { state: 'up_for_retry', tryNumber: 1 },
        task_4: { state: 'upstream_failed', tryNumber: 0 },
        task_5: { state: 'skipped', tryNumber: 0 },
        task_6: { state: 'cancelled', tryNumber: 1 },
        task_7: { state: 'queued', tryNumber: 0 },
      },
    });
    const after = await p.nodes();
    const n = (id: string) => after.find((x) => x.id === id)!;
    assert.match(n('task_0').classes, /state-success/);
    assert.equal(n('task_0').icon, '✔');
    assert.match(n('task_0').title, /success · try 1 · 7s/);
    assert.match(n('task_1').classes, /state-failed/);
    assert.match(n('task_1').title, /exit code 3/);
    assert.match(n('task_2').classes, /state-running/);
    // Same positions: a state change never moves a node.
    assert.deepEqual(
      after.map((x) => [x.id, x.x, x.y]),
      before.map((x) => [x.id, x.x, x.y]),
    );
    const strokes = await p.page.$$eval('g[data-task] > rect', (els) =>
      (
        els as unknown as Array<{
          ownerDocument: { defaultView: { getComputedStyle(e: unknown): { stroke: string } } };
        }>
      ).map((e) => e.ownerDocument.defaultView.getComputedStyle(e).stroke),
    );
    assert.equal(new Set(strokes).size, 8, `each state has its own colour: ${strokes.join(', ')}`);
    await p.send({ type: 'states', runId: null, label: '', tasks: {} });
    assert.ok((await p.nodes()).every((x) => !/state-/.test(x.classes) && x.icon === ''));
  });

  it('colours the nodes with states that arrive while the graph is still being laid out (a graph opened after a run)', async () => {
    // A page that has drawn nothing yet.
    const fresh = await GraphPage.open('dark');
    try {
      const g = generatedGraph(7, 7);
      // As the host does on `ready`: the graph, then at once the newest run's states.
      const drawn = fresh.graph(g);
      await fresh.send({
        type: 'states',
        runId: 'done',
        label: '2024-01-01 · success · docker',
        tasks: Object.fromEntries(g.nodes.map((n) => [n.id, { state: 'success' as const, tryNumber: 1 }])),
      });
      await drawn;
      const nodes = await fresh.nodes();
      assert.equal(nodes.length, 7);
      for (const n of nodes) assert.match(n.classes, /state-success/, n.id);
    } finally {
      await fresh.close();
    }
  });

  it('shows a task id that looks like markup as text, creating no element and violating no policy (test 2)', async () => {
    const evil = '<img src=x onerror=alert(1)>';
    await p.graph({
      dag: 'x',
      nodes: [{ id: evil, image: '<b>img</b>', triggerRule: 'all_success', retries: 0 }],
      edges: [],
    });
    const nodes = await p.nodes();
    assert.equal(nodes[0]!.id, evil);
    assert.equal(await p.page.locator('svg#graph img, svg#graph b').count(), 0);
    assert.equal(await p.page.locator('svg#graph text', { hasText: evil }).count(), 1);
    assert.deepEqual(await p.pageCspViolations(), []);
  });

  it('draws and colours tasks named constructor, toString, __proto__ and valueOf, with states for only some of them', async () => {
    const errors: string[] = [];
    p.page.on('pageerror', (e) => errors.push(e.message));
    const ids = ['constructor', 'toString', '__proto__', 'valueOf'];
    await p.graph({
      dag: 'protos',
      nodes: ids.map((id) => ({ id, image: 'busybox', triggerRule: 'all_success', retries: 0 })),
      edges: ids.slice(1).map((id, i) => ({ from: ids[i]!, to: id })),
    });
    // A state message as the host sends it: JSON, so `__proto__` is an own key.
    await p.send(
      JSON.parse(
        '{"type":"states","runId":"r","label":"x","tasks":{"__proto__":{"state":"failed","tryNumber":1},"toString":{"state":"success","tryNumber":1}}}',
      ) as HostToPage,
    );
    const nodes = await p.nodes();
    const n = (id: string) => nodes.find((x) => x.id === id)!;
    assert.deepEqual(nodes.map((x) => x.id).sort(), [...ids].sort());
    assert.match(n('__proto__').classes, /state-failed/);
    assert.match(n('toString').classes, /state-success/);
    assert.ok(!/state-/.test(n('constructor').classes), n('constructor').classes);
    assert.ok(!/state-/.test(n('valueOf').classes), n('valueOf').classes);
    assert.deepEqual(errors, []);
  });

  it('drops a message of unknown type or shape and keeps the drawing (test 3, page side)', async () => {
    await p.graph(generatedGraph(3));
    for (const bad of [
      { type: 'eval', code: 'alert(1)' },
      { type: 'graph', graph: 'nope' },
      { type: 'states', tasks: { a: { state: 'pwned' } } },
    ])
      await p.page.evaluate(
        (m) => (globalThis as unknown as { postMessage(m: unknown, o: string): void }).postMessage(m, '*'),
        bad,
      );
    await p.page.waitForTimeout(100);
    assert.equal((await p.nodes()).length, 3);
  });

  it('keeps the last good graph with a banner naming the error', async () => {
    await p.graph(generatedGraph(4));
    await p.send({
      type: 'graph',
      uri: 'file:///w/x.dag.yaml',
      graph: generatedGraph(4),
      error: 'Line 3: unknown task "lod"',
    });
    await p.page.locator('#banner.shown', { hasText: 'unknown task "lod"' }).waitFor();
    assert.equal((await p.nodes()).length, 4);
  });

  it('asks the host to reveal a clicked node, open its log on double-click, and offers Run Task, Re-run from Here and Show Log in its context menu', async () => {
    await p.send({
      type: 'toolbar',
      toolbar: { date: '2024-01-01', backend: 'docker', backends: ['docker'], canRun: true, direction: 'RIGHT' },
    });
    await p.graph(generatedGraph(3));
    const node = p.page.locator('g[data-task="task_1"]');
    await node.click();
    await node.dblclick();
    await node.click({ button: 'right' });
    await p.page.locator('vscode-context-menu-item', { hasText: 'Re-run from Here' }).click();
    const posted = await p.posted();
    assert.deepEqual(
      posted.find((m) => m.type === 'reveal'),
      { type: 'reveal', taskId: 'task_1' },
    );
    assert.ok(posted.some((m) => m.type === 'showLog' && m.taskId === 'task_1'));
    assert.deepEqual(posted.at(-1), { type: 'rerunFrom', taskId: 'task_1', date: '2024-01-01', backend: 'docker' });
  });

  it('moves keyboard focus along edges with the arrow keys and reveals with Enter', async () => {
    await p.graph(generatedGraph(3));
    await p.page.locator('g[data-task="task_0"]').focus();
    await p.page.keyboard.press('ArrowRight');
    const focused = await p.page.evaluate(() =>
      (
        globalThis as unknown as { document: { activeElement: PageElLike | null } }
      ).document.activeElement?.getAttribute('data-task'),
    );
    assert.equal(focused, 'task_1');
    await p.page.keyboard.press('Enter');
    assert.deepEqual((await p.posted()).at(-1), { type: 'reveal', taskId: 'task_1' });
  });

  it('lays out a graph of thousands of tasks without groups in a worker of its own, placing every node where the layered layout does', async () => {
    await p.page.evaluate(() => {
      const w = globalThis as unknown as { Worker: new (u: string) => object; __workers: number };
      const Base = w.Worker;
      w.__workers = 0;
      w.Worker = class extends (Base as unknown as new (u: string) => object) {
        constructor(u: string) {
          super(u);
          w.__workers++;
        }
      } as typeof w.Worker;
    });
    const graph = generatedGraph(3500);
    const t = await p.graph(graph);
    assert.equal(t!.nodes, 3500);
    assert.equal(await p.page.evaluate(() => (globalThis as unknown as { __workers: number }).__workers), 1);
    assert.deepEqual(p.cspViolations, [], 'a worker from a blob is what the policy allows');
    // The same places as the layered layout computed here (the page is wider than tall: left to right),
    // up to where the drawing puts its origin.
    const expected = layeredLayout(graph, 'RIGHT').nodes;
    const drawn = new Map((await p.nodes()).map((n) => [n.id, n]));
    const first = drawn.get(expected[0]!.id)!;
    for (const box of expected.slice(0, 50)) {
      const n = drawn.get(box.id)!;
      assert.deepEqual([n.x - first.x, n.y - first.y], [box.x - expected[0]!.x, box.y - expected[0]!.y], box.id);
    }
  });

  it('above 500 tasks shows progress while the worker lays out, keeping the old drawing until the new one is ready', async () => {
    await p.graph(generatedGraph(5));
    // A graph with groups is laid out by elkjs in its worker (the others take milliseconds, see layeredLayout).
    const big = generatedGraph(600);
    const grouped = {
      ...big,
      nodes: big.nodes.map((n, i) => (i % 2 ? { ...n, group: 'half' } : n)),
      groups: [{ id: 'half' }],
    };
    const rendered = p.graph(grouped);
    await p.page.locator('#progress:not([hidden])').waitFor({ timeout: 5000 });
    assert.equal((await p.nodes()).length, 5, 'the old drawing stays during the layout');
    const t = await rendered;
    assert.equal(t!.nodes, 600);
    assert.equal((await p.nodes()).length, 600);
    assert.ok(await p.page.locator('#progress[hidden]').count());
  });
});

interface PageElLike {
  getAttribute(name: string): string | null;
}

describe('the graph page per theme', function () {
  this.timeout(60_000);
  for (const theme of ['light', 'dark', 'high-contrast'] as Theme[]) {
    it(`renders states legibly in the ${theme} theme (screenshot kept)`, async () => {
      const p = await GraphPage.open(theme, { width: 900, height: 420 });
      try {
        const g = generatedGraph(9);
        await p.send({
          type: 'toolbar',
          toolbar: { date: '2019-01-01', backend: 'docker', backends: ['docker'], canRun: true, direction: 'RIGHT' },
        });
        await p.graph(g);
        const states = [
          'success',
          'success',
          'failed',
          'running',
          'up_for_retry',
          'upstream_failed',
          'skipped',
          'cancelled',
          'queued',
        ] as const;
        await p.send({
          type: 'states',
          runId: 'r',
          label: '2019-01-01 · failed · docker',
          tasks: Object.fromEntries(g.nodes.map((n, i) => [n.id, { state: states[i]!, tryNumber: 1 }])),
        });
        mkdirSync(ARTIFACTS, { recursive: true });
        await p.page.screenshot({ path: join(ARTIFACTS, `graph-${theme}.png`) });
        assert.deepEqual(await p.pageCspViolations(), []);
      } finally {
        await p.close();
      }
    });
  }
});
