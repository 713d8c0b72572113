import type { PodPatchRisk } from '../dag/podModel';
import { resolveHostPath, sensitiveHostPath } from './hostMounts';

/** Something a DAG asks for that gives its containers control of the host or node. */
export interface SensitiveRequest {
  readonly taskId: string;
  readonly kind: 'host-path' | 'host-network' | 'privileged';
  /** The host path as resolved (normalised, symlinks followed), or `host` for the network. */
  readonly subject: string;
  /** The path as the DAG wrote it (after templates), when that differs from `subject`. */
  readonly written?: string;
  readonly why: string;
}

/**
 * The one rule for a host path, used before a run (to ask) and by each backend at the mount (to
 * refuse what was not asked): the path resolved, as it will be mounted, and the request it makes —
 * any folder of a Kubernetes node; on Docker, the host's system folders and sockets only.
 */
export function judgeHostPath(
  backend: 'docker' | 'kubernetes',
  taskId: string,
  written: string,
): { readonly subject: string; readonly request?: SensitiveRequest } {
  const subject = resolveHostPath(written);
  const why =
    sensitiveHostPath(subject) ?? (backend === 'kubernetes' ? 'a folder of the node itself (hostPath)' : undefined);
  if (!why) return { subject };
  return { subject, request: { taskId, kind: 'host-path', subject, ...(written !== subject ? { written } : {}), why } };
}

export function hostNetworkRequest(backend: 'docker' | 'kubernetes', taskId: string): SensitiveRequest {
  return {
    taskId,
    kind: 'host-network',
    subject: 'host',
    why:
      backend === 'docker'
        ? 'the host’s network (every port and interface of this machine)'
        : 'the node’s network (hostNetwork)',
  };
}

/** What a risk found in a pod (patched or whole) asks of the node; host paths are judged by `judgeHostPath`. */
export function podRiskRequest(taskId: string, risk: PodPatchRisk): SensitiveRequest | undefined {
  if (risk.kind === 'host-path') return judgeHostPath('kubernetes', taskId, risk.subject).request;
  if (risk.kind === 'host-network') return hostNetworkRequest('kubernetes', taskId);
  return {
    taskId,
    kind: 'privileged',
    subject: risk.subject,
    why:
      risk.kind === 'privileged'
        ? `a privileged container (${risk.subject}): full control of the node`
        : `the node’s ${risk.subject === 'hostPID' ? 'processes' : 'IPC'} (${risk.subject})`,
  };
}

/** What the user allowed for one run: host paths (resolved as mounts are), the network, privileges. */
export class Consent {
  private readonly hostPaths: ReadonlySet<string>;

  constructor(
    hostPaths: Iterable<string> = [],
    private readonly hostNetwork = false,
    private readonly privileged = false,
  ) {
    this.hostPaths = new Set([...hostPaths].map((p) => resolveHostPath(p)));
  }

  /** Consent to exactly these requests (the user said yes to them). */
  static to(requests: readonly SensitiveRequest[]): Consent {
    return new Consent(
      requests.filter((r) => r.kind === 'host-path').map((r) => r.subject),
      requests.some((r) => r.kind === 'host-network'),
      requests.some((r) => r.kind === 'privileged'),
    );
  }

  /** As backend options: what each backend checks again at every start. */
  granted(): { allowedHostPaths: ReadonlySet<string>; allowHostNetwork: boolean; allowPrivileged: boolean } {
    return { allowedHostPaths: this.hostPaths, allowHostNetwork: this.hostNetwork, allowPrivileged: this.privileged };
  }

  allows(r: SensitiveRequest): boolean {
    return r.kind === 'host-network'
      ? this.hostNetwork
      : r.kind === 'privileged'
        ? this.privileged
        : this.hostPaths.has(r.subject);
  }
}

/** Requests not covered by what the user allowed (allowed paths are resolved the same way). */
export function unconsented(
  requests: readonly SensitiveRequest[],
  allowedHostPaths: Iterable<string>,
  allowHostNetwork: boolean,
  allowPrivileged = false,
): SensitiveRequest[] {
  const consent = new Consent(allowedHostPaths, allowHostNetwork, allowPrivileged);
  return requests.filter((r) => !consent.allows(r));
}

/** Why a backend refused an attempt at its start: a request nobody consented to (the run's record keeps it). */
export function refusal(r: SensitiveRequest): string {
  const what =
    r.kind === 'host-path'
      ? `mounts ${r.subject}${r.written ? ` (written ${r.written})` : ''}: ${r.why}`
      : `asks for ${r.why}`;
  return `Task "${r.taskId}" ${what}; refused: it was not allowed for this run.`;
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
