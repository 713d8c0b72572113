import type { Task } from '../dag/model';
import { scanTemplates } from '../dag/template';
import type { RunRecord, TaskRecord } from '../protocol/runRecord';
import type { AttemptSpec, PreparedAttempt } from './backend';
import type { Errorable } from '../util/errorable';
import { dict, own } from '../util/dict';
import { instanceNames } from './attemptRun';
import type { Instance } from './mapping';
import { renderTask, type RenderedTask } from './renderTask';
import type { RunOptions } from './runOptions';

interface Ahead {
  readonly tryNumber: number;
  /** The rendered task it was created for: used only for the very same spec. */
  readonly key: string;
  readonly made: Promise<Errorable<PreparedAttempt>>;
}

/**
 * Containers created ahead of their start. While a task runs, each downstream task that waits on
 * it alone, and whose container nothing it does can change, gets its container created; so does a
 * ready task that waits for a free slot (`max_active_tasks`). Either starts the moment it may, so a
 * chain costs a start per task rather than a create and a start. A container not used (its upstream
 * failed, the run was cancelled) is removed before the run ends; one left by a runner that died
 * carries the run's labels like any other, and is collected.
 */
export class StartsAhead {
  private readonly ahead = new Map<string, Ahead>();
  private readonly discarding = new Set<Promise<void>>();

  constructor(
    private readonly o: RunOptions,
    private readonly record: RunRecord,
    private readonly outputs: ReadonlyMap<string, Readonly<Record<string, unknown>>>,
    private readonly signal: AbortSignal,
    /** At most this many containers wait created at once (the run's `max_active_tasks`). */
    private readonly limit: number,
  ) {}

  /** `taskId` started running: create the containers of the downstream tasks only it holds back. */
  upstreamStarted(taskId: string): void {
    if (own(this.record.tasks, taskId)?.mapped_from !== undefined) return;
    for (const task of this.o.dag.tasks) {
      if (this.ahead.size >= this.limit) return;
      if (task.dependsOn.includes(taskId) && this.upstreamAllows(task, taskId) && !readsOutputs(task)) this.make(task);
    }
  }

  /** A task (or an instance) may run and waits for a slot: create its container now. */
  waiting(task: Task, instance?: Instance): void {
    if (this.ahead.size < this.limit) this.make(task, instance);
  }

  /**
   * The container created for this attempt, if it was created for exactly this rendered task; taken
   * once. Any other is removed first: it has the attempt's name, which the new container takes.
   */
  async take(taskId: string, tryNumber: number, rendered: RenderedTask): Promise<PreparedAttempt | undefined> {
    const a = this.ahead.get(taskId);
    if (!a) return undefined;
    this.ahead.delete(taskId);
    if (a.tryNumber !== tryNumber || a.key !== specKey(rendered)) {
      await this.remove(a);
      return undefined;
    }
    const made = await a.made;
    // A container that could not be created is created again by `start`, which then says why.
    return made.succeeded ? made.result : undefined;
  }

  /** The task will not run with its container (it ended without running): remove it. */
  discard(taskId: string): void {
    const a = this.ahead.get(taskId);
    if (!a) return;
    this.ahead.delete(taskId);
    const p = this.remove(a).finally(() => this.discarding.delete(p));
    this.discarding.add(p);
  }

  /** Removes every container created and not taken; the run ends after. */
  async discardAll(): Promise<void> {
    for (const id of [...this.ahead.keys()]) this.discard(id);
    await Promise.all([...this.discarding]);
  }

  get idle(): boolean {
    return this.ahead.size === 0 && this.discarding.size === 0;
  }

  /** Creates the container of the task's next attempt (an instance's: `task` is the instance's). */
  private make(task: Task, instance?: Instance): void {
    const prepare = this.o.backend.prepare?.bind(this.o.backend);
    const rec = own(this.record.tasks, task.id);
    if (!prepare || this.signal.aborted || this.ahead.has(task.id) || !rec || !startsPlainly(task, rec)) return;
    const secrets = dict<string>();
    for (const [envName, secretName] of Object.entries(task.secrets)) {
      const value = own(this.o.secretValues, secretName);
      if (value === undefined) return;
      secrets[envName] = value;
    }
    const tryNumber = rec.tries + 1;
    const rendered = renderTask(this.o.dag, task, {
      runId: this.o.runId,
      tryNumber,
      interval: this.o.interval,
      ...(this.o.params ? { params: this.o.params } : {}),
      ...(this.o.env ? { env: this.o.env } : {}),
      outputs: this.outputs,
      ...instanceNames(instance),
    });
    if (!rendered.succeeded) return;
    const spec: AttemptSpec = {
      dagId: this.o.dag.id,
      runId: this.o.runId,
      tryNumber,
      rendered: rendered.result,
      secrets,
      mask: this.o.mask ?? ((l: string) => l),
    };
    this.ahead.set(task.id, { tryNumber, key: specKey(rendered.result), made: prepare(spec, this.signal) });
  }

  private async remove(a: Ahead): Promise<void> {
    const made = await a.made;
    // A failed removal leaves a created (never started) container with the run's labels: the next
    // start of the DAG collects it.
    if (made.succeeded) await made.result.discard().catch(() => undefined);
  }

  /** Whether `upstream` succeeding alone lets the task run: the default rule, every other upstream succeeded. */
  private upstreamAllows(task: Task, upstream: string): boolean {
    if (task.triggerRule !== 'all_success') return false;
    for (const d of task.dependsOn) {
      const r = own(this.record.tasks, d);
      if (!r || r.instances !== undefined) return false;
      if (d !== upstream && r.state !== 'success') return false;
    }
    return true;
  }
}

/**
 * A first try, queued, with nothing between its turn and its container's start: no gate (`when`,
 * `depends_on_past`), fan-out, build or service.
 */
function startsPlainly(task: Task, rec: TaskRecord): boolean {
  if (rec.state !== 'queued' || rec.tries > 0) return false;
  return !task.expand && !task.build && !task.services.length && task.when === undefined && !task.dependsOnPast;
}

/** Whether any template of the task's container reads another task's outputs (known only once it ran). */
export function readsOutputs(task: Task): boolean {
  const texts = [
    task.image,
    ...(task.command ?? []),
    ...(task.args ?? []),
    ...Object.values(task.env),
    task.workingDir ?? '',
    ...task.mounts.flatMap((m) => [m.volume ?? '', m.hostPath ?? '', m.target]),
  ];
  return texts.some((t) => t.includes('{{') && scanTemplates(t).exprs.some((e) => e.name.startsWith('tasks.')));
}

function specKey(r: RenderedTask): string {
  return JSON.stringify([r.image, r.command, r.args, r.env, r.workingDir, r.mounts]);
}
