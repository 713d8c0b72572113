import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeDag } from '../../src/dag/analyze';
import { ensureTestImage } from '../integration/docker/dockerEnv';
import { workbenchSession } from './session';

describe('the Container DAGs home, first contact and authoring defaults in VS Code', function () {
  this.timeout(180_000);
  // A build folder no run has built (its Dockerfile is unique to this session): its image is stale.
  const stamp = `${process.pid}-${Date.now()}`;
  const s = workbenchSession(ensureTestImage, {
    extraFiles: {
      'fresh/Dockerfile': `FROM cdag-test/busybox:1\nRUN echo ${stamp} > /stamp\n`,
      'fresh.dag.yaml': 'dag: fresh\ntasks:\n  stamp:\n    build: {context: fresh}\n    command: [cat, /stamp]\n',
      'blank.dag.yaml': '\n\n',
      // Its own file: the completion test above leaves hello.dag.yaml edited.
      'walk.dag.yaml':
        "dag: walk\ntasks:\n  greet:\n    image: cdag-test/busybox:1\n    image_pull_policy: Never\n    command: [sh, -c, 'echo walking']\n",
    },
  });

  it('opens a Container DAGs home from the activity bar whose DAGs view lists the workspace’s DAG files with Run and Graph', async () => {
    // Its icon in the activity bar opens it.
    await s.wb.page
      .locator(
        '.activitybar .action-item a[aria-label^="Container DAGs"], .activitybar .action-item[aria-label^="Container DAGs"]',
      )
      .first()
      .click();
    await s.wb.page.locator('.sidebar .pane-header .title', { hasText: /^DAGs$/i }).waitFor({ timeout: 30_000 });
    const hello = s.wb.page.locator('.sidebar .monaco-list-row', { hasText: /^hello/ }).first();
    await hello.waitFor({ timeout: 60_000 });
    assert.match(await hello.innerText(), /2 tasks · never run/);
    // The file with errors says so instead of offering a run.
    const typo = s.wb.page.locator('.sidebar .monaco-list-row', { hasText: 'typo' }).first();
    assert.match(await typo.innerText(), /error/);
    // The DAG whose image was never built says so, and lists the task whose image a run would build (issue 15).
    const fresh = s.wb.page.locator('.sidebar .monaco-list-row', { hasText: /^fresh/ }).first();
    await fresh.locator(':text("1 image out of date")').waitFor({ timeout: 60_000 });
    await fresh.locator('.monaco-tl-twistie').click();
    await s.wb.page
      .locator('.sidebar .monaco-list-row', { hasText: 'image out of date: the next run builds it' })
      .filter({ hasText: 'stamp' })
      .waitFor({ timeout: 30_000 });
    await hello.hover();
    assert.equal(await hello.locator('.action-label[aria-label="Run DAG"]').count(), 1);
    assert.equal(await hello.locator('.action-label[aria-label="Show DAG Graph"]').count(), 1);
    for (const view of ['DAG Runs', 'Pods'])
      assert.equal(await s.wb.page.locator('.sidebar .pane-header .title', { hasText: view }).count(), 1, view);
    await s.wb.screenshot('home-1-dags-view');
  });

  it('creates a valid DAG from the walkthrough’s "New DAG File" and ticks its first step', async () => {
    await s.wb.command('Get Started with Container DAGs');
    const step = s.wb.page.locator('button.getting-started-step[data-step-id$="create"]').first();
    await step.waitFor({ timeout: 30_000 });
    assert.equal(await step.getAttribute('aria-checked'), 'false');
    await s.wb.page
      .locator('.getting-started-step .button-link, .getting-started-step .monaco-button', { hasText: 'New DAG File' })
      .first()
      .click();
    const input = s.wb.page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill('e2e_new');
    await s.wb.page.keyboard.press('Enter');
    await s.wb.page.locator('.tab.active', { hasText: 'e2e_new.dag.yaml' }).waitFor({ timeout: 30_000 });
    const file = join(s.server.workspace, 'e2e_new.dag.yaml');
    const deadline = Date.now() + 30_000;
    while (!(existsSync(file) && readFileSync(file, 'utf8').includes('tasks:')) && Date.now() < deadline)
      await s.wb.page.waitForTimeout(250);
    const a = analyzeDag(readFileSync(file, 'utf8'), file);
    assert.deepEqual(
      a.problems.map((p) => p.message),
      [],
    );
    assert.equal(a.dag?.id, 'e2e_new');
    await s.wb.page.keyboard.press('Escape');
    await s.wb.screenshot('home-2-new-dag');
    // The file took the walkthrough's place (a preview editor): open it again, as a user would.
    await s.wb.command('Get Started with Container DAGs');
    await step.waitFor({ timeout: 30_000 });
    for (let i = 0; i < 40 && (await step.getAttribute('aria-checked')) !== 'true'; i++)
      await s.wb.page.waitForTimeout(250);
    await s.wb.screenshot('home-3-walkthrough');
    assert.equal(await step.getAttribute('aria-checked'), 'true', 'the create step is not ticked');
    // The walkthrough page keeps the keyboard (F1 included) while it is open: close it.
    await s.wb.page.locator('.tab.active .tab-actions .action-label').first().click();
  });

  it('opens the value list right after typing `image: `, with the images the workspace uses and no word list', async () => {
    // Opened from the DAGs view, as a user would (a click on the DAG opens its file).
    await s.wb.showView('DAGs');
    await s.wb.page
      .locator('.sidebar .monaco-list-row', { hasText: /^hello/ })
      .first()
      .click();
    await s.wb.page.locator('.tab.active', { hasText: 'hello.dag.yaml' }).waitFor({ timeout: 30_000 });
    await s.wb.page.locator('.monaco-editor .view-lines').first().click();
    await s.wb.goTo(11, 27);
    await s.wb.page.keyboard.press('End');
    await s.wb.page.keyboard.press('Enter');
    // The editor keeps the line's indentation (DAG files indent by 2): a new task starts at 2 spaces.
    await s.wb.page.keyboard.press('Shift+Home');
    await s.wb.page.keyboard.press('Backspace');
    await s.wb.page.keyboard.type('  extra:');
    await s.wb.page.keyboard.press('Enter');
    await s.wb.page.keyboard.type('  image: ');
    const suggest = s.wb.page.locator('.suggest-widget.visible');
    await suggest.waitFor({ timeout: 20_000 });
    await s.wb.page.waitForTimeout(2000);
    await s.wb.screenshot('home-4-image-completion');
    // The file's own image comes first, before the workspace's and the Engine's.
    const first = s.wb.page.locator('.suggest-widget .monaco-list-row').first();
    assert.match(await first.innerText(), /^cdag-test\/busybox:1/);
    const rows = await s.wb.page.locator('.suggest-widget .monaco-list-row .label-name').allInnerTexts();
    assert.ok(!rows.includes('echo') && !rows.includes('greet'), `words offered: ${rows.join(', ')}`);
    assert.ok(rows.includes('manning-airflow/movielens-fetch'), `the workspace's images: ${rows.join(', ')}`);
    await s.wb.screenshot('home-4-image-completion');
    await s.wb.page.keyboard.press('Escape');
    await s.wb.command('File: Revert File');
  });

  it('offers an empty DAG file a template instead of an error and a Run lens, and the template is a valid DAG', async () => {
    await s.wb.openFile('blank.dag.yaml');
    const start = await s.wb.codeLens('Start from a template');
    assert.equal(await s.wb.page.locator('.codelens-decoration a', { hasText: 'Run DAG' }).count(), 0);
    // No squiggle: the file is new, not wrong.
    await s.wb.page.waitForTimeout(1500);
    assert.equal(await s.wb.page.locator('.monaco-editor .squiggly-error').count(), 0);
    await s.wb.screenshot('home-5-template-lens');
    await start.click();
    await s.wb.codeLens('Run DAG');
    await s.wb.command('File: Save');
    const file = join(s.server.workspace, 'blank.dag.yaml');
    const deadline = Date.now() + 30_000;
    while (!readFileSync(file, 'utf8').includes('tasks:') && Date.now() < deadline) await s.wb.page.waitForTimeout(250);
    const a = analyzeDag(readFileSync(file, 'utf8'), file);
    assert.deepEqual(
      a.problems.map((p) => p.message),
      [],
    );
    assert.equal(a.dag?.id, 'blank');
  });

  it('ticks the walkthrough’s graph, run and log steps once the user has run a DAG, shown its graph and opened a task log from it', async () => {
    await s.wb.visitWalkthrough();
    await s.wb.openFile('walk.dag.yaml');
    await (await s.wb.codeLens('Run DAG')).click();
    try {
      await s.wb.page.locator('.part.panel', { hasText: 'walk: success' }).waitFor({ timeout: 90_000 });
    } finally {
      await s.wb.screenshot('home-6-run');
    }
    await s.wb.command('Container DAGs: Show DAG Graph');
    const frame = await s.wb.graphFrame('greet');
    try {
      await frame.locator('g.node.state-success[data-task="greet"]').waitFor({ timeout: 30_000 });
    } finally {
      await s.wb.screenshot('home-7-graph');
    }
    await frame.locator('g.node[data-task="greet"]').dblclick();
    await s.wb.page
      .locator('.tab', { hasText: /walk › greet · try 1/ })
      .first()
      .waitFor({ timeout: 30_000 });
    for (const step of ['graph', 'run', 'log'])
      assert.ok(await s.wb.walkthroughStepTicked(step), `the ${step} step is ticked`);
    await s.wb.screenshot('home-6-walkthrough-ticked');
    await s.wb.page.locator('.tab.active .tab-actions .action-label').first().click();
  });
});
