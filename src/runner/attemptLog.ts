import { elapsed } from './elapsed';
import type { AttemptRecord, RunRecord } from '../protocol/runRecord';
import { own } from '../util/dict';

/** A log as a person reads it: a title, a header saying how the attempt ended, and where to look first. */
export interface AttemptLogView {
  /** `hello › greet · try 1 · 2024-01-01`; an instance keeps its `[i]`, a service is `service NAME`. */
  readonly title: string;
  /** Lines above the log: state, exit code, reason, duration, container or pod. */
  readonly header: readonly string[];
  /** What to show when the log is empty: why there are no lines (a pod that never started). */
  readonly empty: string;
  /** Whether the attempt failed: the view then opens at its first error line rather than the end. */
  readonly failed: boolean;
}

const SERVICE = /^service\.(.+)$/;

type Seen = Pick<AttemptRecord, 'started_at' | 'ended_at' | 'exit_code' | 'reason' | 'container_id'>;

/** The log of a task's attempt (or a service's, `service.NAME`) in a run record. */
export function attemptLogView(r: RunRecord, taskId: string, tryNumber: number): AttemptLogView {
  const day = r.logical_date.slice(0, 10);
  const service = SERVICE.exec(taskId)?.[1];
  const s = service !== undefined ? own(r.services ?? {}, service) : undefined;
  const task = service === undefined ? own(r.tasks, taskId) : undefined;
  const attempt: AttemptRecord | undefined = task?.attempts.find((x) => x.try === tryNumber);
  // A service's record tells the same things an attempt does (it is one container that ran).
  const a: Seen | undefined = s ?? attempt;
  const title =
    service !== undefined
      ? `${r.dag} › service ${service} · ${day}`
      : `${r.dag} › ${taskId} · try ${tryNumber} · ${day}`;
  const state: string = s?.state ?? attempt?.state ?? task?.state ?? 'unknown';
  const running = state === 'running' || state === 'starting' || state === 'ready';
  const phase = attempt?.phase;
  const first = [
    phase === 'pending' ? 'pending (not started)' : phase === 'building' ? 'building its image' : state,
    ...(a?.exit_code !== undefined ? [`exit code ${a.exit_code}`] : []),
    ...(a?.started_at
      ? [running && !a.ended_at ? `running for ${elapsed(a.started_at)}` : elapsed(a.started_at, a.ended_at)]
      : []),
    ...(a?.container_id
      ? [`${r.backend === 'kubernetes' ? 'pod' : 'container'} ${shortId(a.container_id, r.backend)}`]
      : []),
    ...(task && task.attempts.length > 1 ? [`try ${tryNumber} of ${task.attempts.length}`] : []),
    r.backend === 'kubernetes' && r.cluster ? `${r.cluster.context}/${r.cluster.namespace}` : r.backend,
  ];
  const reason = a?.reason ?? (phase === 'pending' ? attempt?.pending_reason : undefined);
  const neverStarted = task !== undefined && a !== undefined && a.exit_code === undefined && !running && !!reason;
  return {
    title,
    header: [title, first.join(' · '), ...(reason ? [`reason: ${reason}`] : []), '─'.repeat(60)],
    empty: neverStarted
      ? `(no log: the container never started — ${reason})`
      : running
        ? '(no lines yet: the log follows while the task runs)'
        : '(the attempt wrote no lines)',
    failed: state === 'failed' || state === 'up_for_retry',
  };
}

const ERROR_WORDS = /\b(error|exception|traceback|fatal|panic|failed|denied|not found)\b/i;

/**
 * Where a log opens: a failed attempt at its first line that says error (else its first stderr
 * line, `E ` in the log file), anything else at its end. `lines` are the log file's lines.
 */
export function focusLine(lines: readonly string[], failed: boolean): number {
  const last = Math.max(0, lines.length - 1);
  if (!failed) return last;
  const said = lines.findIndex((l) => ERROR_WORDS.test(l));
  if (said >= 0) return said;
  const stderr = lines.findIndex((l) => l.startsWith('E '));
  return stderr >= 0 ? stderr : last;
}

function shortId(id: string, backend: RunRecord['backend']): string {
  return backend === 'kubernetes' ? id : id.slice(0, 12);
}
