import type { Task } from '../dag/model';
import type { RunEvent } from '../protocol/runEvents';
import type { AttemptRecord, RunRecord, TaskState } from '../protocol/runRecord';
import { groupRecords } from './groupStates';
import { currentOwner } from './owner';
import { DEFAULT_MAX_ACTIVE_TASKS, type RunOptions } from './runOptions';
import { runAttempt, type AttemptContext } from './attemptRun';
import {
  expandItems,
  instanceId,
  instanceRecord,
  instanceSummary,
  instanceTask,
  keptInstance,
  mappedOutputs,
  mappedState,
  type Instance,
} from './mapping';
import { attemptKey, serviceKey } from '../dag/labels';
import { decide } from './triggerRules';
import { freshRecord, history, resumedRecord } from './startRecord';
import { abortableSleep } from './longTimer';
import { RecordWriter } from './recordWriter';
import { dict, own } from '../util/dict';
import { maskValues, runContext, taskGate } from './taskOutcome';
import { runServices, type ServiceSupervisor } from './serviceSupervisor';
import { OffPath } from './offPath';
import { StartsAhead } from './startsAhead';

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
  /** Outputs of the tasks done, as written (the record keeps them masked). */
  private readonly outputs = new Map<string, Readonly<Record<string, unknown>>>();

  /** Tasks whose attempt was running when a previous runner died: reattached on start. */
  private readonly reattaching = new Set<string>();
  /** The instances of mapped tasks, by instance id, and by task in map-index order. */
  private readonly instances = new Map<string, Instance>();
  private readonly instancesOf = new Map<string, Instance[]>();
  private readonly attemptContext: AttemptContext;
  /** The run's services, when its tasks need some and the backend runs them. */
  private readonly services?: ServiceSupervisor;
  private finishing = false;
  /** Containers created while their upstream task runs (backends that can), and removals while it goes on. */
  private readonly ahead?: StartsAhead;
  private readonly offPath = new OffPath();

  constructor(private readonly o: RunOptions) {
    this.writer = new RecordWriter(o.sink, (code) => this.storeFailed(code), o.storePatienceMs);
    if (o.resume) {
      const resumed = resumedRecord(o.resume, o.dag);
      this.record = resumed.record;
      for (const id of resumed.reattaching) this.reattaching.add(id);
    } else this.record = freshRecord(o);
    this.record.owner = currentOwner();
    for (const [id, t] of Object.entries(this.record.tasks)) {
      if (t.outputs) this.outputs.set(id, t.outputs);
      if (t.mapped_from !== undefined && t.map_index !== undefined)
        this.addInstance({ id, parent: t.mapped_from, mapIndex: t.map_index, item: t.item ?? {} });
    }
    if (o.backend.cluster) this.record.cluster = { ...o.backend.cluster };
    this.services = runServices(o, {
      mask: (l) => this.mask(l),
      changed: (service, rec) => {
        (this.record.services ??= dict())[service] = rec;
        this.emit({ type: 'service-state', runId: o.runId, service, state: rec.state, reason: rec.reason });
        this.save();
      },
      note: (message) => this.emit({ type: 'note', runId: o.runId, message }),
      ended: (id) => !['queued', 'running', 'up_for_retry'].includes(own(this.record.tasks, id)?.state ?? 'success'),
    });
    this.attemptContext = {
      o,
      record: this.record,
      outputs: this.outputs,
      instances: this.instances,
      setState: (id, state, reason) => this.setState(id, state, reason),
      save: () => this.save(),
      emit: (e) => this.emit(e),
      mask: (t) => this.mask(t),
      logFailed: (e) => this.writer.failed(e),
      started: (id) => this.ahead?.upstreamStarted(id),
      takeAhead: (id, tryNumber, rendered) => this.ahead?.take(id, tryNumber, rendered) ?? Promise.resolve(undefined),
      offPath: (work, onError) => this.offPath.add(work, onError),
    };
    if (o.backend.prepare) this.ahead = new StartsAhead(o, this.record, this.outputs, this.run.signal, this.maxActive);
  }

  private addInstance(i: Instance): void {
    this.instances.set(i.id, i);
    const list = this.instancesOf.get(i.parent) ?? [];
    list[i.mapIndex] = i;
    this.instancesOf.set(i.parent, list);
  }

  /** The task an id names: one of the DAG's, or an instance of a mapped one. */
  private taskById(id: string): Task | undefined {
    const i = this.instances.get(id);
    const task = this.o.dag.tasks.find((t) => t.id === (i?.parent ?? id));
    return task && i ? instanceTask(task, i) : task;
  }

  /** Attempts of this run that must survive a collection of its leftovers: the ones being reattached. */
  get liveAttempts(): ReadonlySet<string> {
    return new Set([...this.reattaching].map((id) => attemptKey(id, this.record.tasks[id]!.tries)));
  }

  /** The services of the attempts followed again (`serviceKey`): those attempts reach them where they are. */
  get liveServices(): ReadonlySet<string> {
    const task = (id: string) => this.o.dag.tasks.find((t) => t.id === (this.record.tasks[id]!.mapped_from ?? id));
    return new Set([...this.reattaching].flatMap((id) => task(id)?.services ?? []).map(serviceKey));
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
      const task = this.taskById(id)!;
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

  /** What a task's downstream tasks see of it: its state, or its instances' when it is mapped. */
  private statesOf(id: string): TaskState[] {
    const instances = this.instancesOf.get(id);
    const own_ = own(this.record.tasks, id)?.state ?? 'success';
    return instances && own_ !== 'skipped' ? instances.map((i) => this.record.tasks[i.id]!.state) : [own_];
  }

  /** Starts every task whose trigger rule is met, up to the bound; ends the run when nothing is left. */
  private schedule(): void {
    let changed = true;
    while (changed) {
      changed = false;
      for (const task of this.o.dag.tasks) {
        const rec = this.record.tasks[task.id]!;
        if (rec.state === 'running' && rec.instances !== undefined) {
          changed = this.scheduleInstances(task) || changed;
          continue;
        }
        if (rec.state !== 'queued' || this.taskAborts.has(task.id)) continue;
        if (this.run.signal.aborted) {
          this.setState(task.id, 'cancelled', 'run cancelled');
          changed = true;
          continue;
        }
        const upstream = task.dependsOn.flatMap((d) => this.statesOf(d));
        const d = decide(task.triggerRule, upstream);
        if (d === 'wait') continue;
        if (d === 'skipped' || d === 'upstream_failed') {
          this.setState(task.id, d, d === 'skipped' ? 'upstream tasks skipped' : 'an upstream task failed');
          changed = true;
          continue;
        }
        if (this.active >= this.maxActive) {
          if (!task.expand) this.ahead?.waiting(task);
          continue;
        }
        this.active++;
        this.taskAborts.set(task.id, new AbortController());
        void (task.expand ? this.expandTask(task) : this.runTask(task));
      }
    }
    this.finishIfDone();
  }

  /** Starts a mapped task's queued instances within both bounds; ends the task when all have. Whether anything changed. */
  private scheduleInstances(task: Task): boolean {
    const instances = this.instancesOf.get(task.id) ?? [];
    const records = instances.map((i) => this.record.tasks[i.id]!);
    const ended = mappedState(records);
    if (ended) {
      const rec = this.record.tasks[task.id]!;
      if (task.outputs.length) {
        const values = mappedOutputs(task.outputs, records);
        this.outputs.set(task.id, values);
        rec.outputs = maskValues(values, (t) => this.mask(t));
      }
      this.setState(task.id, ended, ended === 'success' ? undefined : instanceSummary(records));
      return true;
    }
    let running = records.filter((r) => r.state === 'running' || r.state === 'up_for_retry').length;
    let changed = false;
    for (const i of instances) {
      const r = this.record.tasks[i.id]!;
      if (r.state !== 'queued' || this.taskAborts.has(i.id)) continue;
      if (this.run.signal.aborted) {
        this.setState(i.id, 'cancelled', 'run cancelled');
        changed = true;
        continue;
      }
      if (this.active >= this.maxActive || running >= (task.expandMaxActive ?? Infinity)) {
        this.ahead?.waiting(instanceTask(task, i), i);
        continue;
      }
      this.active++;
      running++;
      this.taskAborts.set(i.id, new AbortController());
      void this.runTask(instanceTask(task, i));
    }
    return changed;
  }

  /**
   * A mapped task is ready: its gate (depends_on_past, when) decides once for all instances, then
   * its lists are resolved and one queued instance made per item; an empty list skips the task.
   */
  private async expandTask(task: Task): Promise<void> {
    try {
      const gate = await taskGate(task, this.o, this.outputs);
      if (gate) return this.setState(task.id, gate.state, gate.reason);
      const items = expandItems(task, runContext(task, this.o, this.outputs));
      if (!items.succeeded) return this.setState(task.id, 'failed', items.error);
      if (items.result.length === 0) return this.setState(task.id, 'skipped', 'empty expand: no items to run');
      const rec = this.record.tasks[task.id]!;
      rec.instances = items.result.length;
      rec.started_at = new Date().toISOString();
      items.result.forEach((item, mapIndex) => {
        const id = instanceId(task.id, mapIndex);
        this.addInstance({ id, parent: task.id, mapIndex, item });
        const masked = maskValues(item, (t) => this.mask(t));
        const kept = keptInstance(own(this.o.previous?.tasks, id), task.id, masked, this.o.only !== undefined);
        this.record.tasks[id] = kept ?? { ...instanceRecord(task.id, mapIndex, masked), ...history(this.o, id) };
        if (kept?.outputs) this.outputs.set(id, kept.outputs);
      });
      this.setState(task.id, 'running');
    } catch (e) {
      this.setState(task.id, 'failed', `internal error: ${(e as Error).message}`);
    } finally {
      this.taskAborts.delete(task.id);
      this.active--;
      this.schedule();
    }
  }

  private finishIfDone(): void {
    if (this.active > 0 || this.record.ended_at || this.finishing) return;
    const states = Object.values(this.record.tasks).map((t) => t.state);
    if (states.some((s) => s === 'queued' || s === 'running' || s === 'up_for_retry')) return;
    if (this.services || !this.offPath.idle || (this.ahead && !this.ahead.idle)) {
      // The run ends once what it created is gone — containers made ahead and not used, removals
      // under way, services: nothing is left after the record says ended.
      this.finishing = true;
      void (async () => {
        await this.ahead?.discardAll();
        await this.offPath.drain();
        await this.services?.stopAll();
      })().finally(() => this.finish(states));
      return;
    }
    this.finish(states);
  }

  private finish(states: readonly TaskState[]): void {
    this.record.state = this.writer.failure
      ? 'failed'
      : this.run.signal.aborted
        ? 'cancelled'
        : states.some((s) => s === 'failed' || s === 'upstream_failed' || s === 'cancelled')
          ? 'failed'
          : 'success';
    this.record.ended_at = new Date().toISOString();
    this.updateGroups();
    this.emit({ type: 'run-state', runId: this.o.runId, state: this.record.state });
    if (!this.writer.failure) {
      this.writer.saveNow(this.record);
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
    if (state !== 'running' && state !== 'queued' && state !== 'up_for_retry') {
      t.ended_at ??= new Date().toISOString();
      // Ended without running (upstream failed, cancelled): the container made for it goes.
      this.ahead?.discard(taskId);
      // A service no waiting task needs any more stops now, not at the end of the run.
      void this.services?.release(taskId);
    }
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
    this.updateGroups();
    // After a failure, writes wait for the final record: each would fail again on a full disk.
    if (!this.writer.failure) this.writer.save(this.record);
  }

  /** Groups' states follow their tasks'; kept in the record for views that have no DAG file. */
  private updateGroups(): void {
    if (this.o.dag.groups.size) this.record.groups = groupRecords(this.o.dag, this.record);
  }

  /** All attempts of one task, retries included; frees its slot at the end. */
  private async runTask(task: Task, reattach = false): Promise<void> {
    const abort = this.taskAborts.get(task.id)!;
    const rec = this.record.tasks[task.id]!;
    try {
      const gate = reattach ? undefined : await taskGate(task, this.o, this.outputs);
      if (gate) {
        this.setState(task.id, gate.state, gate.reason);
        return;
      }
      // An attempt followed again keeps the service it reaches (adopted, to be stopped after it);
      // whatever that service became while no runner watched, the attempt goes on and says so.
      if (this.services && task.services.length && reattach) void this.services.ensure(task, abort.signal);
      else if (this.services && task.services.length) {
        const ready = await this.services.ensure(task, abort.signal);
        if (!ready.succeeded) {
          const cancelled = abort.signal.aborted || this.run.signal.aborted;
          this.finishTask(task.id, cancelled ? 'cancelled' : 'failed', {
            try: rec.tries,
            state: cancelled ? 'cancelled' : 'failed',
            reason: cancelled ? 'cancelled while its services started' : ready.error,
          });
          return;
        }
      }
      for (;;) {
        const attempt = await runAttempt(this.attemptContext, task, abort.signal, reattach);
        reattach = false;
        if (attempt.state === 'success' || attempt.state === 'skipped') {
          this.finishTask(task.id, attempt.state, attempt);
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
    if (last.outputs) rec.outputs = last.outputs;
    this.setState(taskId, state, state === 'success' ? undefined : last.reason);
    if (state === 'success') delete rec.reason;
  }
}
