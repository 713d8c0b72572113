import type { Dag } from '../dag/model';
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
  const task = dag.tasks.find((t) => t.id === taskId);
  if (!task) return undefined;
  const interval = options.date
    ? intervalAt(dag.schedule, options.date)
    : latestCompleteInterval(dag.schedule, options.now ?? new Date());
  const runId = makeRunId('manual', interval.start);
  const rendered = renderTask(dag, task, {
    runId,
    tryNumber: 1,
    interval,
    ...(options.env ? { env: options.env } : {}),
  });
  if (!rendered.succeeded) return rendered;
  const masked = Object.fromEntries(Object.keys(task.secrets).map((k) => [k, '***']));
  return backend === 'kubernetes'
    ? podManifest(dag, rendered.result, runId, 1)
    : containerCreateBody(dag, rendered.result, runId, 1, masked);
}
