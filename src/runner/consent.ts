import { own } from '../util/dict';
import { podPatchRisks } from '../dag/podModel';
import type { Dag, Task } from '../dag/model';
import type { DataInterval } from '../dag/schedule';
import { hostNetworkRequest, judgeHostPath, podRiskRequest, type SensitiveRequest } from './hostAccess';
import { renderTask } from './renderTask';
import { resolve } from 'node:path';

/** What a run renders with: host paths may be templated (`/{{ params.dir }}`). */
export interface RenderInputs {
  readonly intervals: Iterable<DataInterval>;
  readonly params?: Readonly<Record<string, unknown>>;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * What this DAG needs the user's consent for, per run, before any container starts: every task's
 * host paths as rendered for the run's dates and resolved, and host networking. Judged for the
 * whole DAG at once, so one question (or one refusal) lists everything.
 */
export function sensitiveRequests(
  dag: Dag,
  backend: 'docker' | 'kubernetes' = 'docker',
  inputs: RenderInputs = { intervals: [{ start: new Date(0), end: new Date(0) }] },
  only?: ReadonlySet<string>,
): SensitiveRequest[] {
  const out = new Map<string, SensitiveRequest>();
  const add = (r: SensitiveRequest) => out.set(`${r.taskId}\0${r.kind}\0${r.subject}`, r);
  const tasks = dag.tasks.filter((t) => !only || only.has(t.id));
  for (const interval of inputs.intervals) {
    for (const t of tasks) {
      for (const written of hostPathsOf(dag, t, backend, interval, inputs)) {
        const { request } = judgeHostPath(backend, t.id, written);
        if (request) add(request);
      }
    }
  }
  if (backend === 'kubernetes') {
    // A pod patch can ask for the node's network, namespaces, folders or full privileges.
    for (const t of tasks) {
      for (const risk of [...podPatchRisks(dag.kubernetes.pod), ...podPatchRisks(t.kubernetes.pod)]) {
        const r = podRiskRequest(t.id, risk);
        if (r) add(r);
      }
    }
  }
  if (backend === 'docker') {
    for (const t of tasks) {
      if ((t.network ?? dag.docker.network) === 'host') add(hostNetworkRequest('docker', t.id));
    }
  }
  return [...out.values()];
}

/** The host paths a task mounts on this backend, templates rendered where they can be. */
function hostPathsOf(
  dag: Dag,
  t: Task,
  backend: 'docker' | 'kubernetes',
  interval: DataInterval,
  inputs: RenderInputs,
): string[] {
  const rendered = renderTask(dag, t, {
    runId: 'consent',
    tryNumber: 1,
    interval,
    ...(inputs.params ? { params: inputs.params } : {}),
    ...(inputs.env ? { env: inputs.env } : {}),
  });
  const mounts = rendered.succeeded ? rendered.result.mounts : t.mounts;
  const paths: string[] = [];
  for (const m of mounts) {
    const volume = own(dag.volumes, m.volume ?? '');
    const source = backend === 'kubernetes' ? volume?.kubernetes?.hostPath : (m.hostPath ?? volume?.docker);
    // Volume sources are not templated; a task's own host path was rendered above.
    if (source?.startsWith('/')) paths.push(source);
  }
  return paths;
}

/** Whether a task's host path holds a template, so each run's dates must be judged. */
export function hasTemplatedHostPath(dag: Dag): boolean {
  return dag.tasks.some((t) => t.mounts.some((m) => m.hostPath?.includes('{{')));
}

/** The first interval alone: enough where no host path depends on the date. */
export function first<T>(items: Iterable<T>): T[] {
  for (const x of items) return [x];
  return [];
}

/**
 * The folders a run sends to the Docker Engine as build contexts (its tasks' and services' images),
 * judged as host paths are: a context that resolves to `/`, `/etc`, `/root`… (`context: ../../..`,
 * a symlink) needs the same consent as mounting it, since `COPY .` puts it in an image.
 */
export function buildContextRequests(dag: Dag, dagDir: string, only?: ReadonlySet<string>): SensitiveRequest[] {
  const out = new Map<string, SensitiveRequest>();
  const judge = (who: string, context: string) => {
    const { request } = judgeHostPath('docker', who, resolve(dagDir, context));
    if (request)
      out.set(`${who}\0${request.subject}`, {
        ...request,
        why: `${request.why}, sent to the Docker Engine as a build context`,
      });
  };
  for (const t of dag.tasks) {
    if (only && !only.has(t.id)) continue;
    if (t.build) judge(t.id, t.build.context);
    for (const name of t.services) {
      const build = dag.images.get(dag.services.get(name)?.image ?? '');
      if (build) judge(t.id, build.context);
    }
  }
  return [...out.values()];
}
