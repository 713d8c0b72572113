import type { DagGraph } from '../dag/graph';
import {
  NODE_HEIGHT,
  nodeWidth,
  type Direction,
  type EdgeRoute,
  type GraphLayout,
  type NodeBox,
  type Point,
} from './layout';

const NODE_GAP = 24;
const LAYER_GAP = 56;
/** Room across a layer for an edge passing through it. */
const LANE = 12;
/** Ordering sweeps (down and up each): crossings stop falling after a few on DAG-shaped graphs. */
const SWEEPS = 4;

/**
 * A layered drawing (Sugiyama's framework, as dagre draws Airflow's graph view) in near-linear time
 * and without recursion, for graphs where elkjs's thorough layered algorithm costs seconds (and, past
 * some thousands of tasks, overflows the stack). Layers are longest paths from the sources; an edge
 * that spans layers passes through each as a lane, so it never crosses a task; the order within each
 * layer comes from the file's order and then barycenter sweeps down and up; each task is placed at
 * its upstream tasks' centre where room allows. Edges are polylines through their lanes.
 */
export function layeredLayout(graph: DagGraph, direction: Direction): GraphLayout {
  const n = graph.nodes.length;
  const index = new Map(graph.nodes.map((node, i) => [node.id, i]));
  const layer = longestPathLayers(graph, index);
  // Items: the tasks (0..n-1), then one lane per edge per layer it passes through.
  const itemLayer = [...layer];
  const ups: number[][] = graph.nodes.map(() => []);
  const downs: number[][] = graph.nodes.map(() => []);
  const chains: Array<{ from: number; to: number; lanes: number[] }> = [];
  for (const e of graph.edges) {
    const from = index.get(e.from);
    const to = index.get(e.to);
    if (from === undefined || to === undefined || from === to) continue;
    const lanes: number[] = [];
    let prev = from;
    for (let l = layer[from]! + 1; l < layer[to]!; l++) {
      const lane = itemLayer.length;
      itemLayer.push(l);
      ups.push([prev]);
      downs.push([]);
      downs[prev]!.push(lane);
      lanes.push(lane);
      prev = lane;
    }
    // An edge against the layers (a cycle in a file with errors) is drawn, not ordered by.
    if (layer[to]! > layer[from]!) {
      downs[prev]!.push(to);
      ups[to]!.push(prev);
    }
    chains.push({ from, to, lanes });
  }
  const layers: number[][] = [];
  for (let i = 0; i < itemLayer.length; i++) (layers[itemLayer[i]!] ??= []).push(i);
  const order = orderLayers(layers, ups, downs, itemLayer.length);
  const size = (i: number) => (i >= n ? LANE : direction === 'RIGHT' ? NODE_HEIGHT : nodeWidth(graph.nodes[i]!));
  const across = placeAcross(order, ups, size, (a, b) => (a >= n || b >= n ? LANE / 2 : NODE_GAP));
  // Along the direction: each layer as thick as its widest task (left to right) or one task (top down).
  const start: number[] = [];
  const thick: number[] = [];
  let along = 0;
  for (let l = 0; l < order.length; l++) {
    const tasks = order[l]!.filter((i) => i < n);
    thick[l] = direction === 'RIGHT' ? Math.max(LANE, ...tasks.map((i) => nodeWidth(graph.nodes[i]!))) : NODE_HEIGHT;
    start[l] = along;
    along += thick[l]! + LAYER_GAP;
  }
  const point = (a: number, c: number): Point => (direction === 'RIGHT' ? { x: a, y: c } : { x: c, y: a });
  const boxes: NodeBox[] = [];
  let extent = 0;
  for (let i = 0; i < n; i++) {
    const w = nodeWidth(graph.nodes[i]!);
    const p = point(start[layer[i]!]!, across[i]!);
    boxes.push({ id: graph.nodes[i]!.id, x: p.x, y: p.y, width: w, height: NODE_HEIGHT });
    extent = Math.max(extent, across[i]! + size(i));
  }
  const centre = (i: number) => across[i]! + size(i) / 2;
  const edges: EdgeRoute[] = chains.map(({ from, to, lanes }) => {
    const a = layer[from]!;
    const b = layer[to]!;
    const points: Point[] = [
      point(start[a]! + (direction === 'RIGHT' ? nodeWidth(graph.nodes[from]!) : NODE_HEIGHT), centre(from)),
    ];
    // Through each layer's band along its lane, so the line is straight where tasks are.
    for (const lane of lanes) {
      const l = itemLayer[lane]!;
      points.push(point(start[l]!, centre(lane)), point(start[l]! + thick[l]!, centre(lane)));
    }
    points.push(point(start[b]!, centre(to)));
    return { from: graph.nodes[from]!.id, to: graph.nodes[to]!.id, points };
  });
  const length = Math.max(0, along - LAYER_GAP);
  return {
    width: direction === 'RIGHT' ? length : extent,
    height: direction === 'RIGHT' ? extent : length,
    direction,
    nodes: boxes,
    edges,
  };
}

/** Each task one layer after its latest upstream task (Kahn's order); tasks on a cycle stay where reached. */
function longestPathLayers(graph: DagGraph, index: ReadonlyMap<string, number>): number[] {
  const down: number[][] = graph.nodes.map(() => []);
  const indegree = new Array<number>(graph.nodes.length).fill(0);
  for (const e of graph.edges) {
    const from = index.get(e.from);
    const to = index.get(e.to);
    if (from === undefined || to === undefined || from === to) continue;
    down[from]!.push(to);
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
  return layer;
}

/**
 * The order within each layer: first by the barycenter of the upstream items (ties by the file's
 * order), then sweeps down (by upstream positions) and up (by downstream positions).
 */
function orderLayers(layers: readonly number[][], ups: readonly number[][], downs: readonly number[][], count: number) {
  const pos = new Float64Array(count);
  const order = layers.map((members) => [...(members ?? [])]);
  const sortBy = (members: number[], neighbours: readonly number[][]) => {
    const key = new Map<number, number>();
    for (const i of members) {
      const ns = neighbours[i]!;
      let sum = 0;
      for (const j of ns) sum += pos[j]!;
      key.set(i, ns.length ? sum / ns.length : pos[i]!);
    }
    members.sort((a, b) => key.get(a)! - key.get(b)! || pos[a]! - pos[b]!);
    members.forEach((i, k) => (pos[i] = k));
  };
  for (const members of order) {
    members.forEach((i, k) => (pos[i] = k));
    sortBy(members, ups);
  }
  for (let s = 0; s < SWEEPS; s++) {
    for (let l = order.length - 2; l >= 0; l--) sortBy(order[l]!, downs);
    for (let l = 1; l < order.length; l++) sortBy(order[l]!, ups);
  }
  return order;
}

/**
 * Positions across the layers: each item at the centre of its upstream items where the items before
 * it leave room, else right after them; the whole drawing then starts at 0.
 */
function placeAcross(
  order: readonly number[][],
  ups: readonly number[][],
  size: (i: number) => number,
  gap: (before: number, item: number) => number,
): number[] {
  const across: number[] = [];
  let min = Infinity;
  for (const members of order) {
    let end = -Infinity;
    let before = -1;
    for (const i of members) {
      const ns = ups[i]!;
      let want = end === -Infinity ? 0 : end;
      if (ns.length) {
        let sum = 0;
        for (const j of ns) sum += across[j]! + size(j) / 2;
        want = sum / ns.length - size(i) / 2;
      }
      const at = end === -Infinity ? want : Math.max(want, end + gap(before, i));
      across[i] = at;
      end = at + size(i);
      before = i;
      min = Math.min(min, at);
    }
  }
  if (min !== 0 && min !== Infinity) for (let i = 0; i < across.length; i++) across[i] = (across[i] ?? 0) - min;
  return across;
}
