import assert from 'node:assert/strict';
import type { DagGraph } from '../../../src/dag/graph';
import type { ToolbarState } from '../../../src/protocol/graphMessages';
import { GraphPage, generatedGraph } from '../../support/graphPage';
import { MAX_FIT_SCALE, MIN_FIT_SCALE } from '../../../src/graph/zoom';

/** The page's globals these tests touch (the tests compile without the DOM library). */
interface El {
  getAttribute(name: string): string | null;
  getBoundingClientRect(): { left: number; top: number; right: number; bottom: number; width: number; height: number };
  shadowRoot: { querySelector(s: string): El | null } | null;
  disabled?: boolean;
  title?: string;
}
interface Win {
  document: { querySelector(s: string): El | null; activeElement: El | null };
  getComputedStyle(e: El): { filter: string; strokeDasharray: string; fill: string; stroke: string };
  innerWidth: number;
  innerHeight: number;
}

function chain(n: number): DagGraph {
  const nodes = Array.from({ length: n }, (_, i) => ({
    id: `step_${i}`,
    image: 'busybox',
    triggerRule: 'all_success',
    retries: 0,
  }));
  return { dag: 'chain', nodes, edges: nodes.slice(1).map((t, i) => ({ from: nodes[i]!.id, to: t.id })) };
}

const toolbar = (t: Partial<ToolbarState> = {}): ToolbarState => ({
  date: '2024-01-01',
  backend: 'docker',
  backends: ['docker', 'kubernetes'],
  canRun: true,
  direction: 'AUTO',
  ...t,
});

/** The viewport's transform: where the drawing's origin is and how far it is zoomed. */
async function view(p: GraphPage): Promise<{ x: number; y: number; scale: number }> {
  const t = await p.page.locator('svg#graph g#viewport').getAttribute('transform');
  const m = /translate\(([-\d.e]+) ([-\d.e]+)\) scale\(([-\d.e]+)\)/.exec(t ?? '');
  assert.ok(m, `a viewport transform: ${t}`);
  return { x: Number(m[1]), y: Number(m[2]), scale: Number(m[3]) };
}

const along = async (p: GraphPage, axis: 'x' | 'y') => {
  const nodes = await p.nodes();
  const byId = new Map(nodes.map((n) => [n.id, n]));
  return [0, 1, 2, 3].map((i) => byId.get(`step_${i}`)![axis]);
};
const increasing = (xs: number[]) => xs.every((v, i) => i === 0 || v > xs[i - 1]!);
const constant = (xs: number[]) => xs.every((v) => v === xs[0]);

describe('the graph page’s direction, zoom, focus, menus and Run button in headless Chromium', function () {
  this.timeout(60_000);

  it('lays a chain out top-down in a narrow panel and left to right in a wide one (AUTO), again when the panel changes shape, and keeps a chosen direction', async () => {
    const p = await GraphPage.open('dark', { width: 420, height: 800 });
    try {
      await p.send({ type: 'toolbar', toolbar: toolbar() });
      await p.graph(chain(4));
      assert.ok(increasing(await along(p, 'y')), 'top-down in a panel narrower than tall');
      assert.ok(constant(await along(p, 'x')));
      const relaid = p.page.evaluate(
        () =>
          new Promise<void>((r) =>
            (
              globalThis as unknown as { addEventListener(t: string, l: () => void, o: { once: boolean }): void }
            ).addEventListener('cdag:rendered', () => r(), { once: true }),
          ),
      );
      await p.page.setViewportSize({ width: 1200, height: 400 });
      await relaid;
      assert.ok(increasing(await along(p, 'x')), 'left to right once the panel is wider than tall');
      assert.ok(constant(await along(p, 'y')));
      // A direction the user chose holds whatever the panel's shape.
      await p.send({ type: 'toolbar', toolbar: toolbar({ direction: 'DOWN' }) });
      await p.page.waitForFunction(() => {
        const ys = ['step_0', 'step_1'].map((id) =>
          (globalThis as unknown as Win).document.querySelector(`g[data-task="${id}"]`)?.getAttribute('transform'),
        );
        return (
          ys[0] !== undefined &&
          /translate\(([-\d.]+) /.exec(ys[0] ?? '')?.[1] === /translate\(([-\d.]+) /.exec(ys[1] ?? '')?.[1]
        );
      });
      assert.ok(increasing(await along(p, 'y')), 'top-down when chosen, in a wide panel');
    } finally {
      await p.close();
    }
  });

  it('Fit stops at the smallest readable zoom for a large graph, opening at its start, and centres a small graph', async () => {
    const p = await GraphPage.open('dark', { width: 1000, height: 700 });
    try {
      await p.send({ type: 'toolbar', toolbar: toolbar({ direction: 'RIGHT' }) });
      await p.graph(generatedGraph(300));
      const large = await view(p);
      assert.equal(large.scale, MIN_FIT_SCALE);
      assert.deepEqual([large.x, large.y], [20, 20], 'from the graph’s start');
      // Labels stay readable: a task's 12 px name is drawn at least 7 px tall.
      const label = await p.page.locator('g[data-task="task_0"] text').first().boundingBox();
      assert.ok(label && label.height >= 7, `label height ${label?.height}`);
      await p.graph(chain(2));
      const small = await view(p);
      assert.ok(small.scale > MIN_FIT_SCALE && small.scale <= MAX_FIT_SCALE, `scale ${small.scale}`);
      const boxes = await Promise.all(
        ['step_0', 'step_1'].map((id) => p.page.locator(`g[data-task="${id}"]`).boundingBox()),
      );
      const left = boxes[0]!.x;
      const right = 1000 - (boxes[1]!.x + boxes[1]!.width);
      assert.ok(Math.abs(left - right) <= 2, `centred: ${left} px on the left, ${right} px on the right`);
    } finally {
      await p.close();
    }
  });

  it('shows the focus ring on a node in every state, and tints the editor cursor’s task solid, unlike a queued task’s dashes', async () => {
    const p = await GraphPage.open('dark');
    try {
      const states = [
        'success',
        'failed',
        'running',
        'up_for_retry',
        'upstream_failed',
        'skipped',
        'cancelled',
        'queued',
      ] as const;
      const g = generatedGraph(states.length + 1);
      await p.send({ type: 'toolbar', toolbar: toolbar({ direction: 'RIGHT' }) });
      await p.graph(g);
      await p.send({
        type: 'states',
        runId: 'r',
        label: 'r',
        tasks: Object.fromEntries(states.map((state, i) => [`task_${i}`, { state, tryNumber: 1 }])),
      });
      const style = (id: string) =>
        p.page.evaluate((sel) => {
          const rect = (globalThis as unknown as Win).document.querySelector(sel)!;
          const s = (globalThis as unknown as Win).getComputedStyle(rect);
          return { filter: s.filter, dash: s.strokeDasharray, fill: s.fill, stroke: s.stroke };
        }, `g[data-task="${id}"] rect`);
      // The last node has no state at all.
      for (const id of g.nodes.map((n) => n.id)) {
        const before = await style(id);
        assert.equal(before.filter, 'none', `${id} has no ring unfocused`);
        await p.page.locator(`g[data-task="${id}"]`).focus();
        const focused = await style(id);
        assert.match(focused.filter, /drop-shadow/, `${id} shows a focus ring`);
      }
      // The cursor's task (the host's `highlight`): filled, solid; a queued task is dashed and unfilled.
      const last = `task_${states.length}`;
      await p.page.locator('g[data-task="task_0"]').focus();
      const plain = await style(last);
      await p.send({ type: 'highlight', taskId: last });
      await p.page.locator(`g[data-task="${last}"].highlight`).waitFor();
      const cursor = await style(last);
      const queued = await style('task_7');
      assert.equal(cursor.dash, 'none');
      assert.notEqual(queued.dash, 'none');
      assert.notEqual(cursor.fill, plain.fill, 'the cursor’s task is tinted');
      assert.notEqual(cursor.fill, queued.fill);
      await p.send({ type: 'highlight', taskId: 'task_7' });
      assert.notEqual((await style('task_7')).fill, queued.fill, 'a queued task under the cursor is tinted too');
    } finally {
      await p.close();
    }
  });

  it('keeps the context menu inside the panel when opened with Shift+F10 or a right-click at its bottom-right corner', async () => {
    const p = await GraphPage.open('dark', { width: 520, height: 320 });
    try {
      await p.send({ type: 'toolbar', toolbar: toolbar({ direction: 'RIGHT' }) });
      await p.graph(chain(4));
      const inside = () =>
        p.page.evaluate(() => {
          const menu = (globalThis as unknown as Win).document.querySelector('#menu')!;
          const inner = menu.shadowRoot?.querySelector('.context-menu') ?? menu;
          const r = inner.getBoundingClientRect();
          return {
            ok:
              r.width > 0 &&
              r.left >= 0 &&
              r.top >= 0 &&
              r.right <= (globalThis as unknown as Win).innerWidth &&
              r.bottom <= (globalThis as unknown as Win).innerHeight,
            rect: [r.left, r.top, r.right, r.bottom],
          };
        });
      // The last node of the chain sits at the right; Shift+F10 opens below it.
      await p.page.locator('g[data-task="step_3"]').focus();
      await p.page.keyboard.press('Shift+F10');
      await p.page.locator('vscode-context-menu-item', { hasText: 'Show Log' }).waitFor();
      await p.page.waitForTimeout(100);
      let r = await inside();
      assert.ok(r.ok, `the menu is on screen: ${r.rect.join(', ')}`);
      await p.page.keyboard.press('Escape');
      const box = (await p.page.locator('g[data-task="step_3"]').boundingBox())!;
      await p.page.mouse.click(Math.min(box.x + box.width - 2, 515), box.y + box.height - 2, { button: 'right' });
      await p.page.waitForTimeout(100);
      r = await inside();
      assert.ok(r.ok, `the menu is on screen: ${r.rect.join(', ')}`);
    } finally {
      await p.close();
    }
  });

  it('disables Run while the file has errors, saying why, offers no Run Task in the menu, and enables it once fixed', async () => {
    const p = await GraphPage.open('dark');
    try {
      const reason = 'The file has errors (see Problems): fix them to run it';
      await p.send({ type: 'toolbar', toolbar: toolbar({ canRun: false, runBlockedReason: reason }) });
      await p.graph(chain(2));
      const run = p.page.locator('vscode-button#run');
      // Messages are handled as events, after the post returns: wait for the button to follow.
      await p.page.locator('vscode-button#run[disabled]').waitFor({ timeout: 5_000 });
      assert.equal(await run.evaluate((b) => (b as unknown as El).disabled), true);
      assert.equal(await run.getAttribute('title'), reason);
      await run.click({ force: true });
      await p.page.locator('g[data-task="step_0"]').click({ button: 'right' });
      await p.page.locator('vscode-context-menu-item', { hasText: 'Show Log' }).waitFor();
      assert.equal(await p.page.locator('vscode-context-menu-item', { hasText: 'Run Task' }).count(), 0);
      await p.page.keyboard.press('Escape');
      assert.ok(!(await p.posted()).some((m) => m.type === 'run' || m.type === 'runTask'));
      await p.send({ type: 'toolbar', toolbar: toolbar() });
      await p.page.locator('vscode-button#run:not([disabled])').waitFor({ timeout: 5_000 });
      assert.equal(await run.evaluate((b) => (b as unknown as El).disabled), false);
      await run.click();
      assert.deepEqual((await p.posted()).at(-1), { type: 'run', date: '2024-01-01', backend: 'docker' });
    } finally {
      await p.close();
    }
  });
});
