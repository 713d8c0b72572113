import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ensureTestImage } from '../integration/docker/dockerEnv';
import { ROOT, startCodeServer, type CodeServer } from './codeServer';
import { Workbench } from './workbench';

const VSIX = join(ROOT, 'dist', 'container-dags.vsix');

describe('running a DAG from VS Code on the local Docker Engine', function () {
  this.timeout(180_000);
  let server: CodeServer;
  let wb: Workbench;

  before(async () => {
    assert.ok(existsSync(VSIX), `package the extension first: ${VSIX} is missing (npm run package)`);
    ensureTestImage();
    server = await startCodeServer(VSIX);
    wb = await Workbench.open(server.url);
  });

  after(async () => {
    await wb?.close();
    await server?.stop();
  });

  it('runs from the CodeLens, streams lines to the output channel and shows success in the DAG Runs tree', async () => {
    await wb.openFile('hello.dag.yaml');
    const lens = wb.page.locator('.codelens-decoration a', { hasText: 'Run DAG' }).first();
    await lens.waitFor({ timeout: 60_000 });
    await wb.screenshot('6-codelens-run-dag');
    await lens.click();
    const output = wb.page.locator('.part.panel', { hasText: '[greet] hello from the e2e run' });
    try {
      await output.waitFor({ timeout: 60_000 });
    } finally {
      await wb.screenshot('6b-after-run-click');
    }
    await wb.page.locator('.part.panel', { hasText: 'hello: success' }).waitFor({ timeout: 60_000 });
    // The DAG Runs view sits in the Explorer; expand it if it is collapsed.
    const header = wb.page.locator('.pane-header', { hasText: 'DAG Runs' });
    await header.waitFor();
    if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
    const row = wb.page.locator('.monaco-list-row', { hasText: 'hello · ' }).first();
    await row.waitFor({ timeout: 30_000 });
    assert.match(await row.innerText(), /success/);
    await wb.screenshot('7-run-succeeded');
  });
});
