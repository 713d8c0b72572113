import { parseInstanceId } from '../dag/instanceIds';
import type { Dag, Task } from '../dag/model';
import { intervalAt, latestCompleteInterval } from '../dag/schedule';
import type { BackendKind } from '../protocol/runRecord';
import type { Errorable } from '../util/errorable';
import { containerCreateBody } from './docker/containerSpec';
import { podManifest } from './kubernetes/podSpec';
import { renderTask } from './renderTask';
import { makeRunId } from './runId';

/**
 * What a run would submit for one task's first try: the Engine API's container create body or the
 * pod manifest, templates rendered for the run of `date` (else the latest complete interval) and
 * secret values never read — only their names appear, as `***`.
 */
export function renderedSpec(
  dag: Dag,
  taskId: string,
  backend: BackendKind,
  options: {
    readonly date?: Date;
    readonly env?: Readonly<Record<string, string | undefined>>;
    readonly now?: Date;
  } = {},
): Errorable<object> | undefined {
  // An instance of a mapped task: `fetch[1]`.
  const named = dag.tasks.find((t) => t.id === taskId);
  const m = named ? undefined : parseInstanceId(taskId);
  const task = named ?? dag.tasks.find((t) => t.id === m?.task && t.expand);
  if (!task) return undefined;
  const mapIndex = m?.index;
  const interval = options.date
    ? intervalAt(dag.schedule, options.date)
    : latestCompleteInterval(dag.schedule, options.now ?? new Date());
  const runId = makeRunId('manual', interval.start);
  const rendered = renderTask(dag, task, {
    runId,
    tryNumber: 1,
    interval,
    ...(options.env ? { env: options.env } : {}),
    outputs: placeholderOutputs(dag),
    ...(task.expand ? { item: placeholderItem(task, mapIndex ?? 0), mapIndex: mapIndex ?? 0 } : {}),
  });
  if (!rendered.succeeded) return rendered;
  const masked = Object.fromEntries(Object.keys(task.secrets).map((k) => [k, '***']));
  return backend === 'kubernetes'
    ? podManifest(dag, rendered.result, runId, 1)
    : containerCreateBody(dag, rendered.result, runId, 1, masked);
}

/** Before a run no task has produced anything: each output renders as where it will come from. */
function placeholderOutputs(dag: Dag): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  for (const t of dag.tasks) out.set(t.id, Object.fromEntries(t.outputs.map((n) => [n, `<output ${n} of ${t.id}>`])));
  return out;
}

/** An instance's item: the literal list's value at its index where it is known, else where it comes from. */
function placeholderItem(task: Task, mapIndex: number): Record<string, unknown> {
  const item: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  // Literal lists are crossed in key order, the last varying fastest (as the engine does).
  let rest = mapIndex;
  const entries = [...(task.expand ?? [])].reverse();
  for (const [name, source] of entries) {
    if (source.kind === 'items' && source.items.length) {
      item[name] = source.items[rest % source.items.length];
      rest = Math.floor(rest / source.items.length);
    } else item[name] = `<item ${name} of ${source.kind === 'template' ? source.template : '[]'}>`;
  }
  return item;
}
