import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { analyzeDag } from '../../../src/dag/analyze';
import type { Dag } from '../../../src/dag/model';
import { ImageBuilds } from '../../../src/runner/docker/imageBuilds';
import { imageStatus } from '../../../src/runner/docker/imageStatus';
import { TEST_IMAGE, dockerOrFail, ensureTestImage, logOf, startRun } from './dockerEnv';

/** A real builder whose calls to the Engine's build endpoint are counted (the Engine still builds). */
function countingBuilds(docker: Docker, dir: string): { builds: ImageBuilds; calls: () => number } {
  let n = 0;
  const counted = Object.create(docker) as Docker;
  counted.buildImage = ((...args: Parameters<Docker['buildImage']>) => {
    n++;
    return docker.buildImage(...args);
  }) as Docker['buildImage'];
  return { builds: new ImageBuilds(counted, dir), calls: () => n };
}

/** Two tasks, each its own folder; `b` ignores `notes.txt` through its .dockerignore. */
function project(): { dir: string; dag: () => Dag } {
  const dir = mkdtempSync(join(tmpdir(), 'cdag-build-'));
  for (const name of ['a', 'b']) {
    mkdirSync(join(dir, name));
    writeFileSync(
      join(dir, name, 'Dockerfile'),
      `ARG BASE\nFROM $BASE\n# what the task prints\nCOPY . /app\nCMD ["sh", "-c", "cat /app/msg.txt; ls /app"]\n`,
    );
    writeFileSync(join(dir, name, 'msg.txt'), `${name} v1\n`);
    // Every test's folders differ from every earlier run's, so nothing is found built from before.
    writeFileSync(join(dir, name, 'nonce.txt'), `${process.pid} ${Date.now()} ${Math.random()}\n`);
  }
  writeFileSync(join(dir, 'b', '.dockerignore'), 'notes.txt\n');
  writeFileSync(join(dir, 'b', 'notes.txt'), 'not sent\n');
  const text = `dag: builds
tasks:
  a: {build: {context: a, args: {BASE: ${TEST_IMAGE}}}}
  b: {build: {context: b, args: {BASE: ${TEST_IMAGE}}}}
`;
  return {
    dir,
    dag: () => {
      const a = analyzeDag(text, join(dir, 'builds.dag.yaml'));
      if (a.hasErrors) throw new Error(JSON.stringify(a.problems));
      return a.dag!;
    },
  };
}

describe('task images built from their folders on a real Docker Engine', function () {
  this.timeout(180_000);
  let docker: Docker;

  before(async () => {
    docker = await dockerOrFail();
    ensureTestImage();
  });

  after(async () => {
    // What these tests built is theirs to remove: tags of cdag/builds-a and -b, every content.
    for (const i of await docker.listImages({ filters: { reference: ['cdag/builds-*'] } }))
      await docker
        .getImage(i.Id)
        .remove({ force: true })
        .catch(() => undefined);
  });

  it('builds each task’s image, runs it, and on the next run sends nothing to the Engine when no folder changed', async () => {
    const p = project();
    const first = countingBuilds(docker, p.dir);
    // The graph and the tree show a task as building until its container starts.
    let sawBuilding = false;
    const holder: { run?: ReturnType<typeof startRun> } = {};
    const run1 = startRun(docker, p.dag(), { builds: first.builds }, (e) => {
      if (e.type === 'task-state' && holder.run?.engine.record.tasks.a?.attempts.at(-1)?.phase === 'building')
        sawBuilding = true;
    });
    holder.run = run1;
    const r1 = await run1.done;
    assert.ok(sawBuilding, 'a was shown as building');
    assert.equal(r1.tasks.a!.attempts[0]!.phase, undefined, 'and not once it ran');
    assert.equal(r1.state, 'success', JSON.stringify(r1.tasks));
    assert.equal(first.calls(), 2);
    assert.match(logOf(run1.store, run1.runId, r1, 'a'), /Step 3\/\d+ : COPY \. \/app[\s\S]*a v1/);
    assert.equal(r1.tasks.a!.attempts[0]!.built, true);
    assert.match(r1.tasks.a!.attempts[0]!.image!, /^cdag\/builds-a:cdag-[0-9a-f]{16}$/);
    // .dockerignore: the ignored file is not in the image.
    assert.doesNotMatch(logOf(run1.store, run1.runId, r1, 'b'), /notes\.txt/);

    const again = countingBuilds(docker, p.dir);
    const r2 = await startRun(docker, p.dag(), { builds: again.builds }).done;
    assert.equal(r2.state, 'success');
    assert.equal(again.calls(), 0, 'no build call at all');
    assert.equal(r2.tasks.a!.attempts[0]!.image, r1.tasks.a!.attempts[0]!.image);
    assert.equal(r2.tasks.a!.attempts[0]!.built, false);
  });

  it('rebuilds exactly the task whose folder changed; a change to an ignored file rebuilds nothing', async () => {
    const p = project();
    await startRun(docker, p.dag(), { builds: new ImageBuilds(docker, p.dir) }).done;
    writeFileSync(join(p.dir, 'b', 'notes.txt'), 'changed, still not sent\n');
    const ignored = countingBuilds(docker, p.dir);
    await startRun(docker, p.dag(), { builds: ignored.builds }).done;
    assert.equal(ignored.calls(), 0, 'an ignored file is not part of the content');
    writeFileSync(join(p.dir, 'a', 'msg.txt'), 'a v2\n');
    const changed = countingBuilds(docker, p.dir);
    const run = startRun(docker, p.dag(), { builds: changed.builds });
    const r = await run.done;
    assert.equal(changed.calls(), 1, 'only a is built');
    assert.equal(r.tasks.a!.attempts[0]!.built, true);
    assert.equal(r.tasks.b!.attempts[0]!.built, false);
    assert.match(logOf(run.store, run.runId, r, 'a'), /a v2/);
  });

  it('never re-tags an image it did not build: a DAG naming the user’s own image runs its build by content tag', async () => {
    const own = 'cdag-test/users-own:1';
    execFileSync('docker', ['tag', TEST_IMAGE, own]);
    const before = (await docker.getImage(own).inspect()).Id;
    const p = project();
    const text = `dag: builds\nimages:\n  "${own}": {context: a, args: {BASE: ${TEST_IMAGE}}}\ntasks:\n  a: {image: "${own}"}\n`;
    const run = startRun(docker, analyzeDag(text, join(p.dir, 'x.dag.yaml')).dag!, {
      builds: new ImageBuilds(docker, p.dir),
    });
    const r = await run.done;
    assert.equal(r.state, 'success', JSON.stringify(r.tasks));
    assert.match(r.tasks.a!.attempts[0]!.image!, /^cdag-test\/users-own:cdag-[0-9a-f]{16}$/);
    assert.equal((await docker.getImage(own).inspect()).Id, before, 'the user’s image is as it was');
    assert.match(
      logOf(run.store, run.runId, r, 'a'),
      /Left cdag-test\/users-own:1 as it is: it is an image cdag did not build/,
    );
    await docker
      .getImage(r.tasks.a!.attempts[0]!.image!)
      .remove({ force: true })
      .catch(() => undefined);
  });

  it('says which tasks the next run builds: a never-built or changed folder, not a built one', async () => {
    const p = project();
    const dag = p.dag();
    const before = await imageStatus(docker, dag, p.dir, {});
    assert.deepEqual([...before.stale].sort(), ['a', 'b']);
    assert.deepEqual([...before.contexts].sort(), [join(p.dir, 'a'), join(p.dir, 'b')]);
    await startRun(docker, dag, { builds: new ImageBuilds(docker, p.dir) }).done;
    assert.deepEqual((await imageStatus(docker, dag, p.dir, {})).stale, []);
    writeFileSync(join(p.dir, 'b', 'msg.txt'), 'b v2\n');
    assert.deepEqual((await imageStatus(docker, dag, p.dir, {})).stale, ['b']);
  });

  it('fails the task whose build fails with the failing step’s output and its Dockerfile line, and runs no stale image', async () => {
    const p = project();
    await startRun(docker, p.dag(), { builds: new ImageBuilds(docker, p.dir) }).done;
    writeFileSync(
      join(p.dir, 'a', 'Dockerfile'),
      `ARG BASE\nFROM $BASE\nCOPY . /app\n# checks\nRUN echo "checking the data" && \\\n    test -f /app/missing.txt\nCMD ["cat", "/app/msg.txt"]\n`,
    );
    const run = startRun(docker, p.dag(), { builds: new ImageBuilds(docker, p.dir) });
    const r = await run.done;
    assert.equal(r.tasks.a!.state, 'failed');
    assert.match(r.tasks.a!.reason!, /^The build of cdag\/builds-a failed at Dockerfile:5 \(step 4\/\d+: RUN echo/);
    assert.match(r.tasks.a!.reason!, /returned a non-zero code: 1\nchecking the data/);
    assert.equal(r.tasks.a!.attempts[0]!.container_id, undefined, 'no container ran');
    assert.equal(r.tasks.b!.state, 'success', 'the other task is unaffected');
  });
});
