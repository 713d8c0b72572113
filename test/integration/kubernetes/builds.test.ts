import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { analyzeDag } from '../../../src/dag/analyze';
import type { Dag } from '../../../src/dag/model';
import { ClusterDelivery, type Delivery } from '../../../src/runner/docker/clusterDelivery';
import { ImageBuilds } from '../../../src/runner/docker/imageBuilds';
import type { Cluster } from '../../../src/runner/kubernetes/connect';
import { ROOT } from '../../e2e/codeServer';
import { TEST_IMAGE, dockerOrFail, ensureTestImage } from '../docker/dockerEnv';
import { NAMESPACE, clusterOrFail, ensureNamespace, kubeconfig, loadImages, startPodRun } from './clusterEnv';

/** The project's registry (scripts/registry-up.sh), which the test cluster pulls from over HTTP as a localhost one. */
const REGISTRY = '127.0.0.1:5055';
const LOAD = process.env.CDAG_LOAD_IMAGE ?? `bash ${join(ROOT, 'scripts', 'cluster', 'load-image.sh')}`;

function project(): { dir: string; file: string; dag: Dag } {
  const dir = mkdtempSync(join(tmpdir(), 'cdag-k8s-build-'));
  mkdirSync(join(dir, 'app'));
  writeFileSync(
    join(dir, 'app', 'Dockerfile'),
    `ARG BASE\nFROM $BASE\nCOPY msg.txt /msg.txt\nCMD ["cat", "/msg.txt"]\n`,
  );
  // Content no earlier run had: the image is built, and reaches the cluster, for this test.
  writeFileSync(join(dir, 'app', 'msg.txt'), `built for the cluster ${process.pid} ${Date.now()} ${Math.random()}\n`);
  const file = join(dir, 'k.dag.yaml');
  const text = `dag: k8s_build\nkubernetes: {namespace: ${NAMESPACE}}\ntasks:\n  show: {build: {context: app, args: {BASE: ${TEST_IMAGE}}}}\n`;
  writeFileSync(file, text);
  const a = analyzeDag(text, file);
  if (a.hasErrors) throw new Error(JSON.stringify(a.problems));
  return { dir, file, dag: a.dag! };
}

describe('task images built here and run on the real cluster', function () {
  this.timeout(300_000);
  let docker: Docker;
  let cluster: Cluster;

  before(async () => {
    docker = await dockerOrFail();
    cluster = await clusterOrFail();
    ensureNamespace();
    ensureTestImage();
    loadImages(TEST_IMAGE);
    const up = spawnSync('bash', [join(ROOT, 'scripts', 'registry-up.sh')], { encoding: 'utf8' });
    assert.equal(up.status, 0, up.stderr);
  });

  const runWith = async (delivery: Delivery) => {
    const p = project();
    const builds = new ClusterDelivery(docker, new ImageBuilds(docker, p.dir), delivery);
    const run = startPodRun(cluster, p.dag, { builds });
    const r = await run.done;
    const log = readFileSync(join(run.store.runDir(run.runId), r.tasks.show!.attempts[0]!.log_file!), 'utf8');
    return { r, log, msg: readFileSync(join(p.dir, 'app', 'msg.txt'), 'utf8').trim() };
  };

  it('pushes the built image to the registry the cluster pulls from, and runs it pinned by digest', async () => {
    const { r, log, msg } = await runWith({ kind: 'registry', registry: REGISTRY });
    assert.equal(r.state, 'success', JSON.stringify(r.tasks));
    assert.match(r.tasks.show!.attempts[0]!.image!, /^127\.0\.0\.1:5055\/cdag\/k8s-build-show@sha256:[0-9a-f]{64}$/);
    assert.ok(log.includes(msg), log);
    assert.match(log, /Pushed 127\.0\.0\.1:5055\/cdag\/k8s-build-show@sha256:/);
  });

  it('loads the built image with the configured command, and runs it by its content tag', async () => {
    const { r, log, msg } = await runWith({ kind: 'load', command: LOAD });
    assert.equal(r.state, 'success', JSON.stringify(r.tasks));
    assert.match(r.tasks.show!.attempts[0]!.image!, /^cdag\/k8s-build-show:cdag-[0-9a-f]{16}$/);
    assert.ok(log.includes(msg), log);
  });

  it('refuses a cluster run that builds with no registry and no load command, saying both ways, before any pod', () => {
    const p = project();
    const r = spawnSync(
      process.execPath,
      [join(ROOT, 'dist', 'cli.js'), 'run', p.file, '--backend', 'kubernetes', '--kubeconfig', kubeconfig()],
      { encoding: 'utf8', env: { ...process.env, CDAG_REGISTRY: '', CDAG_LOAD_IMAGE: '' } },
    );
    assert.equal(r.status, 1, r.stderr);
    assert.match(
      r.stderr,
      /cdag\/k8s-build-show is built here, and the cluster cannot see this machine's images\. Nothing was run\. Give --registry HOST .* or --load-image COMMAND/,
    );
  });
});
