import type { Dag, Task } from '../dag/model';
import type { DataInterval } from '../dag/schedule';
import type { RunEvent } from '../protocol/runEvents';
import type { AttemptRecord, RunRecord, TaskState } from '../protocol/runRecord';
import type { AttemptHandle, Backend, LogLine } from './backend';
import { currentOwner } from './owner';
import { renderTask } from './renderTask';
import { attemptKey } from '../dag/labels';
import { decide } from './triggerRules';
import { freshRecord, resumedRecord } from './startRecord';
import { abortableSleep, setLongTimeout } from './longTimer';
import { RecordWriter } from './recordWriter';
import { dict, own } from '../util/dict';

/** Where a run's record and logs go; the run store implements it, tests may keep them in memory. */
export interface RunSink {
  /** Called after every state change with the whole record; the sink decides how to persist it. */
  record(r: RunRecord): void;
  /** Opens the log of one attempt; returns the log's path relative to the run's folder. */
  openLog(
    taskId: string,
    tryNumber: number,
    onError?: (e: Error) => void,
  ): { path: string; write(line: LogLine): void; close(): Promise<void> };
}

export interface RunOptions {
  readonly dag: Dag;
  readonly runId: string;
  readonly interval: DataInterval;
  readonly backend: Backend;
  readonly sink: RunSink;
  readonly params?: Readonly<Record<string, unknown>>;
  /** The host environment, for `{{ env.NAME }}`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Secret name → value, resolved before the run. */
  readonly secretValues?: Readonly<Record<string, string>>;
  readonly mask?: (line: string) => string;
  readonly maxActiveTasks?: number;
  /** Run only these tasks (their upstream tasks are taken as succeeded). */
  readonly only?: ReadonlySet<string>;
  /** A previous run of the same DAG and date: its successful tasks are kept ("clear" of the rest). */
  readonly previous?: RunRecord;
  readonly file?: string;
  readonly fileHash?: string;
  /** SIGTERM → SIGKILL grace for cancel and timeouts (10 s). */
  readonly graceMs?: number;
  /**
   * A run whose runner died: it goes on under the same id; its running attempts are reattached
   * (or, when their container is gone, fail and follow their retry policy).
   */
  readonly resume?: RunRecord;
  /** Keep containers of failed attempts for inspection. */
  readonly keepFailed?: boolean;
  /** For tests: how retry delays are waited. */
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** How long the final record is retried when the runs folder stops taking writes (default 60 s). */
  readonly storePatienceMs?: number;
}

export const DEFAULT_MAX_ACTIVE_TASKS = 4;
export const DEFAULT_GRACE_MS = 10_000;
const MAX_RETRY_DELAY_MS = 24 * 3600_000;

type Listener = (e: RunEvent) => void;

/**
 * Runs one DAG run. Driven by events — an attempt's exit schedules the next tasks at once — so the
 * gap between a task ending and its downstream starting is our own few milliseconds.
 */
export class RunEngine {
  readonly record: RunRecord;
  private readonly listeners = new Set<Listener>();
  private readonly run = new AbortController();
  private readonly taskAborts = new Map<string, AbortController>();
  private active = 0;
  private finished!: (r: RunRecord) => void;
  private readonly done = new Promise<RunRecord>((r) => (this.finished = r));
  private readonly writer: RecordWriter;

  /** Tasks whose attempt was running when a previous runner died: reattached on start. */
  private readonly reattaching = new Set<string>();

  constructor(private readonly o: RunOptions) {
    this.writer = new RecordWriter(o.sink, (code) => this.storeFailed(code), o.storePatienceMs);
    if (o.resume) {
      const resumed = resumedRecord(o.resume, o.dag);
      this.record = resumed.record;
      for (const id of resumed.reattaching) this.reattaching.add(id);
    } else this.record = freshRecord(o);
    this.record.owner = currentOwner();
    if (o.backend.cluster) this.record.cluster = { ...o.backend.cluster };
  }

  /** Attempts of this run that must survive a collection of its leftovers: the ones being reattached. */
  get liveAttempts(): ReadonlySet<string> {
    return new Set([...this.reattaching].map((id) => attemptKey(id, this.record.tasks[id]!.tries)));
  }

  on(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(e: RunEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch {
        // A listener's failure must not stop the run.
      }
    }
  }

  /** Starts the run; resolves with the final record. */
  start(): Promise<RunRecord> {
    this.record.state = 'running';
    this.record.started_at = new Date().toISOString();
    this.emit({ type: 'run-state', runId: this.o.runId, state: 'running' });
    this.save();
    for (const id of this.reattaching) {
      const task = this.o.dag.tasks.find((t) => t.id === id)!;
      this.active++;
      this.taskAborts.set(id, new AbortController());
      void this.runTask(task, true);
    }
    this.schedule();
    return this.done;
  }

  /**
   * The runs folder stopped taking writes (a full disk): no task may run unrecorded, so the run is
   * stopped like a cancel — containers stopped and removed — and ends failed, saying why.
   */
  private storeFailed(code: string): void {
    this.record.reason = `the runs folder stopped taking writes (${code})`;
    this.emit({
      type: 'note',
      runId: this.o.runId,
      message: `Cannot write this run's record or logs (${code}): stopping its tasks. Free space in the runs folder; the record is finished once it can be written.`,
    });
    this.cancel(`stopped: ${this.record.reason}`);
  }

  /** Cancels the whole run: nothing new starts, running attempts are stopped, no retry follows. */
  cancel(reason = 'run cancelled'): void {
    if (this.run.signal.aborted) return;
    this.run.abort();
    for (const [id, t] of Object.entries(this.record.tasks)) {
      if (t.state === 'queued' || t.state === 'up_for_retry') this.setState(id, 'cancelled', reason);
    }
    // Every active task, including one whose container is still being created.
    for (const abort of this.taskAborts.values()) abort.abort();
    this.schedule();
  }

  /** Cancels one task; downstream tasks then follow their trigger rules. */
  cancelTask(taskId: string): void {
    const t = own(this.record.tasks, taskId);
    if (!t) return;
    if (t.state === 'queued' || t.state === 'up_for_retry') this.setState(taskId, 'cancelled', 'task cancelled');
    this.taskAborts.get(taskId)?.abort();
    this.schedule();
  }

  /** Every text the record keeps passes the masker: an error may quote a secret. */
  private mask(text: string): string {
    return this.o.mask ? this.o.mask(text) : text;
  }

  private get maxActive(): number {
    return Math.max(1, this.o.maxActiveTasks ?? this.o.dag.maxActiveTasks ?? DEFAULT_MAX_ACTIVE_TASKS);
  }

  /** Starts every task whose trigger rule is met, up to the bound; ends the run when nothing is left. */
  private schedule(): void {
    let changed = true;
    while (changed) {
      changed = false;
      for (const task of this.o.dag.tasks) {
        const rec = this.record.tasks[task.id]!;
        if (rec.state !== 'queued' || this.taskAborts.has(task.id)) continue;
        if (this.run.signal.aborted) {
          this.setState(task.id, 'cancelled', 'run cancelled');
          changed = true;
          continue;
        }
        const upstream = task.dependsOn.map((d) => own(this.record.tasks, d)?.state ?? 'success');
        const d = decide(task.triggerRule, upstream);
        if (d === 'wait') continue;
        if (d === 'skipped' || d === 'upstream_failed') {
          this.setState(task.id, d, d === 'skipped' ? 'upstream tasks skipped' : 'an upstream task failed');
          changed = true;
          continue;
        }
        if (this.active >= this.maxActive) continue;
        this.active++;
        this.taskAborts.set(task.id, new AbortController());
        void this.runTask(task);
      }
    }
    this.finishIfDone();
  }

  private finishIfDone(): void {
    if (this.active > 0 || this.record.ended_at) return;
    const states = Object.values(this.record.tasks).map((t) => t.state);
    if (states.some((s) => s === 'queued' || s === 'running' || s === 'up_for_retry')) return;
    this.record.state = this.writer.failure
      ? 'failed'
      : this.run.signal.aborted
        ? 'cancelled'
        : states.some((s) => s === 'failed' || s === 'upstream_failed' || s === 'cancelled')
          ? 'failed'
          : 'success';
    this.record.ended_at = new Date().toISOString();
    this.emit({ type: 'run-state', runId: this.o.runId, state: this.record.state });
    if (!this.writer.failure) {
      this.save();
      this.finished(this.record);
      return;
    }
    void this.writer.saveFinal(this.record).then((written) => {
      if (!written)
        this.emit({
          type: 'note',
          runId: this.o.runId,
          message: `The final record could not be written (${this.writer.failure}); the next start marks the run interrupted.`,
        });
      this.finished(this.record);
    });
  }

  private setState(taskId: string, state: TaskState, reason?: string): void {
    const t = this.record.tasks[taskId]!;
    t.state = state;
    if (reason !== undefined) t.reason = this.mask(reason);
    if (state !== 'running' && state !== 'queued' && state !== 'up_for_retry') t.ended_at ??= new Date().toISOString();
    this.emit({
      type: 'task-state',
      runId: this.o.runId,
      taskId,
      state,
      tryNumber: t.tries,
      ...(reason ? { reason } : {}),
    });
    this.save();
  }

  private save(): void {
    // After a failure, writes wait for the final record: each would fail again on a full disk.
    if (!this.writer.failure) this.writer.save(this.record);
  }

  /** All attempts of one task, retries included; frees its slot at the end. */
  private async runTask(task: Task, reattach = false): Promise<void> {
    const abort = this.taskAborts.get(task.id)!;
    const rec = this.record.tasks[task.id]!;
    try {
      for (;;) {
        const attempt = await this.runAttempt(task, abort.signal, reattach);
        reattach = false;
        if (attempt.state === 'success') {
          this.finishTask(task.id, 'success', attempt);
          return;
        }
        const cancelled = abort.signal.aborted || this.run.signal.aborted;
        if (cancelled) {
          this.finishTask(task.id, 'cancelled', attempt);
          return;
        }
        if (rec.tries > task.retries) {
          this.finishTask(task.id, 'failed', attempt);
          return;
        }
        const delay = task.retryExponentialBackoff
          ? Math.min(task.retryDelayMs * 2 ** (rec.tries - 1), MAX_RETRY_DELAY_MS)
          : task.retryDelayMs;
        this.setState(
          task.id,
          'up_for_retry',
          `${attempt.reason ?? 'failed'}; retry ${rec.tries} of ${task.retries} in ${Math.round(delay / 1000)}s`,
        );
        await (this.o.sleep ?? abortableSleep)(delay, abort.signal);
        if (abort.signal.aborted || this.run.signal.aborted) {
          this.finishTask(task.id, 'cancelled', { ...attempt, reason: 'cancelled before retry' });
          return;
        }
      }
    } catch (e) {
      this.finishTask(task.id, 'failed', {
        try: rec.tries,
        state: 'failed',
        reason: `internal error: ${(e as Error).message}`,
      });
    } finally {
      this.taskAborts.delete(task.id);
      this.active--;
      this.schedule();
    }
  }

  private finishTask(taskId: string, state: TaskState, last: AttemptRecord): void {
    const rec = this.record.tasks[taskId]!;
    if (last.exit_code !== undefined) rec.exit_code = last.exit_code;
    else delete rec.exit_code;
    this.setState(taskId, state, state === 'success' ? undefined : last.reason);
    if (state === 'success') delete rec.reason;
  }

  /** One attempt: a new container, or (reattach) the one a runner that died left running. */
  private async runAttempt(task: Task, signal: AbortSignal, reattach: boolean): Promise<AttemptRecord> {
    const rec = this.record.tasks[task.id]!;
    let attempt: AttemptRecord;
    if (reattach && rec.attempts.at(-1)) {
      attempt = rec.attempts.at(-1)!;
    } else {
      rec.tries++;
      attempt = { try: rec.tries, state: 'running', started_at: new Date().toISOString() };
      rec.attempts.push(attempt);
      rec.started_at ??= attempt.started_at;
      delete rec.ended_at;
      this.setState(task.id, 'running');
    }
    const end = (state: TaskState, reason?: string, exitCode?: number): AttemptRecord => {
      attempt.state = state;
      attempt.ended_at = new Date().toISOString();
      if (reason) attempt.reason = this.mask(reason);
      if (exitCode !== undefined) attempt.exit_code = exitCode;
      this.save();
      return attempt;
    };
    const rendered = renderTask(this.o.dag, task, {
      runId: this.o.runId,
      tryNumber: rec.tries,
      interval: this.o.interval,
      ...(this.o.params ? { params: this.o.params } : {}),
      ...(this.o.env ? { env: this.o.env } : {}),
    });
    if (!rendered.succeeded) return end('failed', rendered.error);
    attempt.image = rendered.result.image;
    const secrets = dict<string>();
    for (const [envName, secretName] of Object.entries(task.secrets)) {
      const v = own(this.o.secretValues, secretName);
      if (v === undefined && !reattach) return end('failed', `secret "${secretName}" has no value`);
      if (v !== undefined) secrets[envName] = v;
    }
    const mask = this.o.mask ?? ((l: string) => l);
    // A reattached attempt's log is read again from its first line, so the file is rewritten whole.
    const log = this.o.sink.openLog(task.id, rec.tries, (e) => this.writer.failed(e));
    attempt.log_file = log.path;
    try {
      if (signal.aborted && !reattach) return end('cancelled', 'cancelled');
      const spec = {
        dagId: this.o.dag.id,
        runId: this.o.runId,
        tryNumber: rec.tries,
        rendered: rendered.result,
        secrets,
        mask,
        note: (message: string) => this.emit({ type: 'note', runId: this.o.runId, taskId: task.id, message }),
      };
      let handle: AttemptHandle;
      if (reattach) {
        const found = await this.o.backend.reattach(spec, attempt.container_id);
        if (!found.succeeded || !found.result) {
          const why = found.succeeded ? 'its container was gone' : found.error;
          return end('failed', mask(`interrupted: the runner stopped while the task ran, and ${why}`));
        }
        handle = found.result;
        this.emit({
          type: 'note',
          runId: this.o.runId,
          message: `Reattached ${task.id} try ${rec.tries} (${handle.id.slice(0, 12)})`,
        });
      } else {
        const started = await this.o.backend.start(spec, signal);
        if (!started.succeeded) {
          log.write({ stream: 'stderr', line: mask(started.error) });
          return end(signal.aborted ? 'cancelled' : 'failed', mask(started.error));
        }
        handle = started.result;
      }
      attempt.container_id = handle.id;
      if (handle.imageDigest) attempt.image_digest = handle.imageDigest;
      this.save();
      let timedOut = false;
      const grace = this.o.graceMs ?? DEFAULT_GRACE_MS;
      const onAbort = () => void handle.kill(grace);
      signal.addEventListener('abort', onAbort, { once: true });
      // A cancel that came while the container was being started has already fired.
      if (signal.aborted) onAbort();
      // A reattached attempt keeps the deadline it started with.
      const elapsed = Date.now() - Date.parse(attempt.started_at ?? new Date().toISOString());
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
          this.emit({ type: 'log', runId: this.o.runId, taskId: task.id, tryNumber: rec.tries, ...line });
        }
      })();
      try {
        const exit = await handle.wait();
        await pump;
        if (handle.imageDigest) attempt.image_digest = handle.imageDigest;
        const ok = exit.exitCode === 0 && !timedOut && !signal.aborted;
        const failedReason = timedOut
          ? `timeout after ${Math.round(task.timeoutMs! / 1000)}s`
          : signal.aborted
            ? 'cancelled'
            : (exit.reason ?? `exit code ${exit.exitCode}`);
        await handle.cleanup(!ok && (this.o.keepFailed ?? false));
        return end(
          ok ? 'success' : signal.aborted ? 'cancelled' : 'failed',
          ok ? undefined : failedReason,
          exit.exitCode,
        );
      } finally {
        timer?.clear();
        signal.removeEventListener('abort', onAbort);
      }
    } finally {
      await log.close();
    }
  }
}
