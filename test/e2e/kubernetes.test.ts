import { ensureTestImage, TEST_IMAGE } from '../integration/docker/dockerEnv';
import { ensureNamespace, kubeconfig, loadImages } from '../integration/kubernetes/clusterEnv';
import { workbenchSession } from './session';

describe('running a DAG from VS Code as pods on Kubernetes', function () {
  this.timeout(180_000);
  const s = workbenchSession(
    () => {
      ensureTestImage();
      loadImages(TEST_IMAGE);
      ensureNamespace('cdag-e2e');
    },
    {
      settings: {
        'containerDags.backend': 'kubernetes',
        'containerDags.kubernetes.kubeconfig': kubeconfig(),
        'containerDags.kubernetes.namespace': 'cdag-e2e',
      },
      extraFiles: {
        'kpod.dag.yaml': `dag: kpod
kubernetes: {delete_pods: never}
tasks:
  hello:
    image: ${TEST_IMAGE}
    image_pull_policy: Never
    command: [sh, -c, 'echo hello from a pod']
`,
        'kslow.dag.yaml': `dag: kslow
tasks:
  slow:
    image: ${TEST_IMAGE}
    image_pull_policy: Never
    command: [sh, -c, 'echo begun; sleep 8; echo finished']
`,
      },
    },
  );

  it('shows the context in the status bar, runs from the CodeLens as pods, and describes the pod in DAG Runs', async () => {
    await s.wb.openFile('kpod.dag.yaml');
    await s.wb.page
      .locator('.statusbar-item', { hasText: '⎈' })
      .filter({ hasText: 'cdag-e2e' })
      .waitFor({ timeout: 30_000 });
    const lens = await s.wb.codeLens('Run DAG');
    await lens.click();
    try {
      await s.wb.page.locator('.part.panel', { hasText: '[hello] hello from a pod' }).waitFor({ timeout: 90_000 });
    } finally {
      await s.wb.screenshot('11a-kubernetes-after-run-click');
    }
    await s.wb.page.locator('.part.panel', { hasText: 'kpod: success' }).waitFor({ timeout: 60_000 });
    const runsHeader = await s.wb.showRuns();
    // Room for the tree: the file list folds away (the list draws only the rows in view).
    const files = s.wb.page.locator('.pane-header', { hasText: 'workspace' }).first();
    if ((await files.getAttribute('aria-expanded')) === 'true') await files.click();
    await s.wb.page.locator('.monaco-list-row', { hasText: 'kpod · ' }).first().click();
    // The task row's own click opens its log; its twistie expands it.
    await s.wb.page
      .locator('.monaco-list-row', { hasText: 'hello' })
      .filter({ hasText: 'success' })
      .first()
      .locator('.monaco-tl-twistie')
      .click();
    try {
      await s.wb.page
        .locator('.monaco-list-row', { hasText: 'pod kpod-hello-' })
        .first()
        .locator('.monaco-tl-twistie')
        .click({ timeout: 20_000 });
    } finally {
      await s.wb.screenshot('11b-kubernetes-runs-tree');
    }
    await s.wb.page.getByRole('treeitem', { name: 'cdag-node', exact: true }).waitFor({ timeout: 30_000 });
    await s.wb.page
      .locator('.monaco-list-row', { hasText: 'container task' })
      .filter({ hasText: 'exit code 0' })
      .waitFor({ timeout: 30_000 });
    await s.wb.page.locator('.monaco-list-row', { hasText: 'event Normal Started' }).first().waitFor();
    // The pod's phase follows the kubelet's next status report; the view's refresh reads it again.
    for (let i = 0; i < 20; i++) {
      if (
        (await s.wb.page.locator('.monaco-list-row', { hasText: 'phase' }).filter({ hasText: 'Succeeded' }).count()) > 0
      )
        break;
      await runsHeader.hover();
      await runsHeader.locator('.action-label').first().click();
      await s.wb.page.waitForTimeout(1000);
    }
    await s.wb.page
      .locator('.monaco-list-row', { hasText: 'phase' })
      .filter({ hasText: 'Succeeded' })
      .waitFor({ timeout: 5_000 });
    await s.wb.screenshot('11-kubernetes-pod-described');
  });

  it('after the extension host crashes mid-run, the next window reattaches the pod and finishes the run (test 10)', async () => {
    await s.wb.openFile('kslow.dag.yaml');
    await (await s.wb.codeLens('Run DAG')).click();
    await s.wb.page.locator('.part.panel', { hasText: '[slow] begun' }).waitFor({ timeout: 90_000 });
    s.server.crashExtensionHost();
    await s.wb.page.reload();
    await s.wb.page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
    await s.wb.showRuns(60_000);
    try {
      await s.wb.page
        .locator('.monaco-list-row', { hasText: /kslow · .*success/ })
        .first()
        .waitFor({ timeout: 90_000 });
    } finally {
      await s.wb.screenshot('12-kubernetes-resumed-after-crash');
    }
    await s.wb.page.locator('.part.panel', { hasText: 'resumed after a reload' }).waitFor({ timeout: 30_000 });
    await s.wb.page.locator('.part.panel', { hasText: '[slow] finished' }).waitFor({ timeout: 30_000 });
  });
});
