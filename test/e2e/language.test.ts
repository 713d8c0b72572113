import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, startCodeServer, type CodeServer } from './codeServer';
import { Workbench } from './workbench';

const VSIX = join(ROOT, 'dist', 'container-dags.vsix');

describe('Container DAGs in a real VS Code (code-server, headless Chromium)', function () {
  this.timeout(180_000);
  let server: CodeServer;
  let wb: Workbench;

  before(async () => {
    assert.ok(existsSync(VSIX), `package the extension first: ${VSIX} is missing (npm run package)`);
    server = await startCodeServer(VSIX);
    wb = await Workbench.open(server.url);
  });

  after(async () => {
    await wb?.close();
    await server?.stop();
  });

  it('shows a typo in depends_on as a diagnostic in the Problems panel', async () => {
    await wb.openFile('typo.dag.yaml');
    await wb.page.locator('#status\\.problems, .statusbar-item[id="status.problems"]').first().click();
    const row = wb.page.locator('.markers-panel .monaco-list-row', { hasText: 'Unknown task "fetch_ratngs"' });
    await row.waitFor({ timeout: 60_000 });
    assert.match(await row.innerText(), /Did you mean "fetch_ratings"\?/);
    await wb.screenshot('1-problems-panel');
  });

  it('offers the task ids when completing inside depends_on', async () => {
    await wb.openFile('pipeline.dag.yaml');
    await wb.goTo(14, 18);
    await wb.page.keyboard.press('Control+Space');
    const suggest = wb.page.locator('.suggest-widget.visible');
    await suggest.waitFor({ timeout: 30_000 });
    await wb.page.locator('.suggest-widget .monaco-list-row', { hasText: 'rank_movies' }).waitFor();
    const rows = await wb.page.locator('.suggest-widget .monaco-list-row .label-name').allInnerTexts();
    assert.ok(rows.includes('fetch_ratings') && rows.includes('rank_movies'), rows.join(', '));
    assert.ok(!rows.includes('report'), 'a task is not offered as its own dependency');
    await wb.screenshot('2-completion-depends-on');
    await wb.page.keyboard.press('Escape');
  });

  it('shows the key documentation on hover', async () => {
    await wb.goTo(11, 7);
    await wb.command('Show or Focus Hover');
    const hover = wb.page.locator('.monaco-hover', { hasText: 'Tasks that must finish before this one starts' });
    await hover.waitFor({ timeout: 30_000 });
    await wb.page.waitForTimeout(400); // let the fade-in finish so the screenshot shows what a user reads
    await wb.screenshot('3-hover-docs');
    await wb.page.keyboard.press('Escape');
  });

  it('renames a task and every reference to it', async () => {
    await wb.goTo(5, 5);
    await wb.page.keyboard.press('F2');
    // The rename box opens with the old name selected; typing replaces it.
    const input = wb.page.locator('.rename-box .rename-input:focus');
    await input.waitFor({ timeout: 30_000 });
    assert.equal(await input.inputValue(), 'fetch_ratings');
    await wb.page.keyboard.type('fetch_movie_ratings');
    await wb.screenshot('4-rename-input');
    await wb.page.keyboard.press('Enter');
    await wb.page.waitForTimeout(500);
    await wb.command('File: Save');
    const file = join(server.workspace, 'pipeline.dag.yaml');
    const deadline = Date.now() + 15_000;
    let text = readFileSync(file, 'utf8');
    while (!text.includes('fetch_movie_ratings') && Date.now() < deadline) {
      await wb.page.waitForTimeout(250);
      text = readFileSync(file, 'utf8');
    }
    assert.equal((text.match(/\bfetch_movie_ratings\b/g) ?? []).length, 2, text);
    assert.ok(!/\bfetch_ratings\b/.test(text), text);
    await wb.screenshot('5-after-rename');
  });
});
