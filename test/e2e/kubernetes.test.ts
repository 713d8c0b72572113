import assert from 'node:assert/strict';
import { ensureTestImage, TEST_IMAGE } from '../integration/docker/dockerEnv';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureNamespace, kubeconfig, kubectl, loadImages } from '../integration/kubernetes/clusterEnv';
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
        'kdescribe.dag.yaml': `dag: kdescribe
kubernetes: {delete_pods: never}
tasks:
  probe:
    image: ${TEST_IMAGE}
    image_pull_policy: Never
    command: [sh, -c, 'echo probe started; sleep 10; echo probe done']
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
    // Before any run: VS Code ticks a walkthrough step only on what happens after the walkthrough was shown.
    await s.wb.visitWalkthrough();
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
    await s.wb.showRuns();
    // Room for the tree: the DAGs view folds away (the list draws only the rows in view).
    const dags = s.wb.page.locator('.sidebar .pane-header', {
      has: s.wb.page.locator('.title', { hasText: /^DAGs$/i }),
    });
    if ((await dags.getAttribute('aria-expanded')) === 'true') await dags.click();
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
    // The pod's phase follows the kubelet's next status report, after the run has ended: the tree
    // shows it without a refresh, from its own watch of the pod.
    await s.wb.page
      .locator('.monaco-list-row', { hasText: 'phase' })
      .filter({ hasText: 'Succeeded' })
      .waitFor({ timeout: 20_000 });
    // Something happens to the pod that no run event reports: an event about it appears in the
    // tree on its own.
    const pod = /pod (kpod-hello-[0-9a-f]{8})/.exec(
      await s.wb.page.locator('.monaco-list-row', { hasText: 'pod kpod-hello-' }).first().innerText(),
    )![1]!;
    const now = new Date().toISOString();
    const event = join(mkdtempSync(join(tmpdir(), 'cdag-e2e-event-')), 'event.json');
    writeFileSync(
      event,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name: `${pod}.e2e-probe`, namespace: 'cdag-e2e' },
        involvedObject: { kind: 'Pod', name: pod, namespace: 'cdag-e2e' },
        reason: 'E2EProbe',
        message: 'looked at by the e2e suite',
        type: 'Normal',
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
      }),
    );
    kubectl('create', '-f', event);
    // The list draws only the rows in view: keep its last row (where a new event goes) in view.
    await s.wb.page.locator('.monaco-list-row', { hasText: 'event Normal Started' }).first().click();
    const probe = s.wb.page.locator('.monaco-list-row', { hasText: 'event Normal E2EProbe' });
    for (let i = 0; i < 30 && (await probe.count()) === 0; i++) {
      await s.wb.page.keyboard.press('End');
      await s.wb.page.waitForTimeout(500);
    }
    try {
      await probe.first().waitFor({ timeout: 1_000 });
    } finally {
      await s.wb.screenshot('11c-kubernetes-pod-event-live');
    }
    await s.wb.screenshot('11-kubernetes-pod-described');
  });

  it('opens Describe Pod beside the editor while the pod runs, and the description follows the pod to Succeeded on its own', async () => {
    await s.wb.openFile('kdescribe.dag.yaml');
    await (await s.wb.codeLens('Run DAG')).click();
    await s.wb.page.locator('.part.panel', { hasText: '[probe] probe started' }).waitFor({ timeout: 90_000 });
    await s.wb.showRuns();
    const dags = s.wb.page.locator('.sidebar .pane-header', {
      has: s.wb.page.locator('.title', { hasText: /^DAGs$/i }),
    });
    if ((await dags.getAttribute('aria-expanded')) === 'true') await dags.click();
    const run = s.wb.page.locator('.monaco-list-row', { hasText: 'kdescribe · ' }).first();
    await run.waitFor({ timeout: 30_000 });
    if ((await run.getAttribute('aria-expanded')) !== 'true') await run.locator('.monaco-tl-twistie').click();
    const task = s.wb.page.locator('.monaco-list-row[aria-level="3"]', { hasText: 'probe' }).first();
    await task.waitFor({ timeout: 30_000 });
    await task.hover();
    await task.locator('.action-label[aria-label="Describe Pod"]').click();
    const tab = s.wb.page.locator('.tab', { hasText: /kdescribe-probe-.*\.describe/ }).first();
    await tab.waitFor({ timeout: 30_000 });
    // Beside the DAG file, not over it.
    const group = s.wb.page.locator('.editor-group-container', { has: tab });
    assert.equal(await group.locator('.tab', { hasText: 'kdescribe.dag.yaml' }).count(), 0);
    const text = group.locator('.monaco-editor .view-lines').first();
    const phase = async () => /Phase:\s+(\w+)/.exec((await text.innerText()).replace(/\u00a0/g, ' '))?.[1];
    for (let i = 0; i < 40 && (await phase()) === undefined; i++) await s.wb.page.waitForTimeout(250);
    assert.equal(await phase(), 'Running', 'described while it runs');
    await s.wb.screenshot('11d-describe-pod-running');
    // Nothing is clicked again: the watch of the pod brings the description up to date.
    for (let i = 0; i < 120 && (await phase()) !== 'Succeeded'; i++) await s.wb.page.waitForTimeout(500);
    assert.equal(await phase(), 'Succeeded');
    assert.match((await text.innerText()).replace(/\u00a0/g, ' '), /Terminated · Completed · exit code 0/);
    await s.wb.screenshot('11e-describe-pod-followed');
    // The walkthrough's last step, "run on Kubernetes", completes on such a run.
    assert.ok(await s.wb.walkthroughStepTicked('kubernetes'), 'the Kubernetes step is ticked');
    await s.wb.page.locator('.tab.active .tab-actions .action-label').first().click();
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
