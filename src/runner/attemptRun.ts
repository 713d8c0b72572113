import type { Task } from '../dag/model';
import type { RunEvent } from '../protocol/runEvents';
import type { AttemptRecord, RunRecord, TaskState } from '../protocol/runRecord';
import type { AttemptHandle, BuiltImage, PreparedAttempt } from './backend';
import type { Errorable } from '../util/errorable';
import { renderBuildArgs } from './buildArgs';
import { DEFAULT_GRACE_MS, type RunOptions } from './runOptions';
import { setLongTimeout } from './longTimer';
import type { Instance } from './mapping';
import { renderTask, type RenderedTask } from './renderTask';
import { exitState, maskValues, runContext } from './taskOutcome';
import { dict, own } from '../util/dict';

/** What one attempt needs of its run: the options, the record, the outputs so far, and how to report. */
export interface AttemptContext {
  readonly o: RunOptions;
  readonly record: RunRecord;
  readonly outputs: Map<string, Readonly<Record<string, unknown>>>;
  /** The instances of mapped tasks, by instance id (`ID[i]`). */
  readonly instances: ReadonlyMap<string, Instance>;
  setState(taskId: string, state: TaskState, reason?: string): void;
  save(): void;
  emit(e: RunEvent): void;
  mask(text: string): string;
  /** The log could not be written (a full disk): the run stops. */
  logFailed(e: Error): void;
  /** The attempt's container runs: the engine may create its downstream tasks' containers now. */
  started?(taskId: string): void;
  /** The container created ahead for this very attempt, if there is one (`StartsAhead`). */
  takeAhead?(taskId: string, tryNumber: number, rendered: RenderedTask): Promise<PreparedAttempt | undefined>;
  /** Work done while the run goes on (removing what an attempt created); the run ends after it. */
  offPath(work: Promise<void>, onError: (e: unknown) => void): void;
}

/** The task's image from its folder, its build args rendered with the run's names. */
async function buildImage(
  c: AttemptContext,
  task: Task,
  onLine: (line: string) => void,
  signal: AbortSignal,
): Promise<Errorable<BuiltImage>> {
  const args = renderBuildArgs(task.build!, runContext(task, c.o, c.outputs));
  if (!args.succeeded) return args;
  return c.o.builds!.ensure(task.build!, args.result, onLine, signal);
}

/** One attempt: a new container, or (reattach) the one a runner that died left running. */
export async function runAttempt(
  c: AttemptContext,
  task: Task,
  signal: AbortSignal,
  reattach: boolean,
): Promise<AttemptRecord> {
  const rec = c.record.tasks[task.id]!;
  let attempt: AttemptRecord;
  if (reattach && rec.attempts.at(-1)) {
    attempt = rec.attempts.at(-1)!;
  } else {
    rec.tries++;
    attempt = { try: rec.tries, state: 'running', started_at: new Date().toISOString() };
    rec.attempts.push(attempt);
    rec.started_at ??= attempt.started_at;
    delete rec.ended_at;
    c.setState(task.id, 'running');
  }
  const end = (state: TaskState, reason?: string, exitCode?: number): AttemptRecord => {
    attempt.state = state;
    // An ended attempt is no longer pending or building: its reason says why it never ran, if it did not.
    delete attempt.phase;
    delete attempt.pending_reason;
    attempt.ended_at = new Date().toISOString();
    if (reason) attempt.reason = c.mask(reason);
    if (exitCode !== undefined) attempt.exit_code = exitCode;
    c.save();
    return attempt;
  };
  const rendered = renderTask(c.o.dag, task, {
    runId: c.o.runId,
    tryNumber: rec.tries,
    interval: c.o.interval,
    ...(c.o.params ? { params: c.o.params } : {}),
    ...(c.o.env ? { env: c.o.env } : {}),
    outputs: c.outputs,
    ...instanceNames(c.instances.get(task.id)),
  });
  if (!rendered.succeeded) return end('failed', rendered.error);
  attempt.image = rendered.result.image;
  // What the container was given, as rendered (masked): what a comparison of two runs looks at.
  if (rendered.result.command) attempt.command = rendered.result.command.map((x) => c.mask(x));
  if (rendered.result.args) attempt.args = rendered.result.args.map((x) => c.mask(x));
  const secrets = dict<string>();
  for (const [envName, secretName] of Object.entries(task.secrets)) {
    const v = own(c.o.secretValues, secretName);
    if (v === undefined && !reattach) return end('failed', `secret "${secretName}" has no value`);
    if (v !== undefined) secrets[envName] = v;
  }
  const mask = c.o.mask ?? ((l: string) => l);
  // A reattached attempt's log is read again from its first line, so the file is rewritten whole.
  const log = c.o.sink.openLog(task.id, rec.tries, (e) => c.logFailed(e));
  attempt.log_file = log.path;
  try {
    if (signal.aborted && !reattach) return end('cancelled', 'cancelled');
    // The image is built (or found built) from its folder first; its output opens the task's log.
    let run = rendered.result;
    if (task.build && c.o.builds && !reattach) {
      // Shown as building (the graph, the tree) until its container starts.
      const phase = () =>
        c.emit({ type: 'task-state', runId: c.o.runId, taskId: task.id, state: 'running', tryNumber: rec.tries });
      attempt.phase = 'building';
      c.save();
      phase();
      const built = await buildImage(
        c,
        task,
        (line) => {
          const l = { stream: 'stdout' as const, line: mask(line) };
          log.write(l);
          c.emit({ type: 'log', runId: c.o.runId, taskId: task.id, tryNumber: rec.tries, ...l });
        },
        signal,
      );
      delete attempt.phase;
      if (!built.succeeded) {
        if (built.error !== 'cancelled') log.write({ stream: 'stderr', line: mask(built.error) });
        return end(signal.aborted ? 'cancelled' : 'failed', built.error);
      }
      phase();
      attempt.image = built.result.image;
      attempt.image_id = built.result.id;
      attempt.built = built.result.built;
      // What was just built (or found) is run: never pulled over, never a stale tag.
      run = { ...run, image: built.result.image, task: { ...run.task, imagePullPolicy: 'IfNotPresent' } };
    }
    const spec = {
      dagId: c.o.dag.id,
      runId: c.o.runId,
      tryNumber: rec.tries,
      rendered: run,
      secrets,
      mask,
      note: (message: string) => c.emit({ type: 'note', runId: c.o.runId, taskId: task.id, message }),
      // Pending is shown as such in every view of the record, never as running.
      pending: (reason: string | undefined) => {
        if (reason === undefined && attempt.phase !== 'pending') return;
        if (reason !== undefined && attempt.phase === 'pending' && attempt.pending_reason === reason) return;
        if (reason === undefined) {
          delete attempt.phase;
          delete attempt.pending_reason;
        } else {
          attempt.phase = 'pending';
          if (reason) attempt.pending_reason = mask(reason);
        }
        c.save();
        c.emit({ type: 'task-state', runId: c.o.runId, taskId: task.id, state: 'running', tryNumber: rec.tries });
      },
      ...(task.services.length ? { services: task.services } : {}),
    };
    let handle: AttemptHandle;
    if (reattach) {
      const found = await c.o.backend.reattach(spec, attempt.container_id);
      if (!found.succeeded || !found.result) {
        const why = found.succeeded ? 'its container was gone' : found.error;
        return end('failed', mask(`interrupted: the runner stopped while the task ran, and ${why}`));
      }
      handle = found.result;
      c.emit({
        type: 'note',
        runId: c.o.runId,
        message: `Reattached ${task.id} try ${rec.tries} (${handle.id.slice(0, 12)})`,
      });
    } else {
      const ahead = await c.takeAhead?.(task.id, rec.tries, run);
      const started = ahead ? await ahead.start(signal) : await c.o.backend.start(spec, signal);
      if (!started.succeeded) {
        log.write({ stream: 'stderr', line: mask(started.error) });
        return end(signal.aborted ? 'cancelled' : 'failed', mask(started.error));
      }
      handle = started.result;
    }
    attempt.container_id = handle.id;
    if (handle.imageDigest) attempt.image_digest = handle.imageDigest;
    c.save();
    c.started?.(task.id);
    let timedOut = false;
    const grace = c.o.graceMs ?? DEFAULT_GRACE_MS;
    const onAbort = () => void handle.kill(grace);
    signal.addEventListener('abort', onAbort, { once: true });
    // A cancel that came while the container was being started has already fired.
    if (signal.aborted) onAbort();
    // A reattached attempt keeps the deadline it started with; a new one's starts with its container
    // (a first build of its image is not the task's time).
    const elapsed = reattach ? Date.now() - Date.parse(attempt.started_at ?? new Date().toISOString()) : 0;
    const timer = task.timeoutMs
      ? setLongTimeout(
          () => {
            timedOut = true;
            void handle.kill(grace);
          },
          Math.max(0, task.timeoutMs - elapsed),
        )
      : undefined;
    const pump = (async () => {
      for await (const line of handle.logs) {
        log.write(line);
        c.emit({ type: 'log', runId: c.o.runId, taskId: task.id, tryNumber: rec.tries, ...line });
      }
    })();
    try {
      const exit = await handle.wait();
      await pump;
      if (handle.imageDigest) attempt.image_digest = handle.imageDigest;
      const ended = exitState(task, exit, timedOut, signal.aborted, c.o.backend.kind);
      if (ended.outputs) {
        c.outputs.set(task.id, ended.outputs);
        attempt.outputs = maskValues(ended.outputs, (t) => c.mask(t));
      }
      // Off the critical path: the downstream task starts while this container is removed.
      c.offPath(handle.cleanup(ended.state === 'failed' && (c.o.keepFailed ?? false)), (e) => {
        // Never dropped: the record and the run's notes say what is left.
        attempt.cleanup_error = c.mask(`${handle.id.slice(0, 12)} could not be removed: ${errorText(e)}`);
        c.emit({ type: 'note', runId: c.o.runId, taskId: task.id, message: attempt.cleanup_error });
        c.save();
      });
      return end(ended.state, ended.reason, exit.neverStarted ? undefined : exit.exitCode);
    } finally {
      timer?.clear();
      signal.removeEventListener('abort', onAbort);
    }
  } finally {
    await log.close();
  }
}

/** What an instance's templates read besides the task's: its item, its index, and the task's own id. */
export function instanceNames(i: Instance | undefined): {
  taskId?: string;
  item?: Readonly<Record<string, unknown>>;
  mapIndex?: number;
} {
  return i ? { taskId: i.parent, item: i.item, mapIndex: i.mapIndex } : {};
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
