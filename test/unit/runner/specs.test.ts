import assert from 'node:assert/strict';
import { analyzeDag } from '../../../src/dag/analyze';
import { containerCreateBody } from '../../../src/runner/docker/containerSpec';
import { podManifest, podName } from '../../../src/runner/kubernetes/podSpec';
import { labelValue } from '../../../src/dag/labels';
import { renderTask } from '../../../src/runner/renderTask';

const DAG = `dag: specs
defaults:
  retries: 2
  env: { A: "1", B: base }
  resources: { cpu: 500m, memory: 256Mi }
kubernetes:
  namespace: ns
  labels: { team: data }
  tolerations: [{ key: k, operator: Exists, effect: NoSchedule }]
tasks:
  t:
    image: "busybox:{{ params.tag | default(\\"1.36\\") }}"
    command: "sh -c 'echo {{ ds }}'"
    env: { B: own }
    secrets: { TOKEN: api-token/value }
    user: "1000"
    timeout: 1m
    kubernetes: { labels: { stage: one } }
`;

const DAY = { start: new Date('2024-01-01T00:00:00Z'), end: new Date('2024-01-02T00:00:00Z') };

function rendered() {
  const a = analyzeDag(DAG);
  assert.ok(!a.hasErrors, JSON.stringify(a.problems));
  const dag = a.dag!;
  const r = renderTask(dag, dag.tasks[0]!, {
    runId: 'manual__x',
    tryNumber: 1,
    interval: { start: new Date('2024-01-01T00:00:00Z'), end: new Date('2024-01-02T00:00:00Z') },
  });
  assert.ok(r.succeeded);
  return { dag, r: r.result };
}

describe('container and pod specs', () => {
  it('merges defaults: maps merge, the task wins', () => {
    const { r } = rendered();
    assert.deepEqual({ ...r.env }, { A: '1', B: 'own' });
    assert.equal(r.task.retries, 2);
  });

  it('puts a secret value only into Env of the Docker body', () => {
    const { dag, r } = rendered();
    const body = containerCreateBody(dag, r, 'manual__x', 1, { TOKEN: 's3cr3t-value' });
    assert.ok(body.succeeded);
    const json = JSON.stringify(body.result);
    assert.equal(json.split('s3cr3t-value').length - 1, 1);
    assert.ok(body.result.Env.includes('TOKEN=s3cr3t-value'));
    assert.ok(!JSON.stringify(body.result.Labels).includes('s3cr3t'));
    assert.deepEqual(body.result.Entrypoint, ['sh', '-c', 'echo 2024-01-01']);
    assert.equal(body.result.Image, 'busybox:1.36');
    assert.equal(body.result.HostConfig.NanoCpus, 5e8);
    assert.equal(body.result.HostConfig.Memory, 256 * 2 ** 20);
  });

  it('gives a pod API credentials only when its DAG names a service account, and no service-link variables', () => {
    const { dag, r } = rendered();
    const plain = podManifest(dag, r, 'manual__x', 1);
    assert.ok(plain.succeeded);
    assert.equal(plain.result.spec.automountServiceAccountToken, false);
    assert.equal(plain.result.spec.enableServiceLinks, false);
    assert.equal(plain.result.spec.serviceAccountName, undefined);
    const withAccount = analyzeDag(DAG.replace('  namespace: ns', '  namespace: ns\n  service_account: loader'));
    assert.ok(!withAccount.hasErrors, JSON.stringify(withAccount.problems));
    const d = withAccount.dag!;
    const rr = renderTask(d, d.tasks[0]!, { runId: 'manual__x', tryNumber: 1, interval: DAY });
    assert.ok(rr.succeeded);
    const pod = podManifest(d, rr.result, 'manual__x', 1);
    assert.ok(pod.succeeded);
    assert.equal(pod.result.spec.serviceAccountName, 'loader');
    assert.equal(pod.result.spec.automountServiceAccountToken, true);
  });

  it('builds a pod with secretKeyRef, merged labels, tolerations, resources and a deadline', () => {
    const { dag, r } = rendered();
    const pod = podManifest(dag, r, 'manual__x', 1);
    assert.ok(pod.succeeded);
    const p = pod.result;
    assert.equal(p.metadata.labels.team, 'data');
    assert.equal(p.metadata.labels.stage, 'one');
    assert.equal(p.metadata.labels['io.container-dags/managed-by'], 'container-dags');
    assert.deepEqual(p.spec.tolerations, [{ key: 'k', operator: 'Exists', effect: 'NoSchedule' }]);
    const c = p.spec.containers[0];
    assert.deepEqual(c.resources, {
      requests: { cpu: '500m', memory: String(256 * 2 ** 20) },
      limits: { cpu: '500m', memory: String(256 * 2 ** 20) },
    });
    assert.deepEqual(c.securityContext, { runAsUser: 1000 });
    assert.deepEqual(
      c.env?.find((e) => e.name === 'TOKEN'),
      {
        name: 'TOKEN',
        valueFrom: { secretKeyRef: { name: 'api-token', key: 'value' } },
      },
    );
    assert.equal(p.spec.activeDeadlineSeconds, 60 + 120);
  });

  it('derives DNS-1123 pod names that differ per try', () => {
    const a = podName('My_DAG.v1', 'Fetch_Ratings', 'manual__2019', 1);
    const b = podName('My_DAG.v1', 'Fetch_Ratings', 'manual__2019', 2);
    assert.match(a, /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    assert.notEqual(a, b);
    assert.ok(podName('x'.repeat(200), 'y'.repeat(200), 'r', 1).length <= 63);
  });

  it('makes label values Kubernetes-valid', () => {
    assert.equal(labelValue('manual__2019-01-01T00:00:00+00:00'), 'manual__2019-01-01T00_00_00_00_00');
    assert.ok(labelValue('a'.repeat(100)).length <= 63);
  });
});
