import assert from 'node:assert/strict';
import type Docker from 'dockerode';
import { LABELS } from '../../../src/dag/labels';
import { containersOf, dagOf, dockerOrFail, ensureTestImage, logOf, startRun } from './dockerEnv';

/** Polls until `check` gives something, at most 20 s. */
async function until<T>(check: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = await check();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('timed out');
}

const CHAIN = `tasks:
  first: {image: $IMAGE, image_pull_policy: Never, command: [sh, -c, 'sleep 2; exit $CODE']}
  second: {image: $IMAGE, image_pull_policy: Never, command: [sh, -c, 'echo second ran'], depends_on: [first]}
`;

describe('containers created ahead of their start on a real Docker Engine (issue 18)', function () {
  this.timeout(120_000);
  let docker: Docker;

  before(async () => {
    docker = await dockerOrFail();
    ensureTestImage();
  });

  it('creates the downstream container while its upstream runs, then starts that very container', async () => {
    const run = startRun(docker, dagOf(CHAIN.replace('$CODE', '0')));
    const ahead = await until(async () => {
      const cs = await containersOf(docker, run.runId);
      const first = cs.find((c) => c.Labels[LABELS.task] === 'first');
      const second = cs.find((c) => c.Labels[LABELS.task] === 'second');
      return first?.State === 'running' && second ? second : undefined;
    });
    assert.equal(ahead.State, 'created', 'created, not started, while its upstream runs');
    const r = await run.done;
    assert.equal(r.state, 'success');
    assert.equal(r.tasks.second!.attempts[0]!.container_id, ahead.Id);
    assert.equal(logOf(run.store, run.runId, r, 'second'), '  second ran\n');
    assert.deepEqual(await containersOf(docker, run.runId), [], 'every container removed by the run’s end');
  });

  it('removes the container created ahead when its upstream fails, before the run ends', async () => {
    const run = startRun(docker, dagOf(CHAIN.replace('$CODE', '3')));
    await until(async () =>
      (await containersOf(docker, run.runId)).some((c) => c.Labels[LABELS.task] === 'second') ? true : undefined,
    );
    const r = await run.done;
    assert.equal(r.tasks.first!.exit_code, 3);
    assert.equal(r.tasks.second!.state, 'upstream_failed');
    assert.deepEqual(await containersOf(docker, run.runId), []);
  });

  it('removes the container created ahead when the run is cancelled', async () => {
    const run = startRun(docker, dagOf(CHAIN.replace('$CODE', '0').replace('sleep 2', 'sleep 30')));
    await until(async () =>
      (await containersOf(docker, run.runId)).some((c) => c.Labels[LABELS.task] === 'second') ? true : undefined,
    );
    run.engine.cancel();
    const r = await run.done;
    assert.equal(r.state, 'cancelled');
    assert.equal(r.tasks.second!.state, 'cancelled');
    assert.deepEqual(await containersOf(docker, run.runId), []);
  });

  it('creates nothing ahead for a task that reads its upstream’s outputs: its container is made with the value', async () => {
    const dag = dagOf(`tasks:
  first: {image: $IMAGE, image_pull_policy: Never, outputs: [n], command: [sh, -c, 'sleep 1; echo "{\\"n\\": 7}" > $CDAG_OUTPUT']}
  second: {image: $IMAGE, image_pull_policy: Never, command: [sh, -c, 'echo got $0', '{{ tasks.first.outputs.n }}'], depends_on: [first]}
`);
    const seen: string[] = [];
    const run = startRun(docker, dag);
    const poll = setInterval(() => {
      void containersOf(docker, run.runId).then((cs) => {
        const first = cs.find((c) => c.Labels[LABELS.task] === 'first');
        if (first?.State === 'running') seen.push(...cs.map((c) => c.Labels[LABELS.task]!));
      });
    }, 100);
    const r = await run.done.finally(() => clearInterval(poll));
    assert.equal(r.state, 'success', JSON.stringify(r.tasks));
    assert.ok(seen.length > 0 && !seen.includes('second'), `seen while first ran: ${seen.join(',')}`);
    assert.equal(logOf(run.store, run.runId, r, 'second'), '  got 7\n');
  });
});
