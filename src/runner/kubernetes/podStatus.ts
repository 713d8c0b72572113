import type { V1Pod } from '@kubernetes/client-node';

/** What a pod's status means for the attempt, read from its conditions and container state. */
export type PodVerdict =
  /** Not started yet; `reason` says why, when the cluster says (shown live). */
  | { kind: 'pending'; reason?: string }
  | { kind: 'running' }
  /** A state that will not resolve by waiting: fail at once with the cluster's words. */
  | { kind: 'fail-fast'; reason: string }
  /** `message`: the container's termination message (its outputs, when it declares any). */
  | { kind: 'done'; exitCode: number; reason?: string; message?: string; neverStarted?: boolean };

/** Image errors that waiting does not fix: KPO and Argo fail on them at once, so do we. */
const FAIL_FAST = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull']);

export function podVerdict(pod: V1Pod): PodVerdict {
  const status = pod.status;
  const container = status?.containerStatuses?.find((c) => c.name === 'task') ?? status?.containerStatuses?.[0];
  const terminated = container?.state?.terminated;
  if (status?.phase === 'Succeeded' || status?.phase === 'Failed' || terminated) {
    if (terminated) {
      const code = terminated.exitCode ?? -1;
      const why = terminated.reason;
      if (why === 'OOMKilled')
        return {
          kind: 'done',
          exitCode: code,
          reason: 'OOMKilled: the container ran out of memory (raise resources.memory)',
        };
      if (status?.reason === 'DeadlineExceeded')
        return { kind: 'done', exitCode: code, reason: 'DeadlineExceeded: the pod ran past its activeDeadlineSeconds' };
      return {
        kind: 'done',
        exitCode: code,
        ...(why && why !== 'Completed' && why !== 'Error' ? { reason: why } : {}),
        ...(terminated.message ? { message: terminated.message } : {}),
      };
    }
    if (status?.phase === 'Failed') {
      const reason = status.reason ?? 'Failed';
      return {
        kind: 'done',
        exitCode: -1,
        neverStarted: true,
        reason: `${reason}${status.message ? `: ${status.message}` : ''}`,
      };
    }
    // Succeeded with no container status is not a state the kubelet reports; treat as not yet known.
  }
  const waiting = container?.state?.waiting;
  if (waiting?.reason && FAIL_FAST.has(waiting.reason))
    return { kind: 'fail-fast', reason: `${waiting.reason}: ${waiting.message ?? 'the image could not be pulled'}` };
  if (container?.state?.running) return { kind: 'running' };
  const scheduled = status?.conditions?.find((c) => c.type === 'PodScheduled');
  if (scheduled?.status === 'False' && scheduled.reason)
    return { kind: 'pending', reason: `${scheduled.reason}: ${scheduled.message ?? ''}`.trim() };
  if (waiting?.reason && waiting.reason !== 'ContainerCreating')
    return { kind: 'pending', reason: `${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}` };
  return { kind: 'pending' };
}

/** Whether the container has started, so its log can be followed (never on a Pending pod). */
export function containerStarted(pod: V1Pod): boolean {
  const c = pod.status?.containerStatuses?.[0]?.state;
  return !!(c?.running || c?.terminated);
}
