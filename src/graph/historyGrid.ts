import type { DagGraph } from '../dag/graph';
import type { HistoryCell, HistoryRow, HistoryRun } from '../protocol/historyMessages';
import type { RunRecord, TaskRecord } from '../protocol/runRecord';

/** The DAG's tasks in topological order, ties in file order (Kahn's algorithm). */
export function topologicalOrder(graph: DagGraph): string[] {
  const indegree = new Map(graph.nodes.map((n) => [n.id, 0]));
  const downstream = new Map<string, string[]>();
  for (const e of graph.edges) {
    if (!indegree.has(e.from) || !indegree.has(e.to)) continue;
    indegree.set(e.to, indegree.get(e.to)! + 1);
    downstream.set(e.from, [...(downstream.get(e.from) ?? []), e.to]);
  }
  const position = new Map(graph.nodes.map((n, i) => [n.id, i]));
  const ready = graph.nodes.filter((n) => indegree.get(n.id) === 0).map((n) => n.id);
  const order: string[] = [];
  while (ready.length) {
    ready.sort((a, b) => position.get(a)! - position.get(b)!);
    const id = ready.shift()!;
    order.push(id);
    for (const d of downstream.get(id) ?? []) {
      indegree.set(d, indegree.get(d)! - 1);
      if (indegree.get(d) === 0) ready.push(d);
    }
  }
  // A cycle never reaches here (the checks refuse it); were it to, its tasks still get rows.
  const inOrder = new Set(order);
  for (const n of graph.nodes) if (!inOrder.has(n.id)) order.push(n.id);
  return order;
}

/**
 * The grid's rows: tasks in topological order, each group's tasks kept together under its row (at
 * the place of its first task, as Airflow's grid does), each mapped task followed by rows for the
 * instances the given runs made.
 */
export function historyRows(graph: DagGraph, runs: readonly RunRecord[]): HistoryRow[] {
  const order = topologicalOrder(graph);
  const node = new Map(graph.nodes.map((n) => [n.id, n]));
  const instances = new Map<string, number>();
  for (const r of runs)
    for (const [id, t] of Object.entries(r.tasks))
      if (t.instances !== undefined && node.get(id)?.mapped)
        instances.set(id, Math.max(instances.get(id) ?? 0, t.instances));
  const rows: HistoryRow[] = [];
  const placed = new Set<string>();
  const groupsOf = (group: string | undefined) =>
    group === undefined ? [] : group.split('.').map((_, i, parts) => parts.slice(0, i + 1).join('.'));
  const emitTask = (id: string, depth: number, parent: string | undefined) => {
    const n = node.get(id)!;
    rows.push({
      id,
      kind: 'task',
      label: id,
      depth,
      ...(parent ? { parent } : {}),
      ...(n.mapped ? { mapped: true } : {}),
    });
    for (let i = 0; i < (instances.get(id) ?? 0); i++)
      rows.push({ id: `${id}[${i}]`, kind: 'instance', label: `[${i}]`, depth: depth + 1, parent: id });
  };
  /** A group's row, then its tasks and inner groups in topological order. */
  const emitGroup = (group: string, depth: number) => {
    placed.add(group);
    const parent = group.includes('.') ? group.slice(0, group.lastIndexOf('.')) : undefined;
    rows.push({ id: group, kind: 'group', label: group.split('.').pop()!, depth, ...(parent ? { parent } : {}) });
    for (const id of order) {
      const g = node.get(id)!.group;
      if (g === group && !placed.has(id)) {
        placed.add(id);
        emitTask(id, depth + 1, group);
      } else if (g?.startsWith(`${group}.`)) {
        const inner = groupsOf(g)[depth + 1]!;
        if (!placed.has(inner)) emitGroup(inner, depth + 1);
      }
    }
  };
  for (const id of order) {
    if (placed.has(id)) continue;
    const top = groupsOf(node.get(id)!.group)[0];
    if (top === undefined) {
      placed.add(id);
      emitTask(id, 0, undefined);
    } else if (!placed.has(top)) emitGroup(top, 0);
  }
  return rows;
}

function cellOf(t: TaskRecord): HistoryCell {
  return {
    state: t.state,
    tries: t.tries,
    ...(t.exit_code !== undefined ? { exitCode: t.exit_code } : {}),
    ...(t.reason ? { reason: t.reason } : {}),
    ...(t.outputs ? { outputs: t.outputs } : {}),
    ...(t.instances !== undefined ? { instances: t.instances } : {}),
    attempts: t.attempts.map((a) => ({
      try: a.try,
      state: a.state,
      ...(a.started_at ? { startedAt: a.started_at } : {}),
      ...(a.ended_at ? { endedAt: a.ended_at } : {}),
      ...(a.exit_code !== undefined ? { exitCode: a.exit_code } : {}),
      ...(a.reason ? { reason: a.reason } : {}),
    })),
  };
}

/** A run as one column of the grid: a cell per task, instance and group it has a record of. */
export function historyRun(r: RunRecord): HistoryRun {
  // Built as JSON is (own keys only), so a task named `__proto__` is a cell like any other.
  const cells = Object.create(null) as Record<string, HistoryCell>;
  for (const [id, t] of Object.entries(r.tasks)) cells[id] = cellOf(t);
  for (const [id, g] of Object.entries(r.groups ?? {})) cells[id] ??= { state: g.state, tries: 0, attempts: [] };
  return {
    runId: r.run_id,
    logicalDate: r.logical_date,
    state: r.state,
    ...(r.interrupted ? { interrupted: true } : {}),
    backend: r.backend,
    ...(r.started_at ? { startedAt: r.started_at } : {}),
    ...(r.ended_at ? { endedAt: r.ended_at } : {}),
    cells,
  };
}

/** The last `limit` runs of a DAG file, oldest first: the grid's columns, newest at the right. */
export function historyRuns(runs: readonly RunRecord[], file: string, limit: number): RunRecord[] {
  return runs
    .filter((r) => r.file === file)
    .sort((a, b) => (a.started_at ?? '').localeCompare(b.started_at ?? '') || a.run_id.localeCompare(b.run_id))
    .slice(-limit);
}
