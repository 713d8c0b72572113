import type { DagGraph, GraphNode } from '../src/dag/graph';
import {
  countsLabel,
  drawDefs,
  drawEdge,
  drawGroupBox,
  drawNode,
  drawServiceLane,
  BUILDING_ICON,
  SERVICE_ICONS,
  serviceTooltip,
  STATE_ICONS,
  tooltip,
  type SvgNode,
} from '../src/graph/draw';
import { countsWords } from '../src/graph/mappedNodes';
import type { GraphLayout } from '../src/graph/layout';
import type { ServiceView, TaskView } from '../src/protocol/graphMessages';
import { own } from '../src/util/dict';

const SVG = 'http://www.w3.org/2000/svg';
/** Nodes built per slice of work: keeps every main-thread task short on graphs of thousands. */
const SLICE = 100;

/** SvgNode → DOM. Text goes in as text (textContent), never parsed as markup. */
export function materialize(n: SvgNode): SVGElement {
  const e = document.createElementNS(SVG, n.tag) as SVGElement;
  for (const [k, v] of Object.entries(n.attrs)) e.setAttribute(k, String(v));
  for (const c of n.children ?? []) e.append(materialize(c));
  if (n.text !== undefined) e.append(document.createTextNode(n.text));
  return e;
}

/** A turn for the page, without the 4 ms that nested `setTimeout`s are held back by. */
const yieldToPage = () =>
  new Promise<void>((r) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => r();
    channel.port2.postMessage(null);
  });
/** Pieces of a drawing run for this long before the page gets a turn: no task near 50 ms, few turns. */
const BUDGET_MS = 30;

export interface Drawing {
  readonly root: SVGGElement;
  readonly nodes: Map<string, SVGGElement>;
  /** Boxes of open groups, by group. */
  readonly groups: Map<string, SVGGElement>;
  /** The services in their lane, by name. */
  readonly services: Map<string, SVGGElement>;
}

/**
 * Draws a layout in slices, yielding between them, so no main-thread task grows with the graph.
 * `stale()` lets a newer layout abandon this one midway.
 */
export async function renderLayout(
  svg: SVGSVGElement,
  graph: DagGraph,
  layout: GraphLayout,
  states: Readonly<Record<string, TaskView>>,
  stale: () => boolean,
  services: Readonly<Record<string, ServiceView>> = {},
): Promise<Drawing | undefined> {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const root = document.createElementNS(SVG, 'g');
  root.setAttribute('id', 'viewport');
  const edges = document.createElementNS(SVG, 'g');
  edges.setAttribute('class', 'edges');
  const nodesGroup = document.createElementNS(SVG, 'g');
  nodesGroup.setAttribute('class', 'nodes');
  // Group boxes under everything: they are the background of their tasks.
  const groupInfo = new Map((graph.groups ?? []).map((g) => [g.id, g]));
  const groupsLayer = materialize({
    tag: 'g',
    attrs: { class: 'groups' },
    children: (layout.groups ?? []).map((b) => drawGroupBox(b, groupInfo.get(b.id))),
  });
  const lane = materialize(drawServiceLane(graph, layout, services));
  for (const g of lane.querySelectorAll<SVGGElement>('g.service')) {
    g.setAttribute('tabindex', '0');
    g.setAttribute('role', 'button');
    g.setAttribute('aria-label', serviceAria(g.dataset.service ?? '', own(services, g.dataset.service ?? '')));
  }
  root.append(groupsLayer, edges, nodesGroup, lane);
  const nodes = new Map<string, SVGGElement>();
  const pieces: Array<() => void> = [];
  for (let i = 0; i < layout.edges.length; i += SLICE * 2) {
    const slice = layout.edges.slice(i, i + SLICE * 2);
    pieces.push(() => edges.append(...slice.map((e) => materialize(drawEdge(e)))));
  }
  for (let i = 0; i < layout.nodes.length; i += SLICE) {
    const slice = layout.nodes.slice(i, i + SLICE);
    pieces.push(() => {
      for (const box of slice) {
        const info = byId.get(box.id);
        if (!info) continue;
        const g = materialize(drawNode(info, box, own(states, box.id))) as SVGGElement;
        g.setAttribute('tabindex', '0');
        g.setAttribute('role', 'button');
        g.setAttribute('aria-label', ariaLabel(info, own(states, box.id)));
        nodesGroup.append(g);
        nodes.set(box.id, g);
      }
    });
  }
  // The new drawing replaces the old one at once, then fills in slice by slice.
  svg.replaceChildren(materialize(drawDefs()), root);
  let since = performance.now();
  for (const piece of pieces) {
    if (stale()) return undefined;
    piece();
    if (pieces.length > 1 && performance.now() - since > BUDGET_MS) {
      await yieldToPage();
      since = performance.now();
    }
  }
  return {
    root,
    nodes,
    groups: new Map(
      [...groupsLayer.querySelectorAll<SVGGElement>('g.group-box')].map((g) => [g.dataset.group ?? '', g]),
    ),
    services: new Map([...lane.querySelectorAll<SVGGElement>('g.service')].map((g) => [g.dataset.service ?? '', g])),
  };
}

/** Recolours the services' lane for a run's states, as `applyStates` does the tasks. */
export function applyServiceStates(
  drawing: Drawing,
  graph: DagGraph,
  views: Readonly<Record<string, ServiceView>>,
): void {
  for (const s of graph.services ?? []) {
    const g = drawing.services.get(s.id);
    if (!g) continue;
    const view = own(views, s.id);
    for (const c of [...g.classList]) if (c.startsWith('service-')) g.classList.remove(c);
    if (view) g.classList.add(`service-${view.state}`);
    const icon = g.querySelector('text.icon');
    if (icon) icon.textContent = view ? SERVICE_ICONS[view.state] : '';
    const title = g.querySelector('title');
    if (title) title.textContent = serviceTooltip(s, view);
    g.setAttribute('aria-label', serviceAria(s.id, view));
  }
}

function serviceAria(name: string, view: ServiceView | undefined): string {
  return [`service ${name}`, ...(view ? [view.state] : []), 'press Enter for its log'].join(', ');
}

/** Recolours nodes for a run's states: classes, icon and tooltip only, no layout and no redraw. */
export function applyStates(
  drawing: Drawing,
  graph: DagGraph,
  states: Readonly<Record<string, TaskView>>,
  now = Date.now(),
): void {
  for (const info of graph.nodes) {
    const g = drawing.nodes.get(info.id);
    if (!g) continue;
    const view = own(states, info.id);
    for (const c of [...g.classList]) if (c.startsWith('state-')) g.classList.remove(c);
    if (view) g.classList.add(`state-${view.state}`);
    g.classList.toggle('building', !!view?.building);
    g.classList.toggle('pending', !!view?.pending);
    const icon = g.querySelector('text.icon');
    if (icon)
      icon.textContent = view?.building
        ? BUILDING_ICON
        : view?.pending
          ? STATE_ICONS.queued
          : view
            ? STATE_ICONS[view.state]
            : '';
    const title = g.querySelector('title');
    if (title) title.textContent = tooltip(info, view, now);
    const counts = g.querySelector('text.counts');
    if (counts) counts.textContent = countsLabel(info, view);
    g.setAttribute('aria-label', ariaLabel(info, view));
  }
}

function ariaLabel(info: GraphNode, view: TaskView | undefined): string {
  const parts = [info.id, info.image];
  if (view) parts.push(view.state.replace(/_/g, ' '));
  if (info.mapped) parts.push(`${countsWords(view)}; press plus to show them`);
  if (info.folded) parts.push(`folded group of ${countsWords(view, 'task')}; press plus to unfold`);
  if (info.instanceOf !== undefined)
    parts.push(`instance ${info.mapIndex ?? ''} of ${info.instanceOf}; press minus to fold`);
  return parts.join(', ');
}
