import { MAX_EXPAND_ITEMS } from '../dag/dataflowChecks';
import type { Task } from '../dag/model';
import { asText, evaluateTemplate, type TemplateContext } from '../dag/templateRender';
import type { TaskRecord, TaskState } from '../protocol/runRecord';
import { ENDED_STATES } from './triggerRules';
import { fail, ok, type Errorable } from '../util/errorable';

/** One instance of a task with `expand`: its id (`ID[i]`), index and values of the variables. */
export interface Instance {
  readonly id: string;
  readonly parent: string;
  readonly mapIndex: number;
  readonly item: Readonly<Record<string, unknown>>;
}

export { instanceId } from '../dag/instanceIds';

/**
 * The items of a task's `expand`, resolved now that its upstream tasks are done: each variable's
 * list (a YAML list, or a template giving one), and every combination of them in key order (as
 * Airflow's `expand` over several arguments), at most 1,024.
 */
export function expandItems(task: Task, ctx: TemplateContext): Errorable<Array<Record<string, unknown>>> {
  let combos: Array<Record<string, unknown>> = [Object.create(null) as Record<string, unknown>];
  for (const [name, source] of task.expand ?? []) {
    let items: readonly unknown[];
    if (source.kind === 'items') items = source.items;
    else {
      const v = evaluateTemplate(source.template, ctx);
      if (!v.succeeded) return fail(`expand.${name}: ${v.error}`);
      if (!Array.isArray(v.result))
        return fail(`expand-not-list: expand.${name} gave ${asText(v.result).slice(0, 80)}, not a list.`);
      items = v.result;
    }
    if (combos.length * items.length > MAX_EXPAND_ITEMS)
      return fail(
        `expand-too-large: ${combos.length * items.length} instances, more than ${MAX_EXPAND_ITEMS} (Airflow's max_map_length). Batch the items.`,
      );
    combos = combos.flatMap((c) =>
      items.map((x) => Object.assign(Object.create(null) as Record<string, unknown>, c, { [name]: x })),
    );
  }
  return ok(combos);
}

/** The task an instance runs: the task's container, without what belongs to the whole mapped task. */
export function instanceTask(task: Task, instance: Instance): Task {
  return { ...task, id: instance.id, dependsOn: [], dependsOnPast: false, when: undefined, expand: undefined };
}

/**
 * The state of a mapped task once every instance has ended: failed if one failed, cancelled if one
 * was, skipped if all were, success otherwise; undefined while instances go on.
 */
export function mappedState(instances: readonly TaskRecord[]): TaskState | undefined {
  if (!instances.every((t) => ENDED_STATES.has(t.state))) return undefined;
  if (instances.some((t) => t.state === 'failed' || t.state === 'upstream_failed')) return 'failed';
  if (instances.some((t) => t.state === 'cancelled')) return 'cancelled';
  if (instances.every((t) => t.state === 'skipped')) return 'skipped';
  return 'success';
}

/** A mapped task's outputs: per name, the list of its instances' values in map-index order (null where none). */
export function mappedOutputs(names: readonly string[], instances: readonly TaskRecord[]): Record<string, unknown> {
  const out = Object.create(null) as Record<string, unknown>;
  for (const n of names) out[n] = instances.map((t) => (t.outputs && n in t.outputs ? t.outputs[n] : null));
  return out;
}

/** The record an instance starts with. */
export function instanceRecord(parent: string, mapIndex: number, item: Record<string, unknown>): TaskRecord {
  return { state: 'queued', tries: 0, attempts: [], mapped_from: parent, map_index: mapIndex, item };
}

/** `3 instance(s): 2 success, 1 failed`, why a mapped task ended as it did. */
export function instanceSummary(records: readonly TaskRecord[]): string {
  const counts = new Map<string, number>();
  for (const r of records) counts.set(r.state, (counts.get(r.state) ?? 0) + 1);
  return `${records.length} instance(s): ${[...counts].map(([k, n]) => `${n} ${k}`).join(', ')}`;
}

/**
 * What a re-run keeps of an instance the previous run made for the same item: a success (as
 * Airflow's "clear failed" keeps the map indexes that worked), or, in a re-run of a selection, any
 * instance the selection left out. Another item at that index (the list changed) runs again.
 */
export function keptInstance(
  prev: TaskRecord | undefined,
  task: string,
  item: Readonly<Record<string, unknown>>,
  selection: boolean,
): TaskRecord | undefined {
  if (!prev || prev.mapped_from !== task || JSON.stringify(prev.item ?? {}) !== JSON.stringify(item)) return undefined;
  if (prev.state !== 'success' && !(selection && ENDED_STATES.has(prev.state))) return undefined;
  return { ...prev };
}
