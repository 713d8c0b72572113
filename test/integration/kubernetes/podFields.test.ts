import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunRecord } from '../../../src/protocol/runRecord';
import { ROOT } from '../../e2e/codeServer';
import { TEST_IMAGE, ensureTestImage } from '../docker/dockerEnv';
import { NAMESPACE, ensureNamespace, kubeconfig, kubectl, loadImages } from './clusterEnv';

const CLI = join(ROOT, 'dist', 'cli.js');

describe('pod fields on a real cluster: a kubernetes.pod patch, env_from, a ConfigMap volume', function () {
  this.timeout(300_000);
  let dir: string;

  before(() => {
    ensureTestImage();
    loadImages(TEST_IMAGE);
    ensureNamespace();
    kubectl('-n', NAMESPACE, 'delete', 'configmap', 'cdag-it-env', '--ignore-not-found');
    kubectl('-n', NAMESPACE, 'create', 'configmap', 'cdag-it-env', '--from-literal=GREETING=hello from a ConfigMap');
    kubectl('delete', 'priorityclass', 'cdag-it-high', '--ignore-not-found');
    kubectl('create', 'priorityclass', 'cdag-it-high', '--value=1000', '--description=cdag integration test');
    dir = mkdtempSync(join(tmpdir(), 'cdag-k8s-pod-'));
  });

  after(() => {
    kubectl('-n', NAMESPACE, 'delete', 'pods', '-l', 'io.container-dags/dag=pod_fields_it', '--wait=false');
    kubectl('delete', 'priorityclass', 'cdag-it-high', '--ignore-not-found');
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs a pod with a priority class, an affinity that matches the node and env from a ConfigMap; kubectl describe shows them', () => {
    const node = kubectl('get', 'nodes', '-o', 'jsonpath={.items[0].metadata.name}').trim();
    const file = join(dir, 'p.dag.yaml');
    writeFileSync(
      file,
      `dag: pod_fields_it
kubernetes:
  namespace: ${NAMESPACE}
  delete_pods: never
volumes:
  conf: {kubernetes: {config_map: cdag-it-env}}
tasks:
  greet:
    image: ${TEST_IMAGE}
    image_pull_policy: Never
    command: [sh, -c, 'echo "env: $GREETING"; echo "file: $(cat /conf/GREETING)"']
    mounts: ['conf:/conf:ro']
    kubernetes:
      env_from: [{config_map: cdag-it-env}]
      pod:
        spec:
          priorityClassName: cdag-it-high
          affinity:
            nodeAffinity:
              requiredDuringSchedulingIgnoredDuringExecution:
                nodeSelectorTerms:
                  - matchExpressions: [{key: kubernetes.io/hostname, operator: In, values: [${node}]}]
`,
    );
    const r = spawnSync(
      process.execPath,
      [
        CLI,
        'run',
        file,
        '--backend',
        'kubernetes',
        '--kubeconfig',
        kubeconfig(),
        '--runs-dir',
        join(dir, 'runs'),
        '--json',
      ],
      { encoding: 'utf8' },
    );
    assert.equal(r.status, 0, r.stderr);
    const record = JSON.parse(r.stdout) as RunRecord;
    const attempt = record.tasks.greet!.attempts[0]!;
    const log = spawnSync(
      'cat',
      [join(dir, 'runs', record.run_id.replace(/[^A-Za-z0-9_.-]/g, '_'), attempt.log_file!)],
      {
        encoding: 'utf8',
      },
    ).stdout;
    assert.match(log, /env: hello from a ConfigMap/);
    assert.match(log, /file: hello from a ConfigMap/);
    const pod = attempt.container_id!;
    const describe = kubectl('-n', NAMESPACE, 'describe', 'pod', pod);
    assert.match(describe, /Priority Class Name:\s+cdag-it-high/);
    assert.match(describe, /Priority:\s+1000/);
    assert.match(describe, /Environment Variables from:\s*\n\s+cdag-it-env\s+ConfigMap/);
    assert.match(describe, new RegExp(`Node:\\s+${node}/`));
    const affinity = kubectl('-n', NAMESPACE, 'get', 'pod', pod, '-o', 'jsonpath={.spec.affinity.nodeAffinity}');
    assert.match(affinity, new RegExp(`"values":\\["${node}"\\]`));
  });
});
