import type { DagGraph, GraphEdge, GraphNode } from '../dag/graph';
import { groupState } from '../dag/groupState';
import type { TaskView } from '../protocol/graphMessages';
import type { TaskState } from '../protocol/runRecord';
import { dict, own } from '../util/dict';

const within = (group: string | undefined, outer: string) =>
  group !== undefined && (group === outer || group.startsWith(`${outer}.`));

/**
 * The graph with each folded group as one node standing for its tasks (inner groups included), as
 * Airflow's graph shows a collapsed TaskGroup: edges into and out of the group go to that node, edges
 * inside it disappear. An outer folded group hides the inner ones. The node's id is the group's.
 */
export function foldGroups(graph: DagGraph, folded: ReadonlySet<string>): DagGraph {
  const groups = graph.groups ?? [];
  // Only the outermost folded group of a nest counts.
  const folds = groups
    .map((g) => g.id)
    .filter((id) => folded.has(id) && !groups.some((o) => o.id !== id && folded.has(o.id) && within(id, o.id)));
  if (folds.length === 0) return graph;
  const foldOf = (n: GraphNode) => folds.find((f) => within(n.group, f));
  const nodes: GraphNode[] = [];
  const placed = new Set<string>();
  for (const n of graph.nodes) {
    const f = foldOf(n);
    if (!f) nodes.push(n);
    else if (!placed.has(f)) {
      placed.add(f);
      const g = groups.find((x) => x.id === f)!;
      nodes.push({
        id: f,
        image: '',
        triggerRule: 'all_success',
        retries: 0,
        folded: true,
        ...(g.parent ? { group: g.parent } : {}),
      });
    }
  }
  const end = (id: string) => {
    const n = graph.nodes.find((x) => x.id === id);
    return (n && foldOf(n)) ?? id;
  };
  const seen = new Set<string>();
  const edges: GraphEdge[] = [];
  for (const e of graph.edges) {
    const from = end(e.from);
    const to = end(e.to);
    const key = JSON.stringify([from, to]);
    if (from === to || seen.has(key)) continue;
    seen.add(key);
    edges.push({ from, to });
  }
  return {
    ...graph,
    nodes,
    edges,
    groups: groups.filter((g) => !folds.some((f) => within(g.id, f)) && placedOrHasTasks(g.id, nodes)),
  };
}

function placedOrHasTasks(group: string, nodes: readonly GraphNode[]): boolean {
  return nodes.some((n) => within(n.group, group));
}

/**
 * The views of a folded drawing: a folded group's node gets the state that follows from its tasks'
 * (as the run record's groups) and their counts per state; everything else is as the run says.
 */
export function foldedViews(
  graph: DagGraph,
  drawn: DagGraph,
  states: Readonly<Record<string, TaskView>>,
): Record<string, TaskView> {
  const folds = drawn.nodes.filter((n) => n.folded);
  if (folds.length === 0) return states as Record<string, TaskView>;
  const out = dict<TaskView>();
  for (const [k, v] of Object.entries(states)) out[k] = v;
  for (const f of folds) {
    const members = graph.nodes.filter((n) => within(n.group, f.id));
    const views = members.map((m) => own(states, m.id)).filter((v): v is TaskView => v !== undefined);
    if (views.length === 0) continue;
    const counts: Partial<Record<TaskState, number>> = {};
    for (const v of views) counts[v.state] = (counts[v.state] ?? 0) + 1;
    out[f.id] = { state: groupState(views.map((v) => v.state)), tryNumber: 0, instances: members.length, counts };
  }
  return out;
}
