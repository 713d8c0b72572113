import type { Dag } from '../dag/model';
import { groupState } from '../dag/groupState';
import type { GroupRecord, RunRecord, TaskState } from '../protocol/runRecord';
import { dict, own } from '../util/dict';

/** Every group of the DAG with its tasks and state in this record (inner groups' tasks count for the outer). */
export function groupRecords(dag: Dag, record: Pick<RunRecord, 'tasks'>): Record<string, GroupRecord> {
  const out = dict<GroupRecord>();
  for (const name of dag.groups.keys()) {
    const tasks = dag.tasks.filter((t) => t.group === name || t.group?.startsWith(`${name}.`)).map((t) => t.id);
    const states = tasks.map((t) => own(record.tasks, t)?.state).filter((s): s is TaskState => s !== undefined);
    out[name] = { state: groupState(states), tasks };
  }
  return out;
}

export { groupState };
