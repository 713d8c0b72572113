import { isoTimestamp } from '../dag/dates';
import { parseInstanceId } from '../dag/instanceIds';
import { inGroup } from '../dag/buildStructure';
import type { Dag } from '../dag/model';
import type { RunRecord } from '../protocol/runRecord';
import { dict, own } from '../util/dict';

/**
 * What a re-run selects, as Airflow's "clear" does: task ids, or instances of mapped tasks
 * (`fetch[3]`), which re-run that instance alone while its siblings keep what they did.
 */

/** The instance an id names, when it names one of a mapped task of this DAG. */
export function instanceOf(dag: Dag, id: string): { readonly task: string; readonly index: number } | undefined {
  if (dag.tasks.some((t) => t.id === id)) return undefined;
  const i = parseInstanceId(id);
  return i && dag.tasks.some((t) => t.id === i.task && t.expand) ? i : undefined;
}

/** Whether an id names a task of the DAG, an instance of one of its mapped tasks, or a group. */
export const isSelectable = (dag: Dag, id: string): boolean =>
  dag.tasks.some((t) => t.id === id) || instanceOf(dag, id) !== undefined || dag.groups.has(id);

/** The tasks of a group (inner groups included); a task id or an instance stands for itself. */
function membersOrSelf(dag: Dag, id: string): string[] {
  if (dag.tasks.some((t) => t.id === id) || !dag.groups.has(id)) return [id];
  return dag.tasks.filter((t) => inGroup(t, id)).map((t) => t.id);
}

/** A selection with each group replaced by its tasks (`cdag run --task extract` runs extract's tasks). */
export function withGroupsExpanded(dag: Dag, only: ReadonlySet<string>): Set<string> {
  return new Set([...only].flatMap((id) => membersOrSelf(dag, id)));
}

/** The DAG's tasks a selection touches: a selected instance touches its task, a group its tasks. */
export function selectedTasks(dag: Dag, only: ReadonlySet<string>): Set<string> {
  return new Set([...withGroupsExpanded(dag, only)].map((id) => instanceOf(dag, id)?.task ?? id));
}

/** The tasks a "Re-run from here" runs: the task (or instance) and every task downstream of it. */
export function downstreamOf(dag: Dag, id: string): Set<string> {
  const start = instanceOf(dag, id)?.task ?? id;
  const reached = new Set(membersOrSelf(dag, start));
  for (let grew = true; grew;) {
    grew = false;
    for (const t of dag.tasks) {
      if (!reached.has(t.id) && t.dependsOn.some((d) => reached.has(d))) {
        reached.add(t.id);
        grew = true;
      }
    }
  }
  if (start !== id) {
    reached.delete(start);
    reached.add(id);
  }
  return reached;
}

/** The task (or instance) and every task upstream of it: Clear's "with upstream". */
export function upstreamOf(dag: Dag, id: string): Set<string> {
  const start = instanceOf(dag, id)?.task ?? id;
  const byId = new Map(dag.tasks.map((t) => [t.id, t]));
  const reached = new Set<string>();
  const stack = membersOrSelf(dag, start);
  for (let t = stack.pop(); t !== undefined; t = stack.pop()) {
    if (reached.has(t)) continue;
    reached.add(t);
    stack.push(...(byId.get(t)?.dependsOn ?? []));
  }
  if (start !== id) {
    reached.delete(start);
    reached.add(id);
  }
  return reached;
}

/** States a "re-run failed tasks" clears, as Airflow's "Clear failed" with its downstream does. */
const UNSUCCESSFUL: ReadonlySet<string> = new Set(['failed', 'upstream_failed', 'cancelled']);

/**
 * What Re-run Failed Tasks clears in a run: its unsuccessful tasks and, of a mapped task, only the
 * instances that did not succeed (their siblings keep what they did). Empty: nothing to re-run.
 */
export function failedSelection(record: RunRecord): Set<string> {
  const only = new Set<string>();
  const partlyMapped = new Set<string>();
  for (const [id, t] of Object.entries(record.tasks))
    if (t.mapped_from !== undefined && UNSUCCESSFUL.has(t.state)) {
      only.add(id);
      partlyMapped.add(t.mapped_from);
    }
  for (const [id, t] of Object.entries(record.tasks))
    if (t.mapped_from === undefined && UNSUCCESSFUL.has(t.state) && !partlyMapped.has(id)) only.add(id);
  return only;
}

/** A selection as asked (groups stand for their tasks), with what is downstream and/or upstream of it added. */
export function widenSelection(
  dag: Dag,
  ids: Iterable<string>,
  widen: { readonly downstream: boolean; readonly upstream: boolean },
): Set<string> {
  const selected = withGroupsExpanded(dag, new Set(ids));
  const only = new Set(selected);
  for (const id of selected) {
    if (widen.downstream) for (const d of downstreamOf(dag, id)) only.add(d);
    if (widen.upstream) for (const u of upstreamOf(dag, id)) only.add(u);
  }
  return only;
}

/**
 * The previous run with the selection forgotten, so only it runs again: a selected task loses its
 * instances too; a selected instance loses its task's record (the task is expanded again, and its
 * other instances are kept as they were).
 */
export function keepOutside(dag: Dag, previous: RunRecord, only: ReadonlySet<string>): RunRecord {
  const forget = new Set<string>();
  for (const id of only) {
    forget.add(id);
    const i = instanceOf(dag, id);
    if (i) forget.add(i.task);
  }
  const tasks = dict<RunRecord['tasks'][string]>();
  for (const [id, t] of Object.entries(previous.tasks)) {
    if (forget.has(id) || (t.mapped_from !== undefined && only.has(t.mapped_from))) continue;
    tasks[id] = t;
  }
  return { ...previous, tasks };
}

/**
 * The newest ended run of this DAG file and logical date (the exact instant: an hourly DAG has many
 * per day): what a re-run of some of its tasks starts from.
 */
export function latestEndedRun(runs: readonly RunRecord[], file: string, logicalDate: Date): RunRecord | undefined {
  const at = isoTimestamp(logicalDate);
  return runs.find((r) => r.file === file && r.logical_date === at && r.ended_at !== undefined);
}

/**
 * A selected instance the run it re-runs from did not make: there is no such run, or its task made
 * fewer instances (`made`). Its item is only known from that run, so nothing can run it.
 */
export function unknownInstance(
  dag: Dag,
  only: ReadonlySet<string>,
  from: RunRecord | undefined,
): { readonly id: string; readonly task: string; readonly made?: number } | undefined {
  for (const id of only) {
    const i = instanceOf(dag, id);
    if (!i) continue;
    const made = from ? own(from.tasks, i.task)?.instances : undefined;
    if (made === undefined || i.index >= made) return { id, task: i.task, ...(made !== undefined ? { made } : {}) };
  }
  return undefined;
}
