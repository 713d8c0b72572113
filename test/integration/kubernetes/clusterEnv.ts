import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunEvent } from '../../../src/protocol/runEvents';
import type { RunRecord } from '../../../src/protocol/runRecord';
import type { Dag } from '../../../src/dag/model';
import { RunEngine } from '../../../src/runner/engine';
import type { RunOptions } from '../../../src/runner/runOptions';
import { connectKubernetes, type Cluster } from '../../../src/runner/kubernetes/connect';
import { KubernetesBackend } from '../../../src/runner/kubernetes/kubernetesBackend';
import { RunStore } from '../../../src/runner/runStore';
import { makeMasker } from '../../../src/runner/secretMasker';
import { ROOT } from '../../e2e/codeServer';

/** This project's test cluster (`npm run cluster:up`), unless KUBECONFIG names another (kind, minikube). */
export const PROJECT_KUBECONFIG = join(homedir(), '.cache', 'container-dags', 'cluster', 'kubeconfig');
export const NAMESPACE = 'cdag-it';

export function kubeconfig(): string {
  const k = process.env.KUBECONFIG ?? (existsSync(PROJECT_KUBECONFIG) ? PROJECT_KUBECONFIG : undefined);
  if (!k)
    throw new Error(
      `These tests need a Kubernetes cluster: run "npm run cluster:up" (writes ${PROJECT_KUBECONFIG}) or set KUBECONFIG.`,
    );
  return k;
}

export async function clusterOrFail(): Promise<Cluster> {
  const c = await connectKubernetes({ kubeconfig: kubeconfig(), namespace: NAMESPACE });
  if (!c.succeeded) throw new Error(`These tests need a Kubernetes cluster: ${c.error}`);
  return c.result;
}

export function kubectl(...args: string[]): string {
  return execFileSync('kubectl', args, {
    env: { ...process.env, KUBECONFIG: kubeconfig() },
    encoding: 'utf8',
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

export function ensureNamespace(ns = NAMESPACE): void {
  try {
    kubectl('get', 'namespace', ns);
  } catch {
    kubectl('create', 'namespace', ns);
  }
  // A namespace's default ServiceAccount appears a moment after it; pods wait for it otherwise.
  for (let i = 0; i < 50; i++) {
    try {
      kubectl('-n', ns, 'get', 'serviceaccount', 'default');
      return;
    } catch {
      execFileSync('sleep', ['0.2']);
    }
  }
}

/** Local Docker images into the cluster: this project's loader, or CDAG_LOAD_IMAGE (e.g. "kind load docker-image"). */
export function loadImages(...images: string[]): void {
  const custom = process.env.CDAG_LOAD_IMAGE;
  if (custom) execFileSync('sh', ['-c', `${custom} ${images.join(' ')}`], { stdio: 'pipe' });
  else execFileSync('bash', [join(ROOT, 'scripts', 'cluster', 'load-image.sh'), ...images], { stdio: 'pipe' });
}

let counter = 0;

export function startPodRun(
  cluster: Cluster,
  dag: Dag,
  extra: Partial<RunOptions> = {},
  listen?: (e: RunEvent) => void,
): { engine: RunEngine; done: Promise<RunRecord>; store: RunStore; runId: string } {
  const store = new RunStore(mkdtempSync(join(tmpdir(), 'cdag-k8s-runs-')));
  const runId = `it__${process.pid}__k${++counter}`;
  const engine = new RunEngine({
    dag,
    runId,
    interval: { start: new Date('2024-01-01T00:00:00Z'), end: new Date('2024-01-02T00:00:00Z') },
    backend: new KubernetesBackend(cluster, dag),
    sink: store.sink(runId),
    mask: makeMasker(Object.values(extra.secretValues ?? {})),
    graceMs: 1000,
    ...extra,
  });
  if (listen) engine.on(listen);
  return { engine, done: engine.start(), store, runId };
}

/** Pods of a run, by label. */
export function podsOf(runId: string): string[] {
  const out = kubectl(
    '-n',
    NAMESPACE,
    'get',
    'pods',
    '-l',
    `io.container-dags/run-id=${runId.replace(/[^A-Za-z0-9_.-]/g, '_')}`,
    '-o',
    'name',
  );
  return out.split('\n').filter(Boolean);
}

/** Deletes a run's pods by label, without waiting (a pod kept for inspection, or one deleted out of band). */
export function deletePodsOf(runId: string): void {
  kubectl(
    '-n',
    NAMESPACE,
    'delete',
    'pods',
    '-l',
    `io.container-dags/run-id=${runId}`,
    '--wait=false',
    '--grace-period=1',
  );
}

/**
 * What the movielens example needs in the cluster, as the book sets it up: namespace `airflow`, the
 * claim `data-volume` bound to a host folder (`data`) through the PersistentVolume `pv`, and the
 * Secret `movielens-password`. Made anew: a claim left by another test is deleted first.
 */
export function movielensCluster(data: string, pv: string, dir: string): void {
  ensureNamespace('airflow');
  const manifests = join(dir, `${pv}.yaml`);
  writeFileSync(
    manifests,
    `apiVersion: v1
kind: PersistentVolume
metadata: {name: ${pv}}
spec:
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  storageClassName: ""
  hostPath: {path: ${data}, type: DirectoryOrCreate}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data-volume, namespace: airflow}
spec:
  accessModes: [ReadWriteOnce]
  storageClassName: ""
  volumeName: ${pv}
  resources: {requests: {storage: 1Gi}}
`,
  );
  kubectl('-n', 'airflow', 'delete', 'pvc', 'data-volume', '--ignore-not-found', '--wait=true');
  kubectl('delete', '-f', manifests, '--ignore-not-found', '--wait=true');
  kubectl('apply', '-f', manifests);
  kubectl('-n', 'airflow', 'delete', 'secret', 'movielens-password', '--ignore-not-found');
  kubectl(
    '-n',
    'airflow',
    'create',
    'secret',
    'generic',
    'movielens-password',
    '--from-literal=movielens-password=airflow',
  );
}
