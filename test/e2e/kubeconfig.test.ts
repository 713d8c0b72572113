import assert from 'node:assert/strict';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { kubeconfig } from '../integration/kubernetes/clusterEnv';
import { workbenchSession } from './session';

describe('setting up Kubernetes from VS Code when no kubeconfig is found', function () {
  this.timeout(180_000);
  const s = workbenchSession(undefined, {
    settings: {
      'containerDags.backend': 'kubernetes',
      // A kubeconfig that is not there, wherever the suite runs.
      'containerDags.kubernetes.kubeconfig': join(tmpdir(), `cdag-e2e-no-kubeconfig-${process.pid}`, 'config'),
    },
  });

  it('says "no kubeconfig" instead of naming a context, offers Browse kubeconfig…, and runs on the contexts of the file chosen', async () => {
    await s.wb.openFile('hello.dag.yaml');
    const status = s.wb.page.locator('.statusbar-item', { hasText: '⎈' }).first();
    try {
      await status.filter({ hasText: 'no kubeconfig' }).waitFor({ timeout: 30_000 });
    } finally {
      await s.wb.screenshot('k8s-1-no-kubeconfig');
    }
    await status.click();
    const picker = s.wb.page.locator('.quick-input-widget');
    const rows = picker.locator('.quick-input-list .monaco-list-row');
    await rows.filter({ hasText: 'Browse kubeconfig…' }).waitFor({ timeout: 30_000 });
    // No phantom context: Docker and Browse, nothing that looks like a cluster.
    const labels = await rows.locator('.label-name').allInnerTexts();
    assert.deepEqual(
      labels.map((l) => l.trim()),
      ['Docker', 'Browse kubeconfig…'],
    );
    await s.wb.screenshot('k8s-2-picker-browse');
    await rows.filter({ hasText: 'Browse kubeconfig…' }).click();
    // VS Code's own file dialog (in the browser, the simple one): a path typed and accepted.
    const input = picker.locator('input');
    await picker.locator('.quick-input-title', { hasText: 'Choose a kubeconfig' }).waitFor({ timeout: 30_000 });
    await input.fill(kubeconfig());
    await s.wb.page.waitForTimeout(500);
    await s.wb.page.keyboard.press('Enter');
    // The backend picker comes back with the file's contexts.
    const context = rows.filter({ hasText: '⎈' }).first();
    await context.waitFor({ timeout: 30_000 });
    await s.wb.screenshot('k8s-3-picker-contexts');
    const name = (await context.locator('.label-name').innerText()).replace('⎈', '').trim();
    await context.click();
    await status.filter({ hasText: `⎈ ${name}/` }).waitFor({ timeout: 30_000 });
    assert.doesNotMatch(await status.innerText(), /no kubeconfig/);
  });
});
