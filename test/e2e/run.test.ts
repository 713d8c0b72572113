import assert from 'node:assert/strict';
import { ensureTestImage } from '../integration/docker/dockerEnv';
import { workbenchSession } from './session';

describe('running a DAG from VS Code on the local Docker Engine', function () {
  this.timeout(180_000);
  const s = workbenchSession(ensureTestImage, {
    extraFiles: {
      'slow.dag.yaml': `dag: slow
tasks:
  slow:
    image: cdag-test/busybox:1
    image_pull_policy: Never
    command: [sh, -c, 'echo begun; sleep 8; echo finished']
  next:
    image: cdag-test/busybox:1
    image_pull_policy: Never
    command: [sh, -c, 'echo next']
    depends_on: [slow]
`,
      'flaky.dag.yaml': `dag: flaky
tasks:
  first:
    image: cdag-test/busybox:1
    image_pull_policy: Never
    command: [sh, -c, 'echo first']
  flaky:
    image: cdag-test/busybox:1
    image_pull_policy: Never
    command: [sh, -c, 'echo flaky try {{ try_number }}; test {{ try_number }} -gt 1']
    depends_on: [first]
`,
      'daily.dag.yaml': `dag: daily
schedule: '@daily'
tasks:
  day:
    image: cdag-test/busybox:1
    image_pull_policy: Never
    command: [sh, -c, 'echo day {{ ds }}']
`,
      'long.dag.yaml': `dag: long
tasks:
  wait:
    image: cdag-test/busybox:1
    image_pull_policy: Never
    command: [sh, -c, 'echo waiting; sleep 120']
`,
      'selected.dag.yaml': `dag: selected
tasks:
  first:
    image: cdag-test/busybox:1
    image_pull_policy: Never
    command: [sh, -c, 'echo first']
  second:
    image: cdag-test/busybox:1
    image_pull_policy: Never
    command: [sh, -c, 'echo second ran alone']
    depends_on: [first]
`,
      'greeting.dag.yaml': `dag: greeting
params:
  greeting: hello
  times: 1
tasks:
  say:
    image: cdag-test/busybox:1
    image_pull_policy: Never
    command: [sh, -c, 'echo "param says {{ params.greeting }} x{{ params.times }}"']
`,
      'socket.dag.yaml': `dag: socket
tasks:
  peek:
    image: cdag-test/busybox:1
    image_pull_policy: Never
    command: [sh, -c, 'test -S /var/run/docker.sock && echo socket present']
    mounts: ['/var/run/docker.sock:/var/run/docker.sock']
`,
    },
  });

  it('runs from the CodeLens, streams lines to the output channel and shows success in the DAG Runs tree', async () => {
    await s.wb.openFile('hello.dag.yaml');
    const lens = await s.wb.codeLens('Run DAG');
    await s.wb.screenshot('6-codelens-run-dag');
    await lens.click();
    const output = s.wb.page.locator('.part.panel', { hasText: '[greet] hello from the e2e run' });
    try {
      await output.waitFor({ timeout: 60_000 });
    } finally {
      await s.wb.screenshot('6b-after-run-click');
    }
    await s.wb.page.locator('.part.panel', { hasText: 'hello: success' }).waitFor({ timeout: 60_000 });
    // The DAG Runs view sits in the Explorer; expand it if it is collapsed.
    await s.wb.showRuns();
    const row = s.wb.page.locator('.monaco-list-row', { hasText: 'hello · ' }).first();
    await row.waitFor({ timeout: 30_000 });
    assert.match(await row.innerText(), /success/);
    await s.wb.screenshot('7-run-succeeded');
  });

  it('after the extension host crashes mid-run, the next window reattaches the running container and finishes the run (test 10)', async () => {
    await s.wb.openFile('slow.dag.yaml');
    const lens = await s.wb.codeLens('Run DAG');
    await lens.click();
    await s.wb.page.locator('.part.panel', { hasText: '[slow] begun' }).waitFor({ timeout: 60_000 });
    assert.ok(s.server.crashExtensionHost() >= 1);
    await s.wb.page.reload();
    await s.wb.page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
    await s.wb.showRuns(60_000);
    const row = s.wb.page.locator('.monaco-list-row', { hasText: 'slow · ' }).first();
    await row.waitFor({ timeout: 60_000 });
    await s.wb.page
      .locator('.monaco-list-row', { hasText: /slow · .*success/ })
      .first()
      .waitFor({ timeout: 60_000 });
    const resumed = s.wb.page.locator('.part.panel', { hasText: 'resumed after a reload' });
    try {
      await resumed.waitFor({ timeout: 5_000 });
    } catch {
      // The output shows its last lines; the line that says so is the channel's first of this run.
      await s.wb.page.locator('.part.panel .monaco-editor .view-lines').first().click();
      await s.wb.page.keyboard.press('Control+Home');
      await resumed.waitFor({ timeout: 25_000 });
    }
    await s.wb.screenshot('8-run-resumed-after-crash');
  });

  it('asks before a run that mounts the Docker socket; runs nothing when declined and runs when allowed for this run', async () => {
    await s.wb.openFile('socket.dag.yaml');
    const lens = await s.wb.codeLens('Run DAG');
    await lens.click();
    const dialog = s.wb.page.locator('.monaco-dialog-box', { hasText: 'the Docker socket' });
    await dialog.waitFor({ timeout: 30_000 });
    await s.wb.screenshot('9-consent-docker-socket');
    await dialog.locator('.monaco-button', { hasText: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await lens.click();
    await dialog.locator('.monaco-button', { hasText: 'Allow for This Run' }).click();
    await s.wb.page.locator('.part.panel', { hasText: 'socket: success' }).waitFor({ timeout: 60_000 });
    // Declining started nothing: the only run of this DAG is the allowed one.
    await s.wb.showRuns();
    const rows = s.wb.page.locator('.monaco-list-row', { hasText: 'socket · ' });
    await rows.first().waitFor();
    assert.equal(await rows.count(), 1);
  });

  it('runs one task from its CodeLens and shows the task it did not select with no status, never as a success', async () => {
    await s.wb.openFile('selected.dag.yaml');
    const lens = s.wb.page.locator('.codelens-decoration a', { hasText: 'Run task' }).nth(1);
    await lens.waitFor({ timeout: 60_000 });
    await lens.click();
    await s.wb.page.locator('.part.panel', { hasText: '[second] second ran alone' }).waitFor({ timeout: 60_000 });
    await s.wb.page.locator('.part.panel', { hasText: 'selected: success' }).waitFor({ timeout: 60_000 });
    await s.wb.showRuns();
    const run = s.wb.page.locator('.monaco-list-row', { hasText: 'selected · ' }).first();
    await run.waitFor({ timeout: 30_000 });
    // One counter: the one task it selected, succeeded.
    assert.match(await run.innerText(), /success · ✔1\/1/);
    if ((await run.getAttribute('aria-expanded')) !== 'true') await run.click();
    const first = s.wb.page.locator('.monaco-list-row[aria-level="3"]', { hasText: 'first' }).first();
    await first.waitFor({ timeout: 30_000 });
    assert.match(await first.innerText(), /no status \(not selected\)/);
    assert.doesNotMatch(await first.innerText(), /success/);
    const second = s.wb.page.locator('.monaco-list-row[aria-level="3"]', { hasText: 'second' }).first();
    assert.match(await second.innerText(), /success/);
    await s.wb.screenshot('9b-task-run-no-status');
  });

  it('runs from the trigger form with a param overridden, and the container gets the new value', async () => {
    await s.wb.openFile('greeting.dag.yaml');
    const lens = await s.wb.codeLens('Run with parameters…');
    await lens.click();
    const input = s.wb.page.locator('.quick-input-widget input');
    const title = s.wb.page.locator('.quick-input-widget .quick-input-title');
    // 1/5 the logical date (kept), 2/5 params.greeting, 3/5 params.times (kept), 4/5 backend, 5/5 tasks at once.
    await title.filter({ hasText: '(1/5)' }).waitFor({ timeout: 30_000 });
    await s.wb.page.keyboard.press('Enter');
    await title.filter({ hasText: '(2/5)' }).waitFor();
    assert.match(
      await s.wb.page.locator('.quick-input-widget').innerText(),
      /params\.greeting \(text; default hello\)/,
    );
    await input.fill('bonjour');
    await s.wb.page.keyboard.press('Enter');
    await title.filter({ hasText: '(3/5)' }).waitFor();
    await s.wb.page.keyboard.press('Enter');
    await title.filter({ hasText: '(4/5)' }).waitFor();
    await s.wb.screenshot('9c-trigger-form');
    await s.wb.page.keyboard.press('Enter');
    await title.filter({ hasText: '(5/5)' }).waitFor();
    await s.wb.page.keyboard.press('Enter');
    await s.wb.page.locator('.part.panel', { hasText: '[say] param says bonjour x1' }).waitFor({ timeout: 60_000 });
    await s.wb.page.locator('.part.panel', { hasText: 'greeting: success' }).waitFor({ timeout: 60_000 });
  });

  it('says "cancelling…" in DAG Runs and the status bar as soon as Cancel Run is clicked, then "cancelled" once the container is gone', async () => {
    await s.wb.openFile('long.dag.yaml');
    const lens = await s.wb.codeLens('Run DAG');
    await lens.click();
    await s.wb.page.locator('.part.panel', { hasText: '[wait] waiting' }).waitFor({ timeout: 60_000 });
    await s.wb.showRuns();
    const row = s.wb.page.locator('.monaco-list-row', { hasText: 'long · ' }).first();
    await row.waitFor({ timeout: 30_000 });
    assert.match(await row.innerText(), /running/);
    await row.hover();
    await row.locator('.action-label[aria-label="Cancel Run"]').click();
    // At once: well before the container's stop grace period could have ended.
    await s.wb.page
      .locator('.monaco-list-row', { hasText: /long · .*cancelling…/ })
      .first()
      .waitFor({ timeout: 2_000 });
    await s.wb.page.locator('.statusbar-item', { hasText: 'long cancelling…' }).waitFor({ timeout: 2_000 });
    await s.wb.screenshot('9d-run-cancelling');
    await s.wb.page
      .locator('.monaco-list-row', { hasText: /long · .*cancelled/ })
      .first()
      .waitFor({ timeout: 60_000 });
    await s.wb.page
      .locator('.statusbar-item', { hasText: 'cancelling…' })
      .waitFor({ state: 'detached', timeout: 10_000 });
  });

  it('re-runs the failed task inside the same run (Clear): one run in DAG Runs, now a success, the task at try 2', async () => {
    await s.wb.openFile('flaky.dag.yaml');
    await (await s.wb.codeLens('Run DAG')).click();
    await s.wb.page.locator('.part.panel', { hasText: 'flaky: failed' }).waitFor({ timeout: 60_000 });
    await s.wb.showRuns();
    const runs = s.wb.page.locator('.monaco-list-row[aria-level="2"]', { hasText: 'flaky · ' });
    const row = runs.first();
    await row.waitFor({ timeout: 30_000 });
    // The run ends a moment after its last task: once the containers it removes are gone.
    await s.wb.page
      .locator('.monaco-list-row[aria-level="2"]', { hasText: /flaky · .*failed/ })
      .waitFor({ timeout: 30_000 });
    await row.hover();
    await row.locator('.action-label[aria-label="Re-run Failed Tasks"]').click();
    await s.wb.page.locator('.part.panel', { hasText: '[flaky] flaky try 2' }).waitFor({ timeout: 60_000 });
    await s.wb.page
      .locator('.monaco-list-row', { hasText: /flaky · .*success/ })
      .first()
      .waitFor({ timeout: 60_000 });
    assert.equal(await runs.count(), 1, 'cleared inside the run, not a second run');
    if ((await row.getAttribute('aria-expanded')) !== 'true') await row.locator('.monaco-tl-twistie').click();
    const task = s.wb.page.locator('.monaco-list-row[aria-level="3"]', { hasText: /^flaky/ }).first();
    await task.waitFor({ timeout: 30_000 });
    assert.match(await task.innerText(), /success/);
    if ((await task.getAttribute('aria-expanded')) !== 'true') await task.locator('.monaco-tl-twistie').click();
    // The latest attempt, then the earlier one kept in the run's history.
    await s.wb.page
      .locator('.monaco-list-row[aria-level="4"]', { hasText: /attempt\s*2 of 2/ })
      .first()
      .waitFor({ timeout: 10_000 });
    await s.wb.page
      .locator('.monaco-list-row[aria-level="4"]', { hasText: /try 1\s*failed · exit code 1/ })
      .first()
      .waitFor({ timeout: 10_000 });
    await s.wb.screenshot('9e-run-cleared-in-place');
  });

  it('backfills from a form that previews the dates (count, first and last, which already have runs), in one progress notification', async () => {
    await s.wb.openFile('daily.dag.yaml');
    const widget = s.wb.page.locator('.quick-input-widget');
    const input = widget.locator('input');
    const title = widget.locator('.quick-input-title');
    const form = async (from: string, to: string) => {
      await s.wb.command('Container DAGs: Backfill…');
      await title.filter({ hasText: '(1/4)' }).waitFor({ timeout: 30_000 });
      await input.fill(from);
      await s.wb.page.keyboard.press('Enter');
      await title.filter({ hasText: '(2/4)' }).waitFor();
      await input.fill(to);
      await s.wb.page.keyboard.press('Enter');
      await title.filter({ hasText: '(3/4)' }).waitFor();
    };
    await form('2024-01-01', '2024-01-03');
    assert.match(
      (await input.getAttribute('placeholder')) ?? '',
      /3 logical date\(s\) from 2024-01-01 to 2024-01-03: 3 never run/,
    );
    const first = widget.locator('.quick-input-list .monaco-list-row').first();
    assert.match(await first.innerText(), /Run failed dates again[\s\S]*3 runs: 2024-01-01 … 2024-01-03/);
    await s.wb.page.keyboard.press('Enter');
    await title.filter({ hasText: '(4/4)' }).waitFor();
    await s.wb.page.keyboard.press('Enter');
    const dialog = s.wb.page.locator('.monaco-dialog-box', { hasText: 'Backfill daily: 3 runs' });
    await dialog.waitFor({ timeout: 30_000 });
    await dialog.locator('.monaco-button', { hasText: 'Start 3 Runs' }).click();
    await s.wb.page
      .locator('.notifications-toasts', { hasText: 'Backfill daily: 3 of 3 runs, 3 succeeded.' })
      .waitFor({ timeout: 90_000 });
    // One summary, not a message per run.
    assert.equal(
      await s.wb.page.locator('.notifications-toasts', { hasText: /DAG daily \(2024-01-0\d\) succeeded/ }).count(),
      0,
    );
    // A wider range: the preview knows which dates already ran.
    await form('2024-01-01', '2024-01-04');
    assert.match((await input.getAttribute('placeholder')) ?? '', /4 logical date\(s\) .*: 3 succeeded, 1 never run/);
    assert.match(await first.innerText(), /1 run: 2024-01-04/);
    await s.wb.screenshot('9f-backfill-preview');
    await s.wb.page.keyboard.press('Escape');
  });
});
