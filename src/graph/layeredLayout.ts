import type { DagGraph } from '../dag/graph';
import { NODE_HEIGHT, nodeWidth, type Direction, type EdgeRoute, type GraphLayout, type NodeBox } from './layout';

const NODE_GAP = 24;
const LAYER_GAP = 56;

/**
 * A plain layered layout in linear time and without recursion, for graphs too large for elkjs:
 * elkjs's layered algorithm recurses along paths (its component and cycle searches), and a chain
 * of some thousands of tasks overflows the stack. Layers are longest paths from the sources (Kahn's
 * order), each layer ordered once by its upstream tasks' positions; edges are straight.
 */
export function layeredLayout(graph: DagGraph, direction: Direction): GraphLayout {
  const index = new Map(graph.nodes.map((n, i) => [n.id, i]));
  const down: number[][] = graph.nodes.map(() => []);
  const up: number[][] = graph.nodes.map(() => []);
  const indegree = new Array<number>(graph.nodes.length).fill(0);
  for (const e of graph.edges) {
    const from = index.get(e.from);
    const to = index.get(e.to);
    if (from === undefined || to === undefined) continue;
    down[from]!.push(to);
    up[to]!.push(from);
    indegree[to]!++;
  }
  const layer = new Array<number>(graph.nodes.length).fill(0);
  const queue: number[] = [];
  for (let i = 0; i < indegree.length; i++) if (indegree[i] === 0) queue.push(i);
  for (let head = 0; head < queue.length; head++) {
    const i = queue[head]!;
    for (const j of down[i]!) {
      layer[j] = Math.max(layer[j]!, layer[i]! + 1);
      if (--indegree[j]! === 0) queue.push(j);
    }
  }
  const layers: number[][] = [];
  for (let i = 0; i < layer.length; i++) (layers[layer[i]!] ??= []).push(i);
  // One barycenter pass: each task near the tasks it depends on, which untangles most edges.
  const rank = new Array<number>(graph.nodes.length).fill(0);
  for (const members of layers) {
    if (!members) continue;
    const key = (i: number) => (up[i]!.length ? up[i]!.reduce((s, j) => s + rank[j]!, 0) / up[i]!.length : rank[i]!);
    const keyed = members.map((i, k) => ({ i, key: up[i]!.length ? key(i) : k }));
    keyed.sort((a, b) => a.key - b.key);
    keyed.forEach((x, k) => (rank[x.i] = k));
    members.splice(0, members.length, ...keyed.map((x) => x.i));
  }
  const widths = graph.nodes.map(nodeWidth);
  const boxes: NodeBox[] = new Array<NodeBox>(graph.nodes.length);
  let along = 0;
  let across = 0;
  for (const members of layers) {
    if (!members) continue;
    const thick = direction === 'RIGHT' ? Math.max(...members.map((i) => widths[i]!)) : NODE_HEIGHT;
    let pos = 0;
    for (const i of members) {
      const w = widths[i]!;
      boxes[i] =
        direction === 'RIGHT'
          ? { id: graph.nodes[i]!.id, x: along, y: pos, width: w, height: NODE_HEIGHT }
          : { id: graph.nodes[i]!.id, x: pos, y: along, width: w, height: NODE_HEIGHT };
      pos += (direction === 'RIGHT' ? NODE_HEIGHT : w) + NODE_GAP;
    }
    across = Math.max(across, pos - NODE_GAP);
    along += thick + LAYER_GAP;
  }
  const edges: EdgeRoute[] = [];
  for (const e of graph.edges) {
    const a = boxes[index.get(e.from) ?? -1];
    const b = boxes[index.get(e.to) ?? -1];
    if (!a || !b) continue;
    const points =
      direction === 'RIGHT'
        ? [
            { x: a.x + a.width, y: a.y + a.height / 2 },
            { x: b.x, y: b.y + b.height / 2 },
          ]
        : [
            { x: a.x + a.width / 2, y: a.y + a.height },
            { x: b.x + b.width / 2, y: b.y },
          ];
    edges.push({ from: e.from, to: e.to, points });
  }
  const width = direction === 'RIGHT' ? Math.max(0, along - LAYER_GAP) : across;
  const height = direction === 'RIGHT' ? across : Math.max(0, along - LAYER_GAP);
  return { width, height, direction, nodes: boxes.filter(Boolean), edges };
}
