import type { DagGraph } from '../dag/graph';
import { NODE_HEIGHT, shortImage, type GraphLayout, type NodeBox } from './layout';

/** Space between the tasks and the lane, and between services in it. */
const LANE_GAP = 40;
const SERVICE_GAP = 16;
/** Room above the lane for its label. */
export const LANE_LABEL = 18;

/**
 * Services in a lane of their own, apart from the tasks (as GitHub Actions lists a job's service
 * containers beside its steps): below the graph when it runs left to right, to its right when it
 * runs top-down. Not part of the layered layout: a service is no step of the DAG, and its tasks
 * show on hover rather than as edges across the drawing.
 */
export function withServiceLane(graph: DagGraph, layout: GraphLayout): GraphLayout {
  const services = graph.services ?? [];
  if (services.length === 0) return layout;
  const across = layout.direction === 'RIGHT';
  const boxes: NodeBox[] = [];
  let at = 0;
  for (const s of services) {
    const width = serviceWidth(s.id, s.image);
    boxes.push(
      across
        ? { id: s.id, x: at, y: layout.height + LANE_GAP + LANE_LABEL, width, height: NODE_HEIGHT }
        : { id: s.id, x: layout.width + LANE_GAP, y: LANE_LABEL + at, width, height: NODE_HEIGHT },
    );
    at += (across ? width : NODE_HEIGHT) + SERVICE_GAP;
  }
  const right = Math.max(layout.width, ...boxes.map((b) => b.x + b.width));
  const bottom = Math.max(layout.height, ...boxes.map((b) => b.y + b.height));
  return { ...layout, width: right, height: bottom, services: boxes };
}

function serviceWidth(id: string, image: string): number {
  return Math.round(Math.max(120, Math.max(id.length, shortImage(image).length * 0.85) * 7.2 + 44));
}
