import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultLogicalDate, parseSchedule } from '../../src/dag/schedule';
import { ensureTestImage, TEST_IMAGE } from '../integration/docker/dockerEnv';
import { workbenchSession } from './session';

const HOURLY = `dag: hourly
schedule: '@hourly'
tasks:
  tick:
    image: ${TEST_IMAGE}
    command: ['true']
`;

describe('the DAG graph beside the editor', function () {
  this.timeout(180_000);
  const s = workbenchSession(ensureTestImage, { extraFiles: { 'hourly.dag.yaml': HOURLY } });

  it('opens from the CodeLens with a node per task, and clicking a node moves the cursor to the task', async () => {
    await s.wb.openFile('pipeline.dag.yaml');
    const lens = s.wb.page.locator('.codelens-decoration a', { hasText: 'Show graph' }).first();
    try {
      await lens.waitFor({ timeout: 60_000 });
    } finally {
      await s.wb.screenshot('8a-before-show-graph');
    }
    await lens.click();
    const frame = await s.wb.graphFrame();
    const ids = await frame.locator('svg#graph g.node').evaluateAll((gs) => gs.map((g) => g.getAttribute('data-task')));
    assert.deepEqual(ids.sort(), ['fetch_ratings', 'rank_movies', 'report']);
    assert.equal(await frame.locator('svg#graph path.edge').count(), 1);
    await s.wb.screenshot('8-graph-beside-editor');
    // The first click into a webview that has not had the focus is at times taken by the focus
    // change alone (seen once in CI, the graph drawn and idle): clicked again, as a user would.
    const line12 = s.wb.page.locator('.statusbar-item', { hasText: 'Ln 12,' });
    for (let i = 0; i < 4 && !(await line12.isVisible()); i++) {
      await frame.locator('g.node[data-task="report"]').click();
      await line12.waitFor({ timeout: 8_000 }).catch(() => undefined);
    }
    await line12.waitFor({ timeout: 10_000 });
    await s.wb.screenshot('9-graph-click-reveals-task');
  });

  it('runs the DAG from its toolbar, recolours the nodes live to success, and opens a task log on double-click', async () => {
    await s.wb.openFile('hello.dag.yaml');
    await s.wb.command('Container DAGs: Show DAG Graph');
    const frame = await s.wb.graphFrame('greet');
    await frame.locator('vscode-button#run').click();
    await frame.locator('svg#graph g.node.state-success').nth(1).waitFor({ timeout: 90_000 });
    assert.equal(await frame.locator('svg#graph g.node.state-success').count(), 2);
    assert.match((await frame.locator('#run-label').innerText()) ?? '', /success · docker/);
    assert.match(
      (await frame.locator('g.node[data-task="greet"] title').textContent()) ?? '',
      /success · try 1 · \d+s\nexit code 0|success · try 1 · \d+s/,
    );
    await s.wb.screenshot('10-graph-run-success');
    await frame.locator('g.node[data-task="greet"]').dblclick();
    // Titled by DAG, task, try and date; opened in the graph's group, beside the YAML, not over it.
    const tab = s.wb.page.locator('.tab', { hasText: /hello › greet · try 1 · \d{4}-\d{2}-\d{2}/ }).first();
    await tab.waitFor({ timeout: 30_000 });
    const group = s.wb.page.locator('.editor-group-container', { has: tab });
    assert.equal(await group.locator('.tab', { hasText: 'Graph: hello.dag.yaml' }).count(), 1);
    assert.equal(await group.locator('.tab', { hasText: /^hello\.dag\.yaml/ }).count(), 0);
    const lines = group.locator('.monaco-editor .view-lines', { hasText: 'hello from the e2e run' }).first();
    await lines.waitFor({ timeout: 30_000 });
    // The header says how the attempt ended.
    // (the editor draws spaces as no-break spaces)
    assert.match(
      (await lines.innerText()).replace(/\u00a0/g, ' '),
      /success · exit code 0 · [\d.]+ (s|ms) · container [0-9a-f]{12}/,
    );
    // A successful attempt opens at its end: the last line of a one-line log under a 3-line header.
    await s.wb.page.locator('.statusbar-item', { hasText: 'Ln 4, Col 1' }).waitFor({ timeout: 10_000 });
    await s.wb.screenshot('10b-task-log-beside-graph');
  });

  it('opens the DAG’s History from the graph: a Grid cell per task of the run, its details, and its log from there', async () => {
    // The log opened over the graph in its group: bring the graph back, as a user would by its tab.
    await s.wb.page.locator('.tab', { hasText: 'Graph: hello.dag.yaml' }).first().click();
    const graph = await s.wb.graphFrame('greet');
    await graph.locator('vscode-button#history').click();
    const tab = s.wb.page.locator('.tab', { hasText: 'History: hello.dag.yaml' }).first();
    await tab.waitFor({ timeout: 30_000 });
    const history = await s.wb.frameWith('table#grid td.cell.state-success');
    const rows = await history.locator('th.row-head .label').allInnerTexts();
    assert.deepEqual(rows, ['greet', 'after']);
    await history.locator('td.cell[data-row="0"]').last().click();
    assert.match(await history.locator('#details').innerText(), /greet · \d{4}-\d{2}-\d{2}[\s\S]*state\s+success/);
    await history.locator('svg.gantt rect.attempt').nth(1).waitFor({ timeout: 10_000 });
    assert.equal(await history.locator('svg.gantt rect.attempt').count(), 2, 'the Gantt of the newest run');
    await s.wb.screenshot('10c-history-grid');
    await history.locator('button.log').first().click();
    await s.wb.page
      .locator('.tab', { hasText: /hello › greet · try 1/ })
      .first()
      .waitFor({ timeout: 30_000 });
  });

  it('draws a mapped task as one stacked node with counts that opens into its instances and folds again; outputs show on hover', async () => {
    await s.wb.openFile('fanout.dag.yaml');
    await s.wb.command('Container DAGs: Show DAG Graph');
    const frame = await s.wb.graphFrame('count');
    assert.equal(await frame.locator('g.node.mapped[data-task="count"] path.stack').count(), 2);
    assert.match((await frame.locator('g.node[data-task="list_days"] title').textContent()) ?? '', /outputs: days/);
    await frame.locator('vscode-button#run').click();
    await frame.locator('g.node.state-success[data-task="total"]').waitFor({ timeout: 120_000 });
    assert.equal(await frame.locator('g.node[data-task="count"] text.counts').textContent(), '×3 ✔3');
    assert.match(
      (await frame.locator('g.node[data-task="list_days"] title').textContent()) ?? '',
      /outputs\.days = \["mon","tue","wed"\]/,
    );
    await s.wb.screenshot('10b-graph-mapped-node');
    await frame.locator('g.node[data-task="count"] text.toggle').click();
    await frame.locator('g.node[data-task="count[2]"]').waitFor({ timeout: 30_000 });
    const ids = await frame.locator('svg#graph g.node').evaluateAll((gs) => gs.map((g) => g.getAttribute('data-task')));
    assert.deepEqual(ids.sort(), ['count[0]', 'count[1]', 'count[2]', 'list_days', 'total']);
    assert.equal(await frame.locator('svg#graph path.edge').count(), 6);
    const hover = (await frame.locator('g.node[data-task="count[1]"] title').textContent()) ?? '';
    assert.match(hover, /item\.day = tue/);
    assert.match(hover, /outputs\.rows = 1/);
    await s.wb.screenshot('10c-graph-instances-open');
    await frame.locator('g.node[data-task="count[1]"] text.toggle').click();
    await frame.locator('g.node[data-task="count"]').waitFor({ timeout: 30_000 });
    assert.equal(await frame.locator('g.node[data-task="count[0]"]').count(), 0);
  });

  it('draws a task group as a box that folds into one node with its tasks’ states and unfolds again; its service is drawn apart with its state and log', async () => {
    await s.wb.openFile('groups.dag.yaml');
    await s.wb.command('Container DAGs: Show DAG Graph');
    const frame = await s.wb.graphFrame('load');
    await frame.locator('g.group-box[data-group="extract"]').waitFor({ timeout: 30_000 });
    assert.equal(await frame.locator('g.services g.service[data-service="echo"]').count(), 1);
    await frame.locator('vscode-button#run').click();
    await frame.locator('g.node.state-success[data-task="load"]').waitFor({ timeout: 120_000 });
    await frame.locator('g.service.service-stopped[data-service="echo"]').waitFor({ timeout: 30_000 });
    assert.match(
      (await frame.locator('g.service[data-service="echo"] title').textContent()) ?? '',
      /service echo\ncdag-test\/busybox:1\nneeded by eu, us\nstopped/,
    );
    await frame.locator('g.service[data-service="echo"]').hover();
    assert.equal(await frame.locator('g.node.serves').count(), 2);
    await s.wb.screenshot('10d-graph-group-box');
    await frame.locator('g.group-box[data-group="extract"] text.toggle').click();
    await frame.locator('g.node.folded[data-task="extract"]').waitFor({ timeout: 30_000 });
    assert.equal(await frame.locator('g.node[data-task="eu"]').count(), 0);
    assert.equal(await frame.locator('g.group-box').count(), 0);
    assert.equal(await frame.locator('svg#graph path.edge').count(), 2);
    assert.match((await frame.locator('g.node[data-task="extract"]').getAttribute('class')) ?? '', /state-success/);
    assert.equal(await frame.locator('g.node[data-task="extract"] text.counts').textContent(), '⊞ ✔2');
    await s.wb.screenshot('10e-graph-group-folded');
    await frame.locator('g.node[data-task="extract"] text.toggle').click();
    await frame.locator('g.group-box[data-group="extract"]').waitFor({ timeout: 30_000 });
    assert.equal(await frame.locator('g.node[data-task="eu"]').count(), 1);
    await frame.locator('g.service[data-service="echo"]').dblclick();
    await s.wb.page
      .locator('.monaco-editor .view-lines', { hasText: 'echo listening' })
      .first()
      .waitFor({ timeout: 30_000 });
    // DAG Runs lists the run's service after its tasks, with its state.
    await s.wb.showRuns();
    const run = s.wb.page.locator('.monaco-list-row', { hasText: 'groups · ' }).first();
    await run.waitFor({ timeout: 30_000 });
    if ((await run.getAttribute('aria-expanded')) !== 'true') await run.click();
    const service = s.wb.page.locator('.monaco-list-row', { hasText: 'service · stopped' }).first();
    await service.waitFor({ timeout: 30_000 });
    assert.match(await service.innerText(), /echo/);
    await s.wb.screenshot('10f-runs-tree-service');
  });

  it('marks a task whose image the next run builds, clears the mark once a run built it, and marks it again when a file of its folder changes', async () => {
    // Content no earlier run had, so the image is not on the Engine yet.
    const nonce = join(s.server.workspace, 'built', 'nonce.txt');
    writeFileSync(nonce, `${process.pid} ${Date.now()} ${Math.random()}\n`);
    await s.wb.openFile('built.dag.yaml');
    await s.wb.command('Container DAGs: Show DAG Graph');
    const frame = await s.wb.graphFrame('show');
    await frame.locator('g.node.stale[data-task="show"] text.stale-badge').waitFor({ timeout: 60_000 });
    await s.wb.screenshot('10g-graph-stale-image');
    await frame.locator('vscode-button#run').click();
    await frame.locator('g.node.state-success[data-task="show"]').waitFor({ timeout: 120_000 });
    await frame.locator('g.node[data-task="show"]:not(.stale)').waitFor({ timeout: 30_000 });
    writeFileSync(nonce, `changed ${Math.random()}\n`);
    await frame.locator('g.node.stale[data-task="show"]').waitFor({ timeout: 30_000 });
  });

  it('offers one default date — the last complete interval — in Run DAG for Date…, the trigger form and the graph, and disables Run while the file has errors', async () => {
    const file = join(s.server.workspace, 'hourly.dag.yaml');
    const good = HOURLY;
    const hourly = parseSchedule('@hourly');
    assert.ok('schedule' in hourly);
    // Read around the calls, in case an hour turns meanwhile.
    const expected = new Set([defaultLogicalDate(hourly.schedule, new Date())]);
    await s.wb.openFile('hourly.dag.yaml');
    // The editor has the keyboard: the palette's commands are those of a DAG file.
    await s.wb.page.locator('.editor-group-container.active .monaco-editor .view-lines').first().click();
    const input = s.wb.page.locator('.quick-input-widget input');
    const offered = async () => {
      await input.waitFor({ state: 'visible', timeout: 30_000 });
      await s.wb.page.waitForTimeout(200);
      const v = await input.inputValue();
      await s.wb.page.keyboard.press('Escape');
      await input.waitFor({ state: 'hidden' });
      return v;
    };
    await s.wb.command('Container DAGs: Run DAG for Date…');
    const forDate = await offered();
    await s.wb.command('Container DAGs: Run DAG with Parameters…');
    const inForm = await offered();
    await s.wb.command('Container DAGs: Show DAG Graph');
    const frame = await s.wb.graphFrame('tick');
    const inGraph = await frame
      .locator('vscode-textfield#date')
      .evaluate((e) => (e as unknown as { value: string }).value);
    expected.add(defaultLogicalDate(hourly.schedule, new Date()));
    // An hourly DAG is offered its hour (the day alone for the midnight hour): unit-tested to parse back to it.
    assert.ok(expected.has(forDate), `${forDate} is the last complete interval (${[...expected].join(' or ')})`);
    assert.equal(inForm, forDate);
    assert.equal(inGraph, forDate);
    const run = frame.locator('vscode-button#run');
    const disabled = () => run.evaluate((b) => (b as unknown as { disabled: boolean }).disabled);
    assert.equal(await disabled(), false);
    writeFileSync(file, good.replace('command:', 'comand:'));
    await frame.locator('vscode-button#run[disabled]').waitFor({ timeout: 30_000 });
    assert.match((await run.getAttribute('title')) ?? '', /errors/);
    await s.wb.screenshot('10h-graph-run-disabled-on-errors');
    writeFileSync(file, good);
    await frame.locator('vscode-button#run:not([disabled])').waitFor({ timeout: 30_000 });
  });
});
