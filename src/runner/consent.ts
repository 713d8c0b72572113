import { own } from '../dag/dict';
import { podPatchRisks } from '../dag/podModel';
import type { Dag, Task } from '../dag/model';
import type { DataInterval } from '../dag/schedule';
import { resolveHostPath, sensitiveHostPath } from './hostMounts';
import { renderTask } from './renderTask';

/** Something a DAG asks for that gives its containers control of the host or node (M1). */
export interface SensitiveRequest {
  readonly taskId: string;
  readonly kind: 'host-path' | 'host-network' | 'privileged';
  /** The host path as resolved (normalised, symlinks followed), or `host` for the network. */
  readonly subject: string;
  /** The path as the DAG wrote it (after templates), when that differs from `subject`. */
  readonly written?: string;
  readonly why: string;
}

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
        const subject = resolveHostPath(written);
        const why =
          sensitiveHostPath(subject) ??
          (backend === 'kubernetes' ? 'a folder of the node itself (hostPath)' : undefined);
        if (why) add({ taskId: t.id, kind: 'host-path', subject, ...(written !== subject ? { written } : {}), why });
      }
    }
  }
  if (backend === 'kubernetes') {
    // A pod patch can ask for the node's network, namespaces, folders or full privileges.
    for (const t of tasks) {
      for (const risk of [...podPatchRisks(dag.kubernetes.pod), ...podPatchRisks(t.kubernetes.pod)]) {
        if (risk.kind === 'host-path') {
          const subject = resolveHostPath(risk.subject);
          add({
            taskId: t.id,
            kind: 'host-path',
            subject,
            ...(subject !== risk.subject ? { written: risk.subject } : {}),
            why: sensitiveHostPath(subject) ?? 'a folder of the node itself (hostPath)',
          });
        } else if (risk.kind === 'host-network')
          add({ taskId: t.id, kind: 'host-network', subject: 'host', why: 'the node’s network (hostNetwork)' });
        else
          add({
            taskId: t.id,
            kind: 'privileged',
            subject: risk.subject,
            why:
              risk.kind === 'privileged'
                ? `a privileged container (${risk.subject}): full control of the node`
                : `the node’s ${risk.subject === 'hostPID' ? 'processes' : 'IPC'} (${risk.subject})`,
          });
      }
    }
  }
  if (backend === 'docker') {
    for (const t of tasks) {
      if ((t.network ?? dag.docker.network) === 'host') {
        add({
          taskId: t.id,
          kind: 'host-network',
          subject: 'host',
          why: 'the host’s network (every port and interface of this machine)',
        });
      }
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

/** Requests not covered by what the user allowed (allowed paths are resolved the same way). */
export function unconsented(
  requests: readonly SensitiveRequest[],
  allowedHostPaths: Iterable<string>,
  allowHostNetwork: boolean,
  allowPrivileged = false,
): SensitiveRequest[] {
  const allowed = new Set([...allowedHostPaths].map((p) => resolveHostPath(p)));
  return requests.filter((r) =>
    r.kind === 'host-network'
      ? !allowHostNetwork
      : r.kind === 'privileged'
        ? !allowPrivileged
        : !allowed.has(r.subject),
  );
}

/** One sentence per distinct request, for a consent prompt. */
export function describeRequests(requests: readonly SensitiveRequest[]): string {
  const bySubject = new Map<string, SensitiveRequest[]>();
  for (const r of requests)
    bySubject.set(`${r.kind}:${r.subject}`, [...(bySubject.get(`${r.kind}:${r.subject}`) ?? []), r]);
  return [...bySubject.values()]
    .map((rs) => {
      const r = rs[0]!;
      const tasks = [...new Set(rs.map((x) => x.taskId))].join(', ');
      const written = [...new Set(rs.map((x) => x.written).filter((w): w is string => !!w))];
      const as = written.length ? ` (written ${written.join(', ')})` : '';
      return r.kind === 'host-path' ? `${tasks} mount ${r.subject}${as}: ${r.why}.` : `${tasks} ask for ${r.why}.`;
    })
    .join(' ');
}
