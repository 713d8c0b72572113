import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { DockerBackend } from '../../../src/runner/docker/dockerBackend';
import { ROOT } from '../../e2e/codeServer';
import { TEST_IMAGE, containersOf, dagOf, dockerOrFail, ensureTestImage, startRun } from './dockerEnv';

/** 150 MB of random bytes (incompressible) in a registry on this machine: a pull that takes seconds. */
const BIG = '127.0.0.1:5055/cdag-test/big:1';

function pushBigImage(): void {
  execFileSync('bash', [join(ROOT, 'scripts', 'registry-up.sh')], { stdio: 'pipe' });
  const inRegistry = (() => {
    try {
      execFileSync(
        'curl',
        [
          '-fsS',
          'http://127.0.0.1:5055/v2/cdag-test/big/manifests/1',
          '-H',
          'Accept: application/vnd.docker.distribution.manifest.v2+json',
        ],
        { stdio: 'pipe' },
      );
      return true;
    } catch {
      return false;
    }
  })();
  if (!inRegistry) {
    const dir = mkdtempSync(join(tmpdir(), 'cdag-big-'));
    writeFileSync(join(dir, 'Dockerfile'), `FROM ${TEST_IMAGE}\nRUN head -c 150000000 /dev/urandom > /blob\n`);
    execFileSync('docker', ['build', '-q', '-t', BIG, dir], {
      env: { ...process.env, DOCKER_BUILDKIT: '0' },
      stdio: 'pipe',
    });
    execFileSync('docker', ['push', BIG], { stdio: 'pipe' });
  }
  execFileSync('docker', ['image', 'rm', '-f', BIG], { stdio: 'pipe' });
}

describe('image pulls from a real registry', function () {
  this.timeout(180_000);
  let docker: Docker;

  before(async () => {
    docker = await dockerOrFail();
    ensureTestImage();
    pushBigImage();
  });

  it('cancelling a run while its image is being pulled leaves no container and ends the run cancelled (test 9)', async () => {
    const dag = dagOf(`tasks:
  t: {image: ${BIG}, image_pull_policy: Always, command: ['true']}
`);
    let cancel = () => undefined as void;
    let pulling = 0;
    const { engine, done, runId } = startRun(docker, dag, {
      backend: new DockerBackend(docker, dag, {
        onPull: () => {
          if (pulling++ === 0) cancel();
        },
      }),
    });
    cancel = () => engine.cancel();
    const r = await done;
    assert.ok(pulling > 0, 'the pull had started');
    assert.equal(r.state, 'cancelled');
    assert.equal(r.tasks.t!.state, 'cancelled');
    assert.deepEqual(await containersOf(docker, runId), []);
  });

  it('pulls a missing image with progress, then runs it', async () => {
    await docker
      .getImage(BIG)
      .remove({ force: true })
      .catch(() => undefined);
    const dag = dagOf(`tasks:
  t: {image: ${BIG}, command: [sh, -c, 'test -s /blob && echo pulled']}
`);
    const progress: string[] = [];
    const r = await startRun(docker, dag, {
      backend: new DockerBackend(docker, dag, { onPull: (_image, text) => progress.push(text) }),
    }).done;
    assert.equal(r.state, 'success', JSON.stringify(r.tasks.t));
    assert.ok(
      progress.some((p) => / of [\d.]+ MB \(\d+ layers?\)$/.test(p)),
      progress.join(' | '),
    );
    assert.match(progress.at(-1)!, /Downloaded newer image|Image is up to date|pulled/);
    assert.match(r.tasks.t!.attempts[0]!.image_digest ?? '', /127\.0\.0\.1:5055\/cdag-test\/big@sha256:/);
  });
});
