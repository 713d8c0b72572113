import type { ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api';
import type { DagGraph, GraphNode } from '../dag/graph';
import { layeredLayout } from './layeredLayout';
import { withServiceLane } from './serviceLane';

/** Left-to-right (Airflow's graph view) or top-down (Argo's, Kestra's). */
export type Direction = 'RIGHT' | 'DOWN';

export interface Point {
  readonly x: number;
  readonly y: number;
}

export interface NodeBox extends Point {
  readonly id: string;
  readonly width: number;
  readonly height: number;
}

export interface EdgeRoute {
  readonly from: string;
  readonly to: string;
  readonly points: readonly Point[];
}

/** Where everything goes; plain data, so it crosses a worker boundary and feeds both renderers. */
export interface GraphLayout {
  readonly width: number;
  readonly height: number;
  readonly direction: Direction;
  readonly nodes: readonly NodeBox[];
  readonly edges: readonly EdgeRoute[];
  /** Boxes of open task groups, outer before inner (absolute positions, like the nodes). */
  readonly groups?: readonly NodeBox[];
  /** The services' boxes, in their lane apart from the tasks. */
  readonly services?: readonly NodeBox[];
}

/** Room above a group's tasks for its name and toggle. */
const GROUP_PADDING = '[top=30,left=14,bottom=14,right=14]';

/** The subset of elkjs this needs: the worker and the CLI pass their own instance. */
export interface ElkLike {
  layout(graph: ElkNode): Promise<ElkNode>;
}

export const NODE_HEIGHT = 46;
const CHAR_WIDTH = 7.2;

export function shortImage(image: string): string {
  const last = image.split('/').pop() ?? image;
  return last.length > 28 ? `${last.slice(0, 27)}…` : last;
}

/** Wide enough for the id (12px) and the short image name (10px) plus the state icon. */
export function nodeWidth(n: GraphNode): number {
  const chars = Math.max(n.id.length, shortImage(n.image).length * 0.85);
  // A mapped node also shows its counts (`×12 ✔10 ▶2`) beside the image; an instance its toggle.
  const extra = n.mapped || n.folded ? 64 : n.instanceOf !== undefined ? 16 : 0;
  return Math.round(Math.max(120, chars * CHAR_WIDTH + 44) + extra);
}

/** elkjs's layered algorithm, as Airflow's and Argo's views draw: layers along the direction. */
export function toElkGraph(graph: DagGraph, direction: Direction): ElkNode {
  const big = graph.nodes.length > 500;
  const leaves: ElkNode[] = graph.nodes.map((n) => ({ id: n.id, width: nodeWidth(n), height: NODE_HEIGHT }));
  const children = graph.groups?.length ? nest(graph, leaves) : leaves;
  return {
    id: 'root',
    layoutOptions: {
      // Groups are boxes around their tasks: edges cross them, so the layout sees every level at once.
      ...(children !== leaves ? { 'elk.hierarchyHandling': 'INCLUDE_CHILDREN' } : {}),
      'elk.algorithm': 'layered',
      'elk.direction': direction,
      'elk.spacing.nodeNode': '24',
      'elk.layered.spacing.nodeNodeBetweenLayers': '56',
      'elk.layered.spacing.edgeNodeBetweenLayers': '16',
      // Orthogonal routing is the readable one; on very large graphs polyline keeps layout time linear-ish.
      'elk.edgeRouting': big ? 'POLYLINE' : 'ORTHOGONAL',
      'elk.layered.thoroughness': big ? '1' : '7',
      'elk.separateConnectedComponents': 'true',
      // Siblings keep the file's order (and instances their map index) where crossings allow.
      'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
    },
    children,
    edges: graph.edges.map((e, i) => ({ id: `e${i}`, sources: [e.from], targets: [e.to] })),
  };
}

/** Group ids in the layout are prefixed: a group and a task never share one even while a file is being fixed. */
export const GROUP_PREFIX = 'group:';

/** Tasks inside the boxes of their groups, inner groups inside outer ones; groups with no task drawn are left out. */
function nest(graph: DagGraph, leaves: readonly ElkNode[]): ElkNode[] {
  const boxes = new Map<string, ElkNode & { children: ElkNode[] }>();
  for (const g of graph.groups ?? [])
    boxes.set(g.id, { id: `${GROUP_PREFIX}${g.id}`, layoutOptions: { 'elk.padding': GROUP_PADDING }, children: [] });
  const top: ElkNode[] = [];
  graph.nodes.forEach((n, i) => {
    const box = n.group !== undefined ? boxes.get(n.group) : undefined;
    (box ? box.children : top).push(leaves[i]!);
  });
  // Inner groups go into outer ones, innermost first, so a box is placed once it holds its tasks.
  for (const g of [...(graph.groups ?? [])].reverse()) {
    const box = boxes.get(g.id)!;
    if (box.children.length === 0) continue;
    const parent = g.parent !== undefined ? boxes.get(g.parent) : undefined;
    (parent ? parent.children : top).push(box);
  }
  return top;
}

export function fromElk(result: ElkNode, direction: Direction): GraphLayout {
  const nodes: NodeBox[] = [];
  const groups: NodeBox[] = [];
  const origin = new Map<string, Point>([[result.id, { x: 0, y: 0 }]]);
  const visit = (n: ElkNode, dx: number, dy: number) => {
    for (const c of n.children ?? []) {
      const box = { id: c.id, x: dx + (c.x ?? 0), y: dy + (c.y ?? 0), width: c.width ?? 0, height: c.height ?? 0 };
      origin.set(c.id, box);
      if (c.id.startsWith(GROUP_PREFIX) && c.children) {
        groups.push({ ...box, id: c.id.slice(GROUP_PREFIX.length) });
        visit(c, box.x, box.y);
      } else nodes.push(box);
    }
  };
  visit(result, 0, 0);
  // An edge's points are relative to the node that contains it (ELK puts an edge inside a group's box
  // when both ends are in it).
  const edges: EdgeRoute[] = (result.edges ?? []).map((e: ElkExtendedEdge & { container?: string }) => {
    const at = origin.get(e.container ?? result.id) ?? { x: 0, y: 0 };
    return {
      from: e.sources[0]!,
      to: e.targets[0]!,
      points: (e.sections ?? [])
        .flatMap((s) => [s.startPoint, ...(s.bendPoints ?? []), s.endPoint])
        .map((p) => ({ x: p.x + at.x, y: p.y + at.y })),
    };
  });
  return {
    width: result.width ?? 0,
    height: result.height ?? 0,
    direction,
    nodes,
    edges,
    ...(groups.length ? { groups } : {}),
  };
}

/**
 * Above this many tasks elkjs's thorough layered algorithm costs more than a user waits (0.5 s for
 * 500 tasks, 1.3 s for 2,000, 9 s for 10,000 in its worker here): our own layered layout draws them
 * in milliseconds (`layeredLayout`). A graph with task groups keeps elkjs, which draws the groups'
 * boxes, up to `HUGE_GRAPH_NODES`.
 */
export const LARGE_GRAPH_NODES = 300;
/** Above this many tasks elkjs's recursive searches can overflow the stack, groups or not. */
export const HUGE_GRAPH_NODES = 3_000;

export function usesLayeredLayout(graph: DagGraph): boolean {
  const n = graph.nodes.length;
  return n > HUGE_GRAPH_NODES || (n > LARGE_GRAPH_NODES && !graph.groups?.length);
}

/** Where the layered layout runs: in this thread by default; the graph page gives a worker. */
export type LayeredRunner = (graph: DagGraph, direction: Direction) => GraphLayout | Promise<GraphLayout>;

export async function layoutGraph(
  graph: DagGraph,
  direction: Direction,
  elk: ElkLike,
  layered: LayeredRunner = layeredLayout,
): Promise<GraphLayout> {
  if (usesLayeredLayout(graph)) return withServiceLane(graph, await layered(graph, direction));
  return withServiceLane(graph, fromElk(await elk.layout(toElkGraph(graph, direction)), direction));
}

/** What decides the layout: a run's states or a highlight do not (re-layout only on structure). */
export function structureKey(graph: DagGraph, direction: Direction): string {
  return JSON.stringify([
    direction,
    graph.nodes.map((n) => [n.id, shortImage(n.image), !!n.mapped, n.group ?? null]),
    graph.edges,
    graph.groups?.map((g) => [g.id, g.parent ?? null]) ?? [],
    graph.services?.map((s) => [s.id, shortImage(s.image)]) ?? [],
  ]);
}
