import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { ensureTestImage } from '../integration/docker/dockerEnv';
import { workbenchSession } from './session';

describe('Restricted Mode (an untrusted workspace)', function () {
  this.timeout(180_000);
  const s = workbenchSession(ensureTestImage, { workspaceTrust: true });

  const ourContainers = () =>
    execFileSync('docker', ['ps', '-aq', '--filter', 'label=io.container-dags/dag=hello'], { encoding: 'utf8' }).trim();

  it('still validates, but refuses to run a DAG, saying why, and starts no container', async () => {
    // Answer the trust prompt as a cautious user would.
    const dontTrust = s.wb.page.getByRole('button', { name: /No, I don't trust the authors/i });
    await dontTrust.waitFor({ timeout: 60_000 });
    await dontTrust.click();
    await s.wb.openFile('typo.dag.yaml');
    await s.wb.page.locator('#status\\.problems, .statusbar-item[id="status.problems"]').first().click();
    await s.wb.page
      .locator('.markers-panel .monaco-list-row', { hasText: 'Unknown task "fetch_ratngs"' })
      .waitFor({ timeout: 60_000 });
    const before = ourContainers();
    await s.wb.openFile('hello.dag.yaml');
    const lens = await s.wb.codeLens('Run DAG');
    await lens.click();
    await s.wb.page
      .locator('.notifications-toasts', { hasText: 'Running DAGs is disabled in Restricted Mode' })
      .waitFor({ timeout: 30_000 });
    await s.wb.screenshot('10-restricted-mode-refuses-run');
    assert.equal(ourContainers(), before);
  });
});
