import type { Dag, Task } from '../../dag/model';
import { call, py, type Py } from './python';

/** Airflow 3 has TaskGroup in its SDK; Airflow 2 in airflow.utils. */
export const TASK_GROUP_IMPORT = `try:
    from airflow.sdk import TaskGroup  # Airflow 3
except ImportError:
    from airflow.utils.task_group import TaskGroup  # Airflow 2`;

/**
 * The task lines of the DAG's body: tasks without a group at the top, each group a `with TaskGroup`
 * block holding its tasks and inner groups. Airflow names a task of group `extract` `extract.ID`,
 * so a task imported as `extract__ID` is written back as `ID`.
 */
export function groupedTaskLines(
  dag: Dag,
  calls: ReadonlyMap<string, Py>,
  vars: ReadonlyMap<string, string>,
  groupVar: (group: string) => string,
): string[] {
  const lines: string[] = [];
  const pad = (n: number) => '    '.repeat(n);
  const block = (group: string | undefined, indent: number) => {
    for (const t of dag.tasks.filter((x) => x.group === group))
      lines.push(`${pad(indent)}${vars.get(t.id)} = ${py(calls.get(t.id)!, indent)}\n`);
    for (const g of [...dag.groups.values()].filter((x) => x.parent === group)) {
      if (!dag.tasks.some((t) => t.group === g.name || t.group?.startsWith(`${g.name}.`))) continue;
      const name = g.name.slice(g.name.lastIndexOf('.') + 1);
      const tg = call('TaskGroup', { group_id: name, ...(g.description ? { tooltip: g.description } : {}) });
      // No newline of its own: the body's first task follows without a blank line.
      lines.push(`${pad(indent)}with ${py(tg, indent)} as ${groupVar(g.name)}:`);
      block(g.name, indent + 1);
    }
  };
  block(undefined, 1);
  return lines;
}

/** The task_id Airflow gets: inside a TaskGroup, without the `group__` prefix an import gave it. */
export function airflowTaskId(t: Task): string {
  if (!t.group) return t.id;
  const prefix = `${t.group.replace(/\./g, '__')}__`;
  return t.id.startsWith(prefix) && t.id.length > prefix.length ? t.id.slice(prefix.length) : t.id;
}

/** `up >> t` per upstream, a group named in depends_on as the group (`extract >> load`). */
export function dependencyLines(
  dag: Dag,
  vars: ReadonlyMap<string, string>,
  groupVar: (group: string) => string,
): string[] {
  const lines: string[] = [];
  for (const t of dag.tasks) {
    const groups = t.dependsOnGroups ?? [];
    const inGroups = (id: string) => {
      const g = dag.tasks.find((x) => x.id === id)?.group;
      return groups.some((n) => g === n || g?.startsWith(`${n}.`));
    };
    const ups = [...groups.map(groupVar), ...t.dependsOn.filter((u) => !inGroups(u)).map((u) => vars.get(u)!)];
    if (ups.length) lines.push(`${ups.length === 1 ? ups[0] : `[${ups.join(', ')}]`} >> ${vars.get(t.id)}`);
  }
  return lines;
}
