import assert from 'node:assert/strict';
import { analyzeDag } from '../../../../src/dag/analyze';
import { complete } from '../../../../src/language/completion';
import { sensitiveRequests } from '../../../../src/runner/consent';
import { unconsented } from '../../../../src/runner/hostAccess';
import { strategicMerge } from '../../../../src/dag/podPatch';
import { podManifest } from '../../../../src/runner/kubernetes/podSpec';
import { renderTask } from '../../../../src/runner/renderTask';
import { withCursor } from '../../helpers';

const interval = { start: new Date('2024-01-01T00:00:00Z'), end: new Date('2024-01-02T00:00:00Z') };

function pod(yaml: string) {
  const a = analyzeDag(yaml, 'p.dag.yaml');
  assert.ok(!a.hasErrors, JSON.stringify(a.problems));
  const dag = a.dag!;
  const r = renderTask(dag, dag.tasks[0]!, { runId: 'r', tryNumber: 1, interval });
  assert.ok(r.succeeded);
  const m = podManifest(dag, r.result, 'r', 1);
  assert.ok(m.succeeded);
  return m.result as unknown as {
    metadata: Record<string, unknown>;
    spec: Record<string, unknown> & { containers: Array<Record<string, unknown>> };
  };
}

describe('kubernetes.pod patches, env_from, Secret and ConfigMap volumes', () => {
  it('merges a strategic patch: maps key by key, containers and volumes by name, other lists replaced, null removes', () => {
    const base = {
      spec: {
        containers: [{ name: 'task', image: 'a', ports: [{ containerPort: 80 }] }],
        tolerations: [{ key: 'x' }],
        dnsPolicy: 'ClusterFirst',
      },
    };
    const out = strategicMerge(base, {
      spec: {
        containers: [
          { name: 'task', ports: [{ containerPort: 81 }] },
          { name: 'sidecar', image: 'b' },
        ],
        tolerations: [{ key: 'y' }],
        dnsPolicy: null,
        priorityClassName: 'high',
      },
    });
    assert.deepEqual(out, {
      spec: {
        containers: [
          { name: 'task', image: 'a', ports: [{ containerPort: 80 }, { containerPort: 81 }] },
          { name: 'sidecar', image: 'b' },
        ],
        tolerations: [{ key: 'y' }],
        priorityClassName: 'high',
      },
    });
    assert.equal(base.spec.dnsPolicy, 'ClusterFirst', 'the base is not changed');
  });

  it('builds the pod with env_from, Secret and ConfigMap volumes, and the DAG’s then the task’s patch; name, labels and deadline stay ours', () => {
    const p = pod(`kubernetes:
  env_from: [{config_map: common}]
  pod: {spec: {priorityClassName: low}}
volumes:
  creds: {kubernetes: {secret: db-creds}}
  conf: {kubernetes: {config_map: app-conf}}
tasks:
  t:
    image: busybox
    mounts: ['creds:/creds:ro', 'conf:/conf']
    kubernetes:
      env_from: [{secret: api, prefix: API_}]
      pod:
        metadata: {name: hijack, labels: {io.container-dags/run-id: other, team: data}}
        spec:
          priorityClassName: high
          activeDeadlineSeconds: null
          affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: disk, operator: In, values: [ssd]}]}]}}}
          containers: [{name: task, ports: [{containerPort: 8080}]}]
`);
    assert.equal(p.spec.priorityClassName, 'high');
    assert.ok(p.spec.affinity);
    assert.equal(p.spec.activeDeadlineSeconds, 86_400, 'a patch cannot remove the deadline');
    assert.notEqual(p.metadata.name, 'hijack');
    const labels = p.metadata.labels as Record<string, string>;
    assert.equal(labels.team, 'data');
    assert.equal(labels['io.container-dags/run-id'], 'r');
    const c = p.spec.containers[0]!;
    assert.deepEqual(c.envFrom, [{ configMapRef: { name: 'common' } }, { prefix: 'API_', secretRef: { name: 'api' } }]);
    assert.deepEqual(c.ports, [{ containerPort: 8080 }]);
    assert.equal(c.image, 'busybox');
    assert.deepEqual(p.spec.volumes, [
      { name: 'vol-creds', secret: { secretName: 'db-creds' } },
      { name: 'vol-conf', configMap: { name: 'app-conf' } },
    ]);
  });

  it('checks a patch against the Kubernetes Pod model: unknown fields with did-you-mean, wrong types, at their ranges', () => {
    const a = analyzeDag(`tasks:
  t:
    image: busybox
    kubernetes:
      pod:
        spec:
          priorityClasName: high
          hostNetwork: "yes"
          containers: {name: task}
          initContainers: [{name: init, image: busybox, comand: [true]}]
          nodeSelector: {disk: [ssd]}
`);
    const p = a.problems.map((x) => `${x.code}: ${x.message}`);
    assert.ok(
      p.some((m) =>
        /unknown-key: Unknown field "priorityClasName" in spec .*Did you mean "priorityClassName"\?/.test(m),
      ),
      p.join('\n'),
    );
    assert.ok(
      p.some((m) => /wrong-type: spec.hostNetwork: expected true or false/.test(m)),
      p.join('\n'),
    );
    assert.ok(
      p.some((m) => /wrong-type: spec.containers: expected a list/.test(m)),
      p.join('\n'),
    );
    assert.ok(
      p.some((m) => /Unknown field "comand" in spec.initContainers\[0\].*Did you mean "command"/.test(m)),
      p.join('\n'),
    );
    assert.ok(
      p.some((m) => /spec.nodeSelector: values are text/.test(m)),
      p.join('\n'),
    );
  });

  it('offers the Pod model’s fields as completion inside a patch', () => {
    const { a, offset } = withCursor(
      'tasks:\n  t:\n    image: busybox\n    kubernetes:\n      pod:\n        spec:\n          prio|\n',
    );
    const labels = complete(a, offset).map((c) => c.label);
    assert.ok(labels.includes('priorityClassName'), labels.join(', '));
    assert.ok(labels.includes('affinity'));
    const { a: a2, offset: o2 } = withCursor(
      'tasks:\n  t:\n    image: busybox\n    kubernetes:\n      pod:\n        spec:\n          containers:\n            - name: task\n              |\n',
    );
    assert.ok(complete(a2, o2).some((c) => c.label === 'securityContext'));
  });

  it('asks consent for what a patch asks of the node: its network, folders, privileges', () => {
    const dag = analyzeDag(`tasks:
  t:
    image: busybox
    kubernetes:
      pod:
        spec:
          hostNetwork: true
          hostPID: true
          volumes: [{name: root, hostPath: {path: /}}]
          containers: [{name: task, securityContext: {privileged: true}}]
`).dag!;
    const r = sensitiveRequests(dag, 'kubernetes');
    assert.deepEqual(r.map((x) => `${x.kind} ${x.subject}`).sort(), [
      'host-network host',
      'host-path /',
      'privileged hostPID',
      'privileged task',
    ]);
    assert.equal(unconsented(r, ['/'], true, true).length, 0);
    assert.deepEqual(
      unconsented(r, ['/'], true, false).map((x) => x.kind),
      ['privileged', 'privileged'],
    );
  });
});

describe('a pod patch with a __proto__ key', () => {
  it('merges it as an ordinary key, never as the prototype', () => {
    const out = strategicMerge({ spec: {} }, JSON.parse('{"spec": {"__proto__": {"polluted": true}}}')) as {
      spec: Record<string, unknown>;
    };
    assert.deepEqual(Object.keys(out.spec), ['__proto__']);
    assert.equal((out.spec as { polluted?: boolean }).polluted, undefined);
  });
});
