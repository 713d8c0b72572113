import type { DagGraph, GraphEdge, GraphNode } from '../dag/graph';
import { instanceId } from '../dag/instanceIds';
import type { TaskView } from '../protocol/graphMessages';
import type { TaskState } from '../protocol/runRecord';
import { own } from '../util/dict';
import { STATE_ICONS } from './stateIcons';

/**
 * The graph as drawn: each mapped task the user opened, and whose instances the shown run has
 * made, becomes one node per instance (`ID[i]`) with the task's edges; the others stay one node.
 * Opening a task before a run has made its instances changes nothing: there is nothing to show yet.
 */
export function displayGraph(
  graph: DagGraph,
  states: Readonly<Record<string, TaskView>>,
  expanded: ReadonlySet<string>,
): DagGraph {
  const opened = new Map<string, string[]>();
  for (const n of graph.nodes) {
    const count = n.mapped && expanded.has(n.id) ? (own(states, n.id)?.instances ?? 0) : 0;
    if (count > 0)
      opened.set(
        n.id,
        Array.from({ length: count }, (_, i) => instanceId(n.id, i)),
      );
  }
  if (opened.size === 0) return graph;
  const nodes: GraphNode[] = graph.nodes.flatMap((n) => {
    const ids = opened.get(n.id);
    if (!ids) return [n];
    return ids.map((id, mapIndex) => {
      const { mapped: _mapped, ...rest } = n;
      return { ...rest, id, instanceOf: n.id, mapIndex };
    });
  });
  const ends = (id: string) => opened.get(id) ?? [id];
  const edges: GraphEdge[] = graph.edges.flatMap((e) => {
    const from = ends(e.from);
    const to = ends(e.to);
    if (from.length * to.length <= MAX_CROSS_EDGES) return from.flatMap((f) => to.map((t) => ({ from: f, to: t })));
    // Two opened fan-outs of hundreds: every instance keeps an edge, not every pair (a million edges
    // would stall the layout); each still stands for "all of these before any of those".
    return Array.from({ length: Math.max(from.length, to.length) }, (_, k) => ({
      from: from[k % from.length]!,
      to: to[k % to.length]!,
    }));
  });
  return { ...graph, nodes, edges };
}

/** Above this many edges between two opened tasks, instances are joined one to one instead. */
export const MAX_CROSS_EDGES = 2_048;

/** States in the order a user scans them: what went wrong first, then what goes on, then what is done. */
const COUNT_ORDER: readonly TaskState[] = [
  'failed',
  'upstream_failed',
  'up_for_retry',
  'running',
  'queued',
  'success',
  'skipped',
  'cancelled',
];

/** `×3 ✘1 ▶1 ✔1`: a mapped node's instance count and its instances per state. */
export function countsText(view: TaskView | undefined): string {
  if (!view?.instances) return '×?';
  const parts = COUNT_ORDER.filter((s) => view.counts?.[s]).map((s) => `${STATE_ICONS[s]}${view.counts![s]}`);
  return [`×${view.instances}`, ...parts].join(' ');
}

/** The same counts in words, for tooltips and screen readers: `3 instances: 1 failed, 1 running, 1 success`. */
export function countsWords(view: TaskView | undefined, noun: 'instance' | 'task' = 'instance'): string {
  if (!view?.instances) return noun === 'task' ? 'no run shown yet' : 'instances are made when it runs';
  const parts = COUNT_ORDER.filter((s) => view.counts?.[s]).map((s) => `${view.counts![s]} ${s.replace(/_/g, ' ')}`);
  return `${view.instances} ${noun}${view.instances === 1 ? '' : 's'}${parts.length ? `: ${parts.join(', ')}` : ''}`;
}
