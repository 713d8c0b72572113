import type { ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api';
import type { DagGraph, GraphNode } from '../dag/graph';
import { layeredLayout } from './layeredLayout';

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
}

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
  const extra = n.mapped ? 64 : n.instanceOf !== undefined ? 16 : 0;
  return Math.round(Math.max(120, chars * CHAR_WIDTH + 44) + extra);
}

/** elkjs's layered algorithm, as Airflow's and Argo's views draw: layers along the direction. */
export function toElkGraph(graph: DagGraph, direction: Direction): ElkNode {
  const big = graph.nodes.length > 500;
  return {
    id: 'root',
    layoutOptions: {
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
    children: graph.nodes.map((n) => ({ id: n.id, width: nodeWidth(n), height: NODE_HEIGHT })),
    edges: graph.edges.map((e, i) => ({ id: `e${i}`, sources: [e.from], targets: [e.to] })),
  };
}

export function fromElk(result: ElkNode, direction: Direction): GraphLayout {
  const nodes: NodeBox[] = (result.children ?? []).map((c) => ({
    id: c.id,
    x: c.x ?? 0,
    y: c.y ?? 0,
    width: c.width ?? 0,
    height: c.height ?? 0,
  }));
  const edges: EdgeRoute[] = (result.edges ?? []).map((e: ElkExtendedEdge) => ({
    from: e.sources[0]!,
    to: e.targets[0]!,
    points: (e.sections ?? []).flatMap((s) => [s.startPoint, ...(s.bendPoints ?? []), s.endPoint]),
  }));
  return { width: result.width ?? 0, height: result.height ?? 0, direction, nodes, edges };
}

/** Above this many tasks elkjs's recursive searches can overflow the stack: the plain layered layout takes over. */
export const LARGE_GRAPH_NODES = 3_000;

export async function layoutGraph(graph: DagGraph, direction: Direction, elk: ElkLike): Promise<GraphLayout> {
  if (graph.nodes.length > LARGE_GRAPH_NODES) {
    return layeredLayout(graph, direction);
  }
  return fromElk(await elk.layout(toElkGraph(graph, direction)), direction);
}

/** What decides the layout: a run's states or a highlight do not (re-layout only on structure). */
export function structureKey(graph: DagGraph, direction: Direction): string {
  return JSON.stringify([direction, graph.nodes.map((n) => [n.id, shortImage(n.image), !!n.mapped]), graph.edges]);
}
