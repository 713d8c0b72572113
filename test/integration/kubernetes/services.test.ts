import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeDag } from '../../../src/dag/analyze';
import type { Dag } from '../../../src/dag/model';
import type { RunEvent } from '../../../src/protocol/runEvents';
import type { Cluster } from '../../../src/runner/kubernetes/connect';
import { KubernetesBackend } from '../../../src/runner/kubernetes/kubernetesBackend';
import { TEST_IMAGE, ensureTestImage } from '../docker/dockerEnv';
import { NAMESPACE, clusterOrFail, ensureNamespace, kubectl, loadImages, startPodRun } from './clusterEnv';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function dagOf(yaml: string): Dag {
  const a = analyzeDag(`kubernetes: {namespace: ${NAMESPACE}}\n${yaml}`.replace(/\$IMAGE/g, TEST_IMAGE), 'it.dag.yaml');
  if (a.hasErrors) throw new Error(JSON.stringify(a.problems));
  return a.dag!;
}

/** A service that answers every connection on 8080 with a line, and says when it starts. */
const ECHO = `services:
  echo:
    image: $IMAGE
    image_pull_policy: Never
    command: [sh, -c, 'echo "echo listening"; exec nc -ll -p 8080 -e echo hello from echo']
    ports: [8080]
    ready: {tcp: 8080, interval: 1s, timeout: 60s}
`;

/** Pods and Services of a run, by its label (what a leak would leave). */
function leftOf(runId: string): string[] {
  const selector = `io.container-dags/run-id=${runId.replace(/[^A-Za-z0-9_.-]/g, '_')}`;
  return kubectl('-n', NAMESPACE, 'get', 'pods,services', '-l', selector, '-o', 'name').split('\n').filter(Boolean);
}

/** Pods are deleted with a grace of 0 but leave the list a moment later: wait for the run's to be gone. */
async function nothingLeft(runId: string): Promise<string[]> {
  let left = leftOf(runId);
  for (let i = 0; i < 60 && left.length; i++) {
    await sleep(500);
    left = leftOf(runId);
  }
  return left;
}

describe('run-scoped services on the real cluster', function () {
  this.timeout(240_000);
  let cluster: Cluster;

  before(async () => {
    cluster = await clusterOrFail();
    ensureNamespace();
    ensureTestImage();
    loadImages(TEST_IMAGE);
  });

  it('starts a Pod and a Service; two tasks of a group reach it by name; a task after the group runs last; its log is kept; nothing is left', async () => {
    const dag = dagOf(`${ECHO}tasks:
  a: {image: $IMAGE, image_pull_policy: Never, group: g, services: [echo], command: [sh, -c, 'nc -w 5 echo 8080']}
  b: {image: $IMAGE, image_pull_policy: Never, group: g, services: [echo], command: [sh, -c, 'nc -w 5 echo 8080']}
  after: {image: $IMAGE, image_pull_policy: Never, depends_on: [g], command: [sh, -c, 'echo done']}
`);
    const run = startPodRun(cluster, dag);
    const r = await run.done;
    assert.equal(r.state, 'success', JSON.stringify(r.tasks));
    const log = (id: string) =>
      readFileSync(join(run.store.runDir(run.runId), r.tasks[id]!.attempts[0]!.log_file!), 'utf8');
    assert.match(log('a'), /hello from echo/);
    assert.match(log('b'), /hello from echo/);
    assert.ok(r.tasks.after!.started_at! >= r.tasks.a!.ended_at! && r.tasks.after!.started_at! >= r.tasks.b!.ended_at!);
    assert.match(readFileSync(join(run.store.runDir(run.runId), 'service.echo', '1.log'), 'utf8'), /echo listening/);
    assert.equal(r.services?.echo?.state, 'stopped');
    assert.deepEqual(r.services?.echo?.tasks, ['a', 'b']);
    assert.deepEqual(await nothingLeft(run.runId), []);
  });

  it('fails the tasks that need a service that never becomes ready, with its last lines; nothing is left', async () => {
    const dag = dagOf(`services:
  stuck:
    image: $IMAGE
    image_pull_policy: Never
    command: [sh, -c, 'echo "waiting for a disk that never comes"; sleep 600']
    ready: {command: ['false'], interval: 1s, timeout: 6s}
tasks:
  t: {image: $IMAGE, image_pull_policy: Never, services: [stuck], command: [sh, -c, 'echo never']}
  u: {image: $IMAGE, image_pull_policy: Never, depends_on: [t], command: [sh, -c, 'echo never']}
`);
    const run = startPodRun(cluster, dag);
    const r = await run.done;
    assert.equal(r.state, 'failed');
    assert.equal(r.tasks.t!.state, 'failed');
    assert.match(r.tasks.t!.reason!, /service "stuck" was not ready within 6s \(`false` did not succeed\)/);
    assert.match(r.tasks.t!.reason!, /its last lines:\nwaiting for a disk that never comes/);
    assert.equal(r.tasks.u!.state, 'upstream_failed');
    assert.equal(r.services?.stuck?.state, 'failed');
    assert.deepEqual(await nothingLeft(run.runId), []);
  });

  it('says why a service cannot be scheduled, live and in the failure, like a task’s pending pod', async () => {
    const dag = dagOf(`services:
  huge:
    image: $IMAGE
    image_pull_policy: Never
    command: [sh, -c, 'sleep 600']
    resources: {cpu: 500}
    ready: {tcp: 9, interval: 1s, timeout: 8s}
tasks:
  t: {image: $IMAGE, image_pull_policy: Never, services: [huge], command: [sh, -c, 'echo never']}
`);
    const notes: string[] = [];
    const run = startPodRun(cluster, dag, {}, (e: RunEvent) => void (e.type === 'note' && notes.push(e.message)));
    const r = await run.done;
    assert.equal(r.tasks.t!.state, 'failed');
    assert.match(r.tasks.t!.reason!, /its pod is still pending: Unschedulable: .*Insufficient cpu/);
    assert.ok(
      notes.some((n) => /service huge .* pending: Unschedulable/.test(n)),
      notes.join('\n'),
    );
    assert.deepEqual(await nothingLeft(run.runId), []);
  });

  it('cancels while a service is starting: the waiting task is cancelled, the Pod and the Service removed', async () => {
    const dag = dagOf(`services:
  slow:
    image: $IMAGE
    image_pull_policy: Never
    command: [sh, -c, 'sleep 600']
    ready: {tcp: 9, interval: 1s, timeout: 120s}
tasks:
  t: {image: $IMAGE, image_pull_policy: Never, services: [slow], command: [sh, -c, 'echo never']}
`);
    const run = startPodRun(cluster, dag);
    for (let i = 0; i < 100 && leftOf(run.runId).length < 2; i++) await sleep(200);
    assert.equal(leftOf(run.runId).length, 2, 'the service’s Pod and Service exist');
    run.engine.cancel();
    const r = await run.done;
    assert.equal(r.state, 'cancelled');
    assert.equal(r.tasks.t!.state, 'cancelled');
    assert.deepEqual(await nothingLeft(run.runId), []);
  });

  it('removes a dead runner’s service Pod and Service by label when its run is collected (the takeover)', async () => {
    const dag = dagOf(`${ECHO}tasks:
  t: {image: $IMAGE, image_pull_policy: Never, services: [echo], command: [sh, -c, 'sleep 600']}
`);
    const run = startPodRun(cluster, dag);
    for (let i = 0; i < 150 && leftOf(run.runId).length < 3; i++) await sleep(200);
    assert.equal(
      leftOf(run.runId).length,
      3,
      `the service (Pod, Service) and the task run: ${leftOf(run.runId).join(', ')}`,
    );
    const collected = await new KubernetesBackend(cluster, dag).collect(new Set([run.runId]));
    assert.ok(collected.succeeded, JSON.stringify(collected));
    assert.deepEqual(await nothingLeft(run.runId), []);
    run.engine.cancel();
    await run.done;
  });
});
