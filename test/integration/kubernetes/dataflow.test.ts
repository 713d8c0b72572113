import assert from 'node:assert/strict';
import { analyzeDag } from '../../../src/dag/analyze';
import type { Dag } from '../../../src/dag/model';
import type { Cluster } from '../../../src/runner/kubernetes/connect';
import { TEST_IMAGE, ensureTestImage } from '../docker/dockerEnv';
import { NAMESPACE, clusterOrFail, ensureNamespace, loadImages, podsOf, startPodRun } from './clusterEnv';

function dagOf(yaml: string): Dag {
  const a = analyzeDag(`kubernetes: {namespace: ${NAMESPACE}}\n${yaml.replace(/\$IMAGE/g, TEST_IMAGE)}`, 'it.dag.yaml');
  if (a.hasErrors) throw new Error(JSON.stringify(a.problems));
  return a.dag!;
}

describe('values between tasks and fan-out as pods on the real cluster', function () {
  this.timeout(300_000);
  let cluster: Cluster;

  before(async () => {
    cluster = await clusterOrFail();
    ensureTestImage();
    loadImages(TEST_IMAGE);
    ensureNamespace();
  });

  it('carries outputs as the termination message (no sidecar), fans out over them, skips on a false when, and leaves no pod', async () => {
    const dag = dagOf(`tasks:
  list:
    image: $IMAGE
    image_pull_policy: Never
    command: [sh, -c, 'echo "{\\"cities\\": [\\"seoul\\", \\"busan\\"]}" > "$CDAG_OUTPUT"']
    outputs: [cities]
  fetch:
    image: $IMAGE
    image_pull_policy: Never
    depends_on: [list]
    expand: {city: "{{ tasks.list.outputs.cities }}"}
    command: [sh, -c, 'echo "{\\"rows\\": {{ map_index }}}" > "$CDAG_OUTPUT"; echo "fetched {{ item.city }}"']
    outputs: [rows]
  publish:
    image: $IMAGE
    image_pull_policy: Never
    depends_on: [fetch]
    when: "{{ tasks.fetch.outputs.rows | sum | gt(5) }}"
    command: ['true']
  missing:
    image: $IMAGE
    image_pull_policy: Never
    command: ['true']
    outputs: [n]
`);
    const { done, runId } = startPodRun(cluster, dag);
    const r = await done;
    assert.deepEqual({ ...r.tasks.list!.outputs }, { cities: ['seoul', 'busan'] });
    assert.equal(r.tasks.fetch!.state, 'success');
    assert.deepEqual([...(r.tasks.fetch!.outputs!.rows as number[])], [0, 1]);
    assert.deepEqual(
      [r.tasks['fetch[0]']!.item, r.tasks['fetch[1]']!.item].map((i) => ({ ...i })),
      [{ city: 'seoul' }, { city: 'busan' }],
    );
    assert.equal(r.tasks.publish!.state, 'skipped');
    assert.equal(r.tasks.publish!.reason, 'when was false (false)');
    assert.match(r.tasks.missing!.reason!, /^output-missing: .*wrote no \/dev\/termination-log/);
    assert.deepEqual(podsOf(runId), [], 'pods removed after their outputs were read');
  });
});
