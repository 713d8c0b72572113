import type { Dag } from '../dag/model';
import { sensitiveHostPath } from './hostMounts';

/** Something a DAG asks for on Docker that gives its containers control of the host (M1). */
export interface SensitiveRequest {
  readonly taskId: string;
  readonly kind: 'host-path' | 'host-network';
  /** The host path, or `host` for the network. */
  readonly subject: string;
  readonly why: string;
}

/** What this DAG needs the user's consent for, per run, before it may run on the given backend. */
export function sensitiveRequests(dag: Dag, backend: 'docker' | 'kubernetes' = 'docker'): SensitiveRequest[] {
  const out: SensitiveRequest[] = [];
  if (backend === 'kubernetes') {
    // Pod Security Standards (Baseline) forbid hostPath: any node folder needs a yes for this run.
    for (const t of dag.tasks) {
      for (const m of t.mounts) {
        const path = dag.volumes[m.volume ?? '']?.kubernetes?.hostPath;
        if (path)
          out.push({
            taskId: t.id,
            kind: 'host-path',
            subject: path,
            why: sensitiveHostPath(path) ?? 'a folder of the node itself (hostPath)',
          });
      }
    }
    return out;
  }
  for (const t of dag.tasks) {
    for (const m of t.mounts) {
      const source = m.hostPath ?? dag.volumes[m.volume ?? '']?.docker;
      if (!source?.startsWith('/')) continue;
      const why = sensitiveHostPath(source);
      if (why) out.push({ taskId: t.id, kind: 'host-path', subject: source, why });
    }
    if ((t.network ?? dag.docker.network) === 'host') {
      out.push({
        taskId: t.id,
        kind: 'host-network',
        subject: 'host',
        why: 'the host’s network (every port and interface of this machine)',
      });
    }
  }
  return out;
}

/** One sentence per distinct request, for a consent prompt. */
export function describeRequests(requests: readonly SensitiveRequest[]): string {
  const bySubject = new Map<string, SensitiveRequest[]>();
  for (const r of requests)
    bySubject.set(`${r.kind}:${r.subject}`, [...(bySubject.get(`${r.kind}:${r.subject}`) ?? []), r]);
  return [...bySubject.values()]
    .map((rs) => {
      const r = rs[0]!;
      const tasks = rs.map((x) => x.taskId).join(', ');
      return r.kind === 'host-path' ? `${tasks} mount ${r.subject}: ${r.why}.` : `${tasks} use ${r.why}.`;
    })
    .join(' ');
}
