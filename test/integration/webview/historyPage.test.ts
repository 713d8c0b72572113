import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { historyRun } from '../../../src/graph/historyGrid';
import type { RunRecord } from '../../../src/protocol/runRecord';
import { ARTIFACTS } from '../../e2e/codeServer';
import type { Theme } from '../../support/graphPage';
import {
  attemptTask,
  fixtureRecord,
  historyMessage,
  largeHistory,
  PIPELINE,
  pipelineRuns,
} from '../../support/historyFixtures';
import { HistoryPage } from '../../support/historyPage';

/** The page's globals these tests read (the tests compile without the DOM library). */
interface El {
  getAttribute(n: string): string | null;
  textContent: string | null;
}
interface Doc {
  activeElement: El | null;
}

describe('the History page (Grid and Gantt) in headless Chromium', function () {
  this.timeout(60_000);
  let p: HistoryPage;
  let runs: RunRecord[];

  before(async () => {
    p = await HistoryPage.open('dark');
  });
  after(async () => p?.close());
  beforeEach(async () => {
    runs = pipelineRuns();
    await p.send(historyMessage(PIPELINE, runs));
  });

  /** Opens or folds a group's or mapped task's row (the page keeps what the user folded). */
  const setOpen = async (id: string, open: boolean) => {
    const t = p.page.locator(`button.toggle[data-toggle="${id}"]`);
    if (((await t.getAttribute('aria-expanded')) === 'true') !== open) await t.click();
  };
  const rowLabels = () => p.page.locator('th.row-head .label').allInnerTexts();
  const cellClass = (row: number, col: number) =>
    p.page.locator(`td.cell[data-row="${row}"][data-col="${col}"]`).getAttribute('class');

  it('draws a column per run, newest right, and a row per task in topological order, groups open and mapped tasks folded', async () => {
    const heads = p.page.locator('button.run');
    assert.equal(await heads.count(), 5);
    assert.match((await heads.nth(0).getAttribute('title')) ?? '', /^2024-01-01 · success · docker · 2m 0s/);
    assert.match((await heads.nth(2).getAttribute('class')) ?? '', /state-cancelled/);
    assert.match((await heads.nth(3).getAttribute('class')) ?? '', /state-interrupted/);
    assert.deepEqual(await rowLabels(), ['extract', 'fetch', 'load', 'clean', 'write', 'report', '__proto__']);
    // Each cell says its state by colour and by glyph.
    assert.match((await cellClass(0, 0)) ?? '', /state-success/);
    assert.equal(await p.page.locator('td.cell[data-row="0"][data-col="0"]').innerText(), '✔');
    assert.match((await cellClass(1, 1)) ?? '', /state-failed/);
    assert.match((await cellClass(3, 1)) ?? '', /state-upstream_failed/);
    assert.match((await cellClass(0, 2)) ?? '', /state-cancelled/);
    assert.match((await cellClass(6, 1)) ?? '', /state-failed/, 'a task named __proto__ has its cell');
    // A run with no record of a task has no cell there.
    assert.equal(await p.page.locator('td.cell[data-row="3"][data-col="3"]').count(), 0);
    // Open the mapped task: a row per instance; fold the group: its tasks go.
    await p.page.locator('button.toggle[data-toggle="fetch"]').click();
    await p.page.locator('button.toggle[data-toggle="load"]').click();
    assert.deepEqual(await rowLabels(), ['extract', 'fetch', '[0]', '[1]', '[2]', 'load', 'report', '__proto__']);
    assert.match((await cellClass(3, 1)) ?? '', /state-failed/, 'fetch[1] failed in the second run');
    assert.match((await cellClass(4, 4)) ?? '', /state-queued/);
    assert.deepEqual(await p.cspViolations(), []);
  });

  it('shows a cell’s attempt — state, try, exit code, duration, outputs, a log per try — and asks the host for the log chosen', async () => {
    await p.page.locator('td.cell[data-row="0"][data-col="0"]').click();
    const details = await p.page.locator('#details').innerText();
    assert.match(details, /extract · 2024-01-01 · manual__2024-01-01/);
    assert.match(details, /try\s+2/);
    assert.match(details, /duration\s+4\.0 s/);
    assert.match(details, /outputs\s+\{"rows":42\}/);
    assert.match(details, /Open log · try 2 · success · exit 0[\s\S]*Open log · try 1 · failed · exit 1/);
    await p.page.locator('button.log[data-try="1"]').click();
    assert.deepEqual((await p.posted()).at(-1), {
      type: 'showLog',
      runId: 'manual__2024-01-01',
      taskId: 'extract',
      tryNumber: 1,
    });
  });

  it('moves through the cells with the arrow keys (one tab stop), skipping gaps, and opens a cell with Enter', async () => {
    await setOpen('fetch', false);
    await p.page.locator('td.cell[data-row="0"][data-col="0"]').focus();
    assert.equal(await p.page.locator('td.cell[tabindex="0"]').count(), 1);
    const focused = () =>
      p.page.evaluate(() => {
        const a = (globalThis as unknown as { document: Doc }).document.activeElement;
        return `${a?.getAttribute('data-row')},${a?.getAttribute('data-col')}`;
      });
    await p.page.keyboard.press('ArrowRight');
    assert.equal(await focused(), '0,1');
    await p.page.keyboard.press('End');
    assert.equal(await focused(), '0,4');
    await p.page.keyboard.press('ArrowDown');
    assert.equal(await focused(), '1,4');
    await p.page.keyboard.press('ArrowLeft');
    await p.page.keyboard.press('Enter');
    assert.match(
      await p.page.locator('#details h3').innerText(),
      /^fetch · 2024-01-03/,
      'the interrupted run has no fetch: stepped over',
    );
  });

  it('selects a run: asks the host to colour the graph with it, and draws its Gantt — a bar per attempt, retries apart, queued time, the critical path', async () => {
    await setOpen('fetch', false);
    await setOpen('load', true);
    await p.page.locator('button.run[data-col="0"]').click();
    assert.deepEqual((await p.posted()).at(-1), { type: 'selectRun', runId: 'manual__2024-01-01' });
    // The Gantt is drawn in a task after the grid's.
    await p.page.locator('.gantt-title', { hasText: 'manual__2024-01-01' }).waitFor({ timeout: 5_000 });
    assert.equal(await p.page.locator('button.run[aria-pressed="true"]').count(), 1);
    const bars = p.page.locator('svg.gantt rect.attempt');
    // extract ×2, __proto__, clean, write, report (fetch is folded: its instances are not drawn).
    assert.equal(await bars.count(), 6);
    assert.equal(await p.page.locator('svg.gantt rect.attempt[data-task="extract"]').count(), 2);
    assert.match(
      (await p.page.locator('svg.gantt rect.attempt[data-task="extract"][data-try="1"]').getAttribute('class')) ?? '',
      /state-failed/,
    );
    for (const t of ['report', 'write', 'clean'])
      assert.match(
        (await p.page.locator(`svg.gantt rect.attempt[data-task="${t}"]`).getAttribute('class')) ?? '',
        /critical/,
        t,
      );
    assert.doesNotMatch(
      (await p.page.locator('svg.gantt rect.attempt[data-task="__proto__"]').getAttribute('class')) ?? '',
      /critical/,
    );
    assert.ok((await p.page.locator('svg.gantt rect.queued').count()) > 0, 'waiting time is drawn');
    assert.match(await p.page.locator('.gantt-title').innerText(), /critical path: .*clean → write → report/);
  });

  it('changes a run’s column when the host reports it (live), without a new grid', async () => {
    await setOpen('fetch', false);
    await setOpen('load', true);
    const live = runs[4]!;
    live.tasks['fetch[1]'] = attemptTask('success', 4, 11, 20, { mapped_from: 'fetch', map_index: 1 });
    live.tasks.clean = attemptTask('running', 4, 30, 0);
    await p.page.evaluate(
      (m) => (globalThis as unknown as { postMessage(m: unknown, o: string): void }).postMessage(JSON.parse(m), '*'),
      JSON.stringify({ type: 'run', run: historyRun(live) }),
    );
    await p.page.locator('td.cell.state-running[data-row="3"][data-col="4"]').waitFor({ timeout: 5_000 });
  });

  it('marks a task whose newest run took over 1.5 times its median duration, in its row’s trend line', async () => {
    const slow = [4, 4, 5, 20].map((d, day) =>
      fixtureRecord(day, 'success', {
        extract: attemptTask('success', day, 0, d),
        report: attemptTask('success', day, 0, 4),
      }),
    );
    await p.send(historyMessage(PIPELINE, slow));
    assert.equal(await p.page.locator('tr:has(th[title="extract"]) svg.trend.slower').count(), 1);
    assert.equal(await p.page.locator('tr:has(th[title="report"]) svg.trend.slower').count(), 0);
  });

  it('shows a task id that looks like markup as text, and drops a message of unknown shape keeping the grid', async () => {
    const evil = '<img src=x onerror=alert(1)>';
    await p.send(
      historyMessage(
        { dag: 'x', nodes: [{ id: evil, image: 'x', triggerRule: 'all_success', retries: 0 }], edges: [] },
        [fixtureRecord(0, 'success', { [evil]: attemptTask('success', 0, 0, 1) })],
      ),
    );
    assert.deepEqual(await rowLabels(), [evil]);
    assert.equal(await p.page.locator('table img').count(), 0);
    for (const bad of [{ type: 'eval' }, { type: 'history', rows: 'x' }, { type: 'run', run: { runId: 1 } }])
      await p.page.evaluate(
        (m) => (globalThis as unknown as { postMessage(m: unknown, o: string): void }).postMessage(m, '*'),
        bad,
      );
    await p.page.waitForTimeout(100);
    assert.deepEqual(await rowLabels(), [evil]);
    assert.deepEqual(await p.cspViolations(), []);
  });

  it('draws the largest grid (100 runs × 200 tasks) by the rows in view, and the rows further down once scrolled to or reached by the keyboard', async () => {
    const t = await p.send(largeHistory(100, 200));
    assert.ok(t.cells > 0 && t.cells < 20_000 && t.cells % 100 === 0, `${t.cells} cells drawn`);
    assert.match(await p.page.locator('th.corner').innerText(), /200 rows · 100 runs/);
    assert.equal(await p.page.locator('th.row-head[title="task_199"]').count(), 0);
    await p.page.locator('#grid-wrap').evaluate((w) => ((w as unknown as { scrollTop: number }).scrollTop = 1e6));
    await p.page.locator('th.row-head[title="task_199"]').waitFor({ timeout: 5_000 });
    // Back at the top, ArrowDown walks to a row that was not drawn and it comes into view, focused.
    await p.page.locator('#grid-wrap').evaluate((w) => ((w as unknown as { scrollTop: number }).scrollTop = 0));
    await p.page.locator('td.cell[data-row="0"][data-col="0"]').waitFor();
    await p.page.locator('td.cell[data-row="0"][data-col="0"]').focus();
    for (let i = 0; i < 60; i++) await p.page.keyboard.press('ArrowDown');
    const focused = await p.page.evaluate(() =>
      (globalThis as unknown as { document: Doc }).document.activeElement?.getAttribute('data-row'),
    );
    assert.equal(focused, '60');
  });
});

describe('the History page per theme', function () {
  this.timeout(60_000);
  for (const theme of ['light', 'dark', 'high-contrast'] as Theme[]) {
    it(`draws the grid and Gantt legibly in the ${theme} theme (screenshot kept)`, async () => {
      const p = await HistoryPage.open(theme, { width: 1000, height: 560 });
      try {
        await p.send(historyMessage(PIPELINE, pipelineRuns()));
        await p.page.locator('button.toggle[data-toggle="fetch"]').click();
        await p.page.locator('button.run[data-col="0"]').click();
        await p.page.locator('.gantt-title', { hasText: 'manual__2024-01-01' }).waitFor({ timeout: 5_000 });
        await p.page.locator('td.cell[data-row="0"][data-col="0"]').click();
        mkdirSync(ARTIFACTS, { recursive: true });
        await p.page.screenshot({ path: join(ARTIFACTS, `history-${theme}.png`) });
        assert.deepEqual(await p.cspViolations(), []);
      } finally {
        await p.close();
      }
    });
  }
});
