import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { LABELS } from '../../../src/dag/labels';
import { DockerBackend } from '../../../src/runner/docker/dockerBackend';
import { runNetworkName } from '../../../src/runner/docker/dockerServices';
import { containersOf, dagOf, dockerOrFail, ensureTestImage, startRun, logOf } from './dockerEnv';

/** A service that answers every connection on 8080 with a line (a process per connection), and says when it starts. */
const ECHO = `services:
  echo:
    image: $IMAGE
    image_pull_policy: Never
    command: [sh, -c, 'echo "echo listening"; exec nc -ll -p 8080 -e echo hello from echo']
    ports: [8080]
    ready: {tcp: 8080, interval: 200ms, timeout: 20s}
`;

async function networksOf(docker: Docker, runId: string): Promise<Docker.NetworkInspectInfo[]> {
  return docker.listNetworks({ filters: { label: [`${LABELS.runId}=${runId.replace(/[^A-Za-z0-9_.-]/g, '_')}`] } });
}

describe('run-scoped services on a real Docker Engine', function () {
  this.timeout(180_000);
  let docker: Docker;

  before(async () => {
    docker = await dockerOrFail();
    ensureTestImage();
  });

  it('starts a service before the tasks that need it; two tasks of a group reach it by name; a task after the group runs last; nothing is left', async () => {
    const dag = dagOf(`${ECHO}tasks:
  a: {image: $IMAGE, image_pull_policy: Never, group: g, services: [echo], command: [sh, -c, 'nc -w 5 echo 8080']}
  b: {image: $IMAGE, image_pull_policy: Never, group: g, services: [echo], command: [sh, -c, 'nc -w 5 echo 8080']}
  after: {image: $IMAGE, image_pull_policy: Never, depends_on: [g], command: [sh, -c, 'echo done']}
`);
    const run = startRun(docker, dag);
    const r = await run.done;
    assert.equal(r.state, 'success', JSON.stringify(r.tasks));
    assert.match(logOf(run.store, run.runId, r, 'a'), /hello from echo/);
    assert.match(logOf(run.store, run.runId, r, 'b'), /hello from echo/);
    assert.ok(r.tasks.after!.started_at! >= r.tasks.a!.ended_at! && r.tasks.after!.started_at! >= r.tasks.b!.ended_at!);
    assert.match(readFileSync(join(run.store.runDir(run.runId), 'service.echo', '1.log'), 'utf8'), /echo listening/);
    assert.deepEqual(await containersOf(docker, run.runId), []);
    assert.deepEqual(await networksOf(docker, run.runId), []);
  });

  it('stops a service when the last task that needs it has ended, while the run goes on', async () => {
    const dag = dagOf(`${ECHO}tasks:
  a: {image: $IMAGE, image_pull_policy: Never, services: [echo], command: [sh, -c, 'nc -w 5 echo 8080']}
  later: {image: $IMAGE, image_pull_policy: Never, depends_on: [a], command: [sh, -c, 'sleep 3']}
`);
    const run = startRun(docker, dag);
    let seen: Docker.ContainerInfo[] = [];
    for (let i = 0; i < 100; i++) {
      seen = await containersOf(docker, run.runId);
      if (seen.some((c) => c.Labels[LABELS.task] === 'later' && c.State === 'running')) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    assert.ok(
      seen.some((c) => c.Labels[LABELS.task] === 'later'),
      'later runs',
    );
    assert.ok(!seen.some((c) => c.Labels[LABELS.service] === 'echo'), 'the service is gone while later runs');
    assert.equal((await run.done).state, 'success');
  });

  it('fails the tasks that need a service that never becomes ready, with its exit code and last lines; nothing is left', async () => {
    const dag = dagOf(`services:
  broken:
    image: $IMAGE
    image_pull_policy: Never
    command: [sh, -c, 'echo "cannot bind: port in use"; exit 7']
    ready: {tcp: 5432, interval: 200ms, timeout: 10s}
tasks:
  t: {image: $IMAGE, image_pull_policy: Never, services: [broken], command: [sh, -c, 'echo never']}
  u: {image: $IMAGE, image_pull_policy: Never, depends_on: [t], command: [sh, -c, 'echo never']}
`);
    const run = startRun(docker, dag);
    const r = await run.done;
    assert.equal(r.state, 'failed');
    assert.equal(r.tasks.t!.state, 'failed');
    assert.match(r.tasks.t!.reason!, /service "broken" exited with code 7; its last lines:\ncannot bind: port in use/);
    assert.equal(r.tasks.u!.state, 'upstream_failed');
    assert.deepEqual(await containersOf(docker, run.runId), []);
    assert.deepEqual(await networksOf(docker, run.runId), []);
  });

  it('cancels while a service is starting: the waiting task is cancelled, the service and the network removed', async () => {
    const dag = dagOf(`services:
  slow:
    image: $IMAGE
    image_pull_policy: Never
    command: [sh, -c, 'sleep 600']
    ready: {tcp: 9, interval: 200ms, timeout: 60s}
tasks:
  t: {image: $IMAGE, image_pull_policy: Never, services: [slow], command: [sh, -c, 'echo never']}
`);
    const run = startRun(docker, dag);
    for (let i = 0; i < 50 && (await containersOf(docker, run.runId)).length === 0; i++)
      await new Promise((res) => setTimeout(res, 200));
    assert.equal((await containersOf(docker, run.runId)).length, 1, 'the service started');
    run.engine.cancel();
    const r = await run.done;
    assert.equal(r.state, 'cancelled');
    assert.equal(r.tasks.t!.state, 'cancelled');
    assert.deepEqual(await containersOf(docker, run.runId), []);
    assert.deepEqual(await networksOf(docker, run.runId), []);
  });

  it('removes a dead runner’s service and network by label when its run is collected (the takeover)', async () => {
    const dag = dagOf(`${ECHO}tasks:
  t: {image: $IMAGE, image_pull_policy: Never, services: [echo], command: [sh, -c, 'sleep 600']}
`);
    const run = startRun(docker, dag);
    for (let i = 0; i < 100 && (await containersOf(docker, run.runId)).length < 2; i++)
      await new Promise((res) => setTimeout(res, 200));
    assert.equal((await containersOf(docker, run.runId)).length, 2, 'the service and the task run');
    assert.equal((await networksOf(docker, run.runId)).length, 1);
    assert.equal((await networksOf(docker, run.runId))[0]!.Name, runNetworkName(run.runId));
    // What a later process does for a run whose runner died: collect by label.
    const collected = await new DockerBackend(docker, dag).collect(new Set([run.runId]));
    // The runner here is alive and stops its service too when its task's container goes, so how many
    // of the three the collection removed itself varies: what counts is that nothing is left.
    assert.ok(collected.succeeded, JSON.stringify(collected));
    assert.deepEqual(await containersOf(docker, run.runId), []);
    assert.deepEqual(await networksOf(docker, run.runId), []);
    run.engine.cancel();
    await run.done;
  });
});
