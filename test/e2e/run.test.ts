import assert from 'node:assert/strict';
import { ensureTestImage } from '../integration/docker/dockerEnv';
import { workbenchSession } from './session';

describe('running a DAG from VS Code on the local Docker Engine', function () {
  this.timeout(180_000);
  const s = workbenchSession(ensureTestImage);

  it('runs from the CodeLens, streams lines to the output channel and shows success in the DAG Runs tree', async () => {
    await s.wb.openFile('hello.dag.yaml');
    const lens = s.wb.page.locator('.codelens-decoration a', { hasText: 'Run DAG' }).first();
    await lens.waitFor({ timeout: 60_000 });
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
    const header = s.wb.page.locator('.pane-header', { hasText: 'DAG Runs' });
    await header.waitFor();
    if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
    const row = s.wb.page.locator('.monaco-list-row', { hasText: 'hello · ' }).first();
    await row.waitFor({ timeout: 30_000 });
    assert.match(await row.innerText(), /success/);
    await s.wb.screenshot('7-run-succeeded');
  });
});
