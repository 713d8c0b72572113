import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { workbenchSession } from './session';

describe('Container DAGs in a real VS Code (code-server, headless Chromium)', function () {
  this.timeout(180_000);
  const tasks = Array.from(
    { length: 1200 },
    (_, i) =>
      `  task_${i}:\n    image: busybox\n    command: [echo, "{{ ds }}"]${i ? `\n    depends_on: [task_${i - 1}]` : ''}`,
  );
  /** Over the 64 KiB threshold: parsed and queried in the worker, not on the extension host's thread. */
  const LARGE = `dag: large\ntasks:\n${tasks.join('\n')}\n  last:\n    image: busybox\n    depends_on: [task_11999]\n`;
  const s = workbenchSession(undefined, { extraFiles: { 'large.dag.yaml': LARGE } });

  it('shows a typo in depends_on as a diagnostic in the Problems panel', async () => {
    await s.wb.openFile('typo.dag.yaml');
    await s.wb.page.locator('#status\\.problems, .statusbar-item[id="status.problems"]').first().click();
    const row = s.wb.page.locator('.markers-panel .monaco-list-row', { hasText: 'Unknown task "fetch_ratngs"' });
    await row.waitFor({ timeout: 60_000 });
    assert.match(await row.innerText(), /Did you mean "fetch_ratings"\?/);
    await s.wb.screenshot('1-problems-panel');
  });

  it('offers the task ids when completing inside depends_on', async () => {
    await s.wb.openFile('pipeline.dag.yaml');
    await s.wb.goTo(14, 18);
    const suggest = s.wb.page.locator('.suggest-widget.visible');
    // A Ctrl+Space that lands before the editor has focus (or the language is up) opens nothing: ask again.
    for (let i = 0; ; i++) {
      await s.wb.page.keyboard.press('Control+Space');
      try {
        await suggest.waitFor({ timeout: 10_000 });
        break;
      } catch (e) {
        if (i >= 2) throw e;
      }
    }
    await s.wb.page.locator('.suggest-widget .monaco-list-row', { hasText: 'rank_movies' }).waitFor();
    const rows = await s.wb.page.locator('.suggest-widget .monaco-list-row .label-name').allInnerTexts();
    assert.ok(rows.includes('fetch_ratings') && rows.includes('rank_movies'), rows.join(', '));
    assert.ok(!rows.includes('report'), 'a task is not offered as its own dependency');
    await s.wb.screenshot('2-completion-depends-on');
    await s.wb.page.keyboard.press('Escape');
  });

  it('shows the key documentation on hover', async () => {
    await s.wb.goTo(11, 7);
    await s.wb.command('Show or Focus Hover');
    const hover = s.wb.page.locator('.monaco-hover', { hasText: 'Tasks that must finish before this one starts' });
    await hover.waitFor({ timeout: 30_000 });
    await s.wb.page.waitForTimeout(400); // let the fade-in finish so the screenshot shows what a user reads
    await s.wb.screenshot('3-hover-docs');
    await s.wb.page.keyboard.press('Escape');
  });

  it('answers for a large file (parsed in the worker): its typo reaches Problems and hover works', async () => {
    const text = LARGE;
    assert.ok(text.length > 64 * 1024);
    await s.wb.openFile('large.dag.yaml');
    try {
      await s.wb.page
        .locator('.markers-panel .monaco-list-row', { hasText: 'Unknown task "task_11999"' })
        .waitFor({ timeout: 60_000 });
    } finally {
      await s.wb.screenshot('5a-large-file');
    }
    const line = text.split('\n').findIndex((l) => l.includes('depends_on: [task_0]')) + 1;
    await s.wb.goTo(line, 22);
    await s.wb.command('Show or Focus Hover');
    await s.wb.page.locator('.monaco-hover', { hasText: 'Task task_0' }).waitFor({ timeout: 30_000 });
    await s.wb.page.keyboard.press('Escape');
    await s.wb.command('View: Close Editor');
  });

  it('renames a task and every reference to it', async () => {
    await s.wb.openFile('pipeline.dag.yaml');
    await s.wb.goTo(5, 5);
    await s.wb.page.keyboard.press('F2');
    // The rename box opens with the old name selected; typing replaces it.
    const input = s.wb.page.locator('.rename-box .rename-input:focus');
    await input.waitFor({ timeout: 30_000 });
    assert.equal(await input.inputValue(), 'fetch_ratings');
    await s.wb.page.keyboard.type('fetch_movie_ratings');
    await s.wb.screenshot('4-rename-input');
    await s.wb.page.keyboard.press('Enter');
    await s.wb.page.waitForTimeout(500);
    await s.wb.command('File: Save');
    const file = join(s.server.workspace, 'pipeline.dag.yaml');
    const deadline = Date.now() + 15_000;
    let text = readFileSync(file, 'utf8');
    while (!text.includes('fetch_movie_ratings') && Date.now() < deadline) {
      await s.wb.page.waitForTimeout(250);
      text = readFileSync(file, 'utf8');
    }
    assert.equal((text.match(/\bfetch_movie_ratings\b/g) ?? []).length, 2, text);
    assert.ok(!/\bfetch_ratings\b/.test(text), text);
    await s.wb.screenshot('5-after-rename');
  });
});
