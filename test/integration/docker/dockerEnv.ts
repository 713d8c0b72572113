import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { analyzeDag } from '../../../src/dag/analyze';
import type { Dag } from '../../../src/dag/model';
import type { RunEvent } from '../../../src/protocol/runEvents';
import type { RunRecord } from '../../../src/protocol/runRecord';
import { connectDocker } from '../../../src/runner/docker/connect';
import { DockerBackend } from '../../../src/runner/docker/dockerBackend';
import { RunEngine } from '../../../src/runner/engine';
import type { RunOptions } from '../../../src/runner/runOptions';
import { LABELS } from '../../../src/dag/labels';
import { RunStore } from '../../../src/runner/runStore';
import { makeMasker } from '../../../src/runner/secretMasker';

/** A 2 MB image with sh, sleep, seq…: Debian's busybox-static copied into an empty image (no registry here). */
export const TEST_IMAGE = 'cdag-test/busybox:1';

export async function dockerOrFail(): Promise<Docker> {
  const d = await connectDocker(undefined);
  if (!d.succeeded) throw new Error(`These tests need a Docker Engine: ${d.error}`);
  return d.result;
}

export function ensureTestImage(): void {
  try {
    execFileSync('docker', ['image', 'inspect', TEST_IMAGE], { stdio: 'ignore' });
    return;
  } catch {
    // not built yet
  }
  const busybox = ['/bin/busybox', '/usr/bin/busybox'].find((p) => existsSync(p));
  if (!busybox) throw new Error('busybox-static is needed to build the test image: apt-get install busybox-static');
  const dir = mkdtempSync(join(tmpdir(), 'cdag-img-'));
  copyFileSync(busybox, join(dir, 'busybox'));
  writeFileSync(
    join(dir, 'Dockerfile'),
    'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox","--install","-s","/bin"]\n',
  );
  execFileSync('docker', ['build', '-q', '-t', TEST_IMAGE, dir], {
    env: { ...process.env, DOCKER_BUILDKIT: '0' },
    stdio: 'pipe',
  });
}

export function dagOf(yaml: string): Dag {
  const a = analyzeDag(yaml.replace(/\$IMAGE/g, TEST_IMAGE), 'it.dag.yaml');
  if (a.hasErrors) throw new Error(JSON.stringify(a.problems));
  return a.dag!;
}

let counter = 0;

export interface TestRun {
  engine: RunEngine;
  done: Promise<RunRecord>;
  store: RunStore;
  runId: string;
}

/** Starts a run; `listen` is attached before the start, so no event is missed. */
export function startRun(
  docker: Docker,
  dag: Dag,
  extra: Partial<RunOptions> = {},
  listen?: (e: RunEvent) => void,
): TestRun {
  const store = new RunStore(mkdtempSync(join(tmpdir(), 'cdag-runs-')));
  const runId = `it__${process.pid}__${++counter}`;
  const secretValues = extra.secretValues ?? {};
  const engine = new RunEngine({
    dag,
    runId,
    interval: { start: new Date('2024-01-01T00:00:00Z'), end: new Date('2024-01-02T00:00:00Z') },
    backend: new DockerBackend(docker, dag),
    sink: store.sink(runId),
    mask: makeMasker(Object.values(secretValues)),
    graceMs: 1000,
    ...extra,
  });
  if (listen) engine.on(listen);
  return { engine, done: engine.start(), store, runId };
}

/** Containers that carry this run's label, running or not. */
export async function containersOf(docker: Docker, runId: string): Promise<Docker.ContainerInfo[]> {
  return docker.listContainers({
    all: true,
    filters: { label: [`${LABELS.runId}=${runId.replace(/[^A-Za-z0-9_.-]/g, '_')}`] },
  });
}

/** The log of a task's last attempt in a run's folder. */
export function logOf(store: { runDir(id: string): string }, runId: string, r: RunRecord, task: string): string {
  return readFileSync(join(store.runDir(runId), r.tasks[task]!.attempts.at(-1)!.log_file!), 'utf8');
}
