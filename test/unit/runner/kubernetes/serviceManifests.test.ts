import assert from 'node:assert/strict';
import { analyzeDag } from '../../../../src/dag/analyze';
import { LABELS } from '../../../../src/dag/labels';
import {
  SERVICE_DEADLINE_SECONDS,
  serviceObject,
  serviceObjectName,
  servicePod,
} from '../../../../src/runner/kubernetes/serviceManifests';

const dag = analyzeDag(
  `kubernetes:
  namespace: etl
  node_selector: {pool: batch}
  env_from: [{config_map: shared}]
  pod: {spec: {securityContext: {runAsNonRoot: true}, restartPolicy: Always}, metadata: {name: hijack, labels: {team: data}}}
services:
  db:
    image: postgres:16
    env: {POSTGRES_DB: d}
    secrets: {POSTGRES_PASSWORD: db-pw/password}
    ports: [5432]
    resources: {cpu: 0.5, memory: 256Mi}
    ready: {command: [pg_isready], interval: 2s, timeout: 30s}
  plain: {image: busybox, command: [sleep, '60']}
tasks:
  t: {image: busybox, services: [db, plain]}
`,
  'x.dag.yaml',
).dag!;

describe('a service as a pod and a Service on Kubernetes', () => {
  it('names both objects as a DNS label, unique per run and service', () => {
    const a = serviceObjectName('My_DAG', 'db', 'run-1');
    assert.match(a, /^[a-z]([-a-z0-9]*[a-z0-9])?$/);
    assert.ok(a.length <= 63);
    assert.notEqual(a, serviceObjectName('My_DAG', 'db', 'run-2'));
  });

  it('makes a pod with the readiness probe, secrets as references, the DAG’s scheduling and its pod patch, and stays ours', () => {
    const pod = servicePod(dag, dag.services.get('db')!, 'run-1', 'etl');
    const c = pod.spec!.containers[0]!;
    assert.deepEqual(c.readinessProbe, {
      exec: { command: ['pg_isready'] },
      periodSeconds: 2,
      timeoutSeconds: 2,
      failureThreshold: 1,
    });
    assert.deepEqual(c.env, [
      { name: 'POSTGRES_DB', value: 'd' },
      { name: 'POSTGRES_PASSWORD', valueFrom: { secretKeyRef: { name: 'db-pw', key: 'password' } } },
    ]);
    assert.deepEqual(c.envFrom, [{ configMapRef: { name: 'shared' } }]);
    assert.deepEqual(c.ports, [{ containerPort: 5432, protocol: 'TCP' }]);
    assert.deepEqual(pod.spec!.nodeSelector, { pool: 'batch' });
    assert.deepEqual(pod.spec!.securityContext, { runAsNonRoot: true }, 'the DAG’s pod patch applies');
    assert.equal(pod.spec!.restartPolicy, 'Never', 'a patch cannot make it restart');
    assert.equal(pod.metadata!.name, serviceObjectName(dag.id, 'db', 'run-1'), 'nor rename it');
    assert.equal(pod.metadata!.labels![LABELS.service], 'db');
    assert.equal(pod.metadata!.labels!.team, 'data');
    assert.equal(pod.spec!.activeDeadlineSeconds, SERVICE_DEADLINE_SECONDS);
  });

  it('puts a Service with the declared ports in front of the pod, selecting exactly it; headless without ports', () => {
    const svc = serviceObject(dag, dag.services.get('db')!, 'run-1', 'etl');
    const pod = servicePod(dag, dag.services.get('db')!, 'run-1', 'etl');
    assert.deepEqual(svc.spec!.ports, [{ name: 'p5432', port: 5432, targetPort: 5432, protocol: 'TCP' }]);
    for (const [k, v] of Object.entries(svc.spec!.selector!)) assert.equal(pod.metadata!.labels![k], v);
    assert.equal(serviceObject(dag, dag.services.get('plain')!, 'run-1', 'etl').spec!.clusterIP, 'None');
  });
});
