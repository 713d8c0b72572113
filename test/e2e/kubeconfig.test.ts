import assert from 'node:assert/strict';
import { basename, join } from 'node:path';
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
    const file = kubeconfig();
    // The dialog fills in the workspace folder once it has listed it: type over that, not before.
    await rows.filter({ hasText: '..' }).first().waitFor({ timeout: 30_000 });
    await s.wb.page.waitForFunction(
      () =>
        !!(globalThis as unknown as { document: { querySelector(s: string): { value: string } | null } }).document
          .querySelector('.quick-input-widget input')
          ?.value.endsWith('/'),
    );
    await input.fill(file);
    // The dialog goes to the folder typed and lists its files: pick the file, then accept.
    await rows
      .filter({ hasText: basename(file) })
      .first()
      .click({ timeout: 30_000 });
    const titled = picker.locator('.quick-input-title', { hasText: 'Choose a kubeconfig' });
    if (await titled.isVisible().catch(() => false)) {
      await s.wb.page.waitForTimeout(300);
      if (await titled.isVisible().catch(() => false))
        await picker.locator('.monaco-button', { hasText: 'Use this kubeconfig' }).click();
    }
    // The backend picker comes back with the file's contexts.
    const context = rows.filter({ hasText: '⎈' }).first();
    try {
      await context.waitFor({ timeout: 30_000 });
    } finally {
      await s.wb.screenshot('k8s-3-after-browse');
    }
    await s.wb.screenshot('k8s-3-picker-contexts');
    const name = (await context.locator('.label-name').innerText()).replace('⎈', '').trim();
    await context.click();
    await status.filter({ hasText: `⎈ ${name}/` }).waitFor({ timeout: 30_000 });
    assert.doesNotMatch(await status.innerText(), /no kubeconfig/);
  });
});
