import assert from 'node:assert/strict';
import type { V1Pod } from '@kubernetes/client-node';
import { describePod, describeText } from '../../../../src/runner/kubernetes/describe';

const pod: V1Pod = {
  metadata: { name: 'kpod-hello-1', namespace: 'ci', labels: { 'io.container-dags/task': 'hello' } },
  spec: {
    containers: [
      {
        name: 'task',
        image: 'busybox',
        resources: { requests: { cpu: '500m', memory: '256Mi' }, limits: { memory: '256Mi' } },
        env: [{ name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'api', key: 'token' } } }],
      },
    ],
  },
  status: {
    phase: 'Pending',
    conditions: [
      { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/1 nodes are available' },
    ],
  },
};

describe('what kubectl describe pod tells, in the tree and the document', () => {
  it('shows the task container’s requests and limits as rows', () => {
    const d = describePod(pod, []);
    const rows = new Map(d.fields.map(([k, v]) => [k, v]));
    assert.equal(rows.get('requests'), 'cpu 500m, memory 256Mi');
    assert.equal(rows.get('limits'), 'memory 256Mi');
    assert.equal(rows.get('node'), '(not scheduled)');
  });

  it('writes Limits and Requests under the container as kubectl does, and a secret only by reference', () => {
    const text = describeText(pod, describePod(pod, []));
    const resources = [
      '    Limits:',
      '      memory:   256Mi',
      '    Requests:',
      '      cpu:      500m',
      '      memory:   256Mi',
    ];
    assert.ok(text.includes(resources.join('\n')), text);
    assert.match(text, /TOKEN: <set to the key 'token' in secret 'api'>/);
    assert.match(text, /PodScheduled\s+False · Unschedulable · 0\/1 nodes are available/);
  });

  it('says <none> when a pod sets no requests or limits', () => {
    const bare: V1Pod = { ...pod, spec: { containers: [{ name: 'task', image: 'busybox' }] } };
    const rows = new Map(describePod(bare, []).fields.map(([k, v]) => [k, v]));
    assert.equal(rows.get('requests'), '<none>');
    assert.equal(rows.get('limits'), '<none>');
  });
});
