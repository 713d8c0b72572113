import { fail, ok, type Errorable } from '../util/errorable';
import type { Dag, Mount, Task } from '../dag/model';
import { previousLogicalDate, type DataInterval } from '../dag/schedule';
import { renderTemplate, type TemplateContext } from '../dag/templateRender';
import { dict } from '../util/dict';

/** A task with every template rendered for one attempt: what a backend turns into a container or pod. */
export interface RenderedTask {
  readonly task: Task;
  readonly image: string;
  readonly command?: readonly string[];
  readonly args?: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly workingDir?: string;
  readonly mounts: readonly Mount[];
}

export interface AttemptInfo {
  readonly runId: string;
  readonly tryNumber: number;
  readonly interval: DataInterval;
  readonly params?: Readonly<Record<string, unknown>>;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The outputs of the tasks done so far in this run, by task id. */
  readonly outputs?: ReadonlyMap<string, Readonly<Record<string, unknown>>>;
  /** An instance of a mapped task: the task's id (not the instance's), its item and index. */
  readonly taskId?: string;
  readonly item?: Readonly<Record<string, unknown>>;
  readonly mapIndex?: number;
}

/** What a task's templates read during one attempt. */
export function templateContext(dag: Dag, task: Task, attempt: AttemptInfo): TemplateContext {
  return {
    dagId: dag.id,
    taskId: attempt.taskId ?? task.id,
    runId: attempt.runId,
    tryNumber: attempt.tryNumber,
    logicalDate: attempt.interval.start,
    intervalEnd: attempt.interval.end,
    prevLogicalDate: previousLogicalDate(dag.schedule, attempt.interval.start),
    params: { ...dag.params, ...attempt.params },
    env: attempt.env ?? {},
    ...(attempt.outputs ? { outputs: attempt.outputs } : {}),
    ...(attempt.item ? { item: attempt.item } : {}),
    ...(attempt.mapIndex !== undefined ? { mapIndex: attempt.mapIndex } : {}),
  };
}

export function renderTask(dag: Dag, task: Task, attempt: AttemptInfo): Errorable<RenderedTask> {
  const ctx = templateContext(dag, task, attempt);
  const errors: string[] = [];
  const one = (field: string, s: string): string => {
    const r = renderTemplate(s, ctx);
    if (r.succeeded) return r.result;
    errors.push(`${task.id}.${field}: ${r.error}`);
    return s;
  };
  const list = (field: string, l: readonly string[] | undefined) => l?.map((s, i) => one(`${field}[${i}]`, s));
  const env = dict<string>();
  for (const [k, v] of Object.entries(task.env)) env[k] = one(`env.${k}`, v);
  const command = list('command', task.command);
  const args = list('args', task.args);
  const mounts = task.mounts.map((m, i) => ({
    ...m,
    target: one(`mounts[${i}]`, m.target),
    ...(m.hostPath ? { hostPath: one(`mounts[${i}]`, m.hostPath) } : {}),
  }));
  const rendered: RenderedTask = {
    task,
    image: one('image', task.image),
    ...(command ? { command } : {}),
    ...(args ? { args } : {}),
    env,
    ...(task.workingDir ? { workingDir: one('working_dir', task.workingDir) } : {}),
    mounts,
  };
  return errors.length ? fail(errors.join('\n')) : ok(rendered);
}
