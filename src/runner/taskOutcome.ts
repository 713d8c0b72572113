import type { Task } from '../dag/model';
import { asText, evaluateTemplate, truthy, type TemplateContext } from '../dag/templateRender';
import type { BackendKind, TaskState } from '../protocol/runRecord';
import type { AttemptExit } from './backend';
import type { RunOptions } from './runOptions';
import { OUTPUT_PATHS, readOutputs } from './outputs';
import { templateContext } from './renderTask';

/**
 * Why a ready task does not run, decided before its first attempt: its instance for the previous
 * logical date did not succeed (`depends_on_past`), or its `when` is false. Undefined: it runs.
 */
export async function taskGate(
  task: Task,
  o: RunOptions,
  outputs: ReadonlyMap<string, Readonly<Record<string, unknown>>>,
): Promise<{ state: TaskState; reason: string } | undefined> {
  if (task.dependsOnPast && o.past) {
    const past = await o.past(task.id);
    if (!past.ok) return { state: 'upstream_failed', reason: past.reason };
  }
  if (task.when === undefined) return undefined;
  const ctx = runContext(task, o, outputs);
  const value = evaluateTemplate(task.when, ctx);
  if (!value.succeeded) return { state: 'failed', reason: `when: ${value.error}` };
  if (!truthy(value.result)) return { state: 'skipped', reason: `when was false (${asText(value.result)})` };
  return undefined;
}

/** What a task's run-level templates (`when`, `expand`) read: the run's names and the outputs so far. */
export function runContext(
  task: Task,
  o: RunOptions,
  outputs: ReadonlyMap<string, Readonly<Record<string, unknown>>>,
): TemplateContext {
  return templateContext(o.dag, task, {
    runId: o.runId,
    tryNumber: 1,
    interval: o.interval,
    ...(o.params ? { params: o.params } : {}),
    ...(o.env ? { env: o.env } : {}),
    outputs,
  });
}

/**
 * How an attempt ended, from its exit: success (with its outputs read and checked), skipped (an
 * exit code of `skip_on_exit_code`), cancelled, or failed with the reason.
 */
export function exitState(
  task: Task,
  exit: AttemptExit,
  timedOut: boolean,
  cancelled: boolean,
  backend: BackendKind,
): { state: TaskState; reason?: string; outputs?: Record<string, unknown> } {
  if (cancelled) return { state: 'cancelled', reason: 'cancelled' };
  if (timedOut) return { state: 'failed', reason: `timeout after ${Math.round(task.timeoutMs! / 1000)}s` };
  if (exit.exitCode !== 0) {
    if (task.skipOnExitCode.includes(exit.exitCode))
      return { state: 'skipped', reason: `exit code ${exit.exitCode} (skip_on_exit_code)` };
    return { state: 'failed', reason: exit.reason ?? `exit code ${exit.exitCode}` };
  }
  if (task.outputs.length === 0) return { state: 'success' };
  const read = readOutputs(task.outputs, exit.output, OUTPUT_PATHS[backend]);
  return read.succeeded ? { state: 'success', outputs: read.result } : { state: 'failed', reason: read.error.message };
}

/** Outputs as the record keeps them: every string within masked (a task may print a secret into one). */
export function maskValues(v: Record<string, unknown>, mask: (text: string) => string): Record<string, unknown> {
  const walk = (x: unknown): unknown =>
    typeof x === 'string'
      ? mask(x)
      : Array.isArray(x)
        ? x.map(walk)
        : x && typeof x === 'object'
          ? Object.fromEntries(Object.entries(x).map(([k, y]) => [k, walk(y)]))
          : x;
  return walk(v) as Record<string, unknown>;
}
