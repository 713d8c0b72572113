import type { DagGraph, GraphGroup, GraphNode, GraphService } from '../dag/graph';
import type { ServiceView, TaskView } from '../protocol/graphMessages';
import type { ServiceState } from '../protocol/runRecord';
import { shortImage, type EdgeRoute, type GraphLayout, type NodeBox } from './layout';
import { own } from '../util/dict';
import { countsText, countsWords } from './mappedNodes';
import { STATE_ICONS } from './stateIcons';

/**
 * A drawing as data: the webview turns it into DOM nodes (text as text, never markup), the CLI into
 * an SVG file. One drawing, two renderers, so `cdag graph --format svg` shows what the panel shows.
 */
export interface SvgNode {
  readonly tag: string;
  readonly attrs: Readonly<Record<string, string | number>>;
  readonly children?: readonly SvgNode[];
  readonly text?: string;
}

export { STATE_ICONS } from './stateIcons';

const h = (tag: string, attrs: SvgNode['attrs'] = {}, children?: SvgNode[], text?: string): SvgNode => ({
  tag,
  attrs,
  ...(children ? { children } : {}),
  ...(text !== undefined ? { text } : {}),
});

export function drawDefs(): SvgNode {
  return h('defs', {}, [
    h(
      'marker',
      {
        id: 'arrow',
        viewBox: '0 0 10 10',
        refX: 10,
        refY: 5,
        markerWidth: 8,
        markerHeight: 8,
        orient: 'auto-start-reverse',
      },
      [h('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'arrow' })],
    ),
  ]);
}

export function drawEdge(e: EdgeRoute): SvgNode {
  return h('path', {
    class: 'edge',
    d: e.points.map((p, i) => `${i ? 'L' : 'M'} ${round(p.x)} ${round(p.y)}`).join(' '),
    'marker-end': 'url(#arrow)',
    'data-from': e.from,
    'data-to': e.to,
  });
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

function duration(view: TaskView, now: number): string | undefined {
  if (!view.startedAt) return undefined;
  const ms = (view.endedAt ? Date.parse(view.endedAt) : now) - Date.parse(view.startedAt);
  if (!(ms >= 0)) return undefined;
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m ${s % 60}s`;
}

/** Attempt, duration, exit code and reason: what a user hovering a node in Airflow's grid looks for. */
export function tooltip(n: GraphNode, view: TaskView | undefined, now = Date.now()): string {
  if (n.folded) return [`group ${n.id}`, countsWords(view, 'task'), 'Unfold it with its ⊞ or +.'].join('\n');
  const lines = [n.id, n.image];
  if (n.command) lines.push(n.command.join(' '));
  if (view) {
    const d = duration(view, now);
    lines.push(
      `${view.building ? 'building its image' : view.pending ? 'pending (not started)' : view.state.replace(/_/g, ' ')}${view.tryNumber ? ` · try ${view.tryNumber}` : ''}${d ? ` · ${d}` : ''}`,
    );
    if (view.exitCode !== undefined) lines.push(`exit code ${view.exitCode}`);
    if (view.reason) lines.push(view.reason);
  }
  if (n.mapped) lines.push(countsWords(view));
  for (const [k, v] of Object.entries(view?.item ?? {})) lines.push(`item.${k} = ${v}`);
  const outputs = view?.outputs;
  if (outputs) for (const [k, v] of Object.entries(outputs)) lines.push(`outputs.${k} = ${v}`);
  else if (n.outputs?.length) lines.push(`outputs: ${n.outputs.join(', ')}`);
  return lines.join('\n');
}

/** What a mapped node's (or folded group's) counts say: `×3 ✔2 ▶1`, or `⊞ ✔2 ▶1` for a group to unfold. */
export function countsLabel(n: GraphNode, view: TaskView | undefined): string {
  return n.folded ? `⊞ ${countsText(view).replace(/^×\S+ ?/, '')}`.trim() : countsText(view);
}

/** Offset of each sheet behind a mapped node. */
const STACK = 4;

/**
 * A task's node; its first `<rect>` is the node box (other tools read it). A mapped task is a stack
 * of sheets with its instance counts, which open it (`toggle`); an instance's toggle closes it again.
 */
export function drawNode(n: GraphNode, box: NodeBox, view?: TaskView, now = Date.now()): SvgNode {
  const state = view?.state;
  const sheets = n.mapped
    ? [2, 1].map((k) =>
        h('path', {
          class: 'stack',
          d: `M ${k * STACK} ${box.height} v ${k * STACK} h ${box.width} v ${-box.height} h ${-k * STACK}`,
        }),
      )
    : [];
  const toggle =
    n.mapped || n.folded
      ? [
          h(
            'text',
            { x: box.width - 10, y: 37, class: 'counts toggle', 'text-anchor': 'end' },
            undefined,
            countsLabel(n, view),
          ),
        ]
      : n.instanceOf !== undefined
        ? [h('text', { x: box.width - 10, y: 37, class: 'toggle', 'text-anchor': 'end' }, undefined, '⊟')]
        : [];
  return h(
    'g',
    {
      class: `node${n.mapped ? ' mapped' : ''}${n.folded ? ' folded' : ''}${n.instanceOf !== undefined ? ' instance' : ''}${state ? ` state-${state}` : ''}${view?.building ? ' building' : ''}${view?.pending ? ' pending' : ''}`,
      'data-task': n.id,
      ...(n.instanceOf !== undefined ? { 'data-instance-of': n.instanceOf } : {}),
      transform: `translate(${round(box.x)} ${round(box.y)})`,
    },
    [
      ...sheets,
      h('rect', { width: box.width, height: box.height, rx: 6 }),
      h('title', {}, undefined, tooltip(n, view, now)),
      h('text', { x: 10, y: 19, class: 'title' }, undefined, n.id),
      h(
        'text',
        { x: 10, y: 35, class: 'image' },
        undefined,
        n.folded ? `group · ${view?.instances ?? '?'} tasks` : shortImage(n.image),
      ),
      h(
        'text',
        { x: box.width - 10, y: 19, class: 'icon', 'text-anchor': 'end' },
        undefined,
        view?.building ? BUILDING_ICON : view?.pending ? STATE_ICONS.queued : state ? STATE_ICONS[state] : '',
      ),
      ...toggle,
    ],
  );
}

/** A group's box around its tasks: its name and a toggle (⊟) that folds it into one node. */
export function drawGroupBox(box: NodeBox, group: GraphGroup | undefined): SvgNode {
  return h('g', { class: 'group-box', 'data-group': box.id, transform: `translate(${round(box.x)} ${round(box.y)})` }, [
    h('rect', { width: box.width, height: box.height, rx: 8 }),
    h('title', {}, undefined, [`group ${box.id}`, group?.description ?? ''].filter(Boolean).join('\n')),
    h('text', { x: 10, y: 19, class: 'group-label' }, undefined, box.id.slice(box.id.lastIndexOf('.') + 1)),
    h('text', { x: box.width - 10, y: 19, class: 'toggle', 'text-anchor': 'end' }, undefined, '⊟'),
  ]);
}

/** A running task whose image is being built. */
export const BUILDING_ICON = '⚒';

/** One glyph per service state, as for tasks. */
export const SERVICE_ICONS: Readonly<Record<ServiceState, string>> = {
  starting: '◌',
  ready: '●',
  failed: '✘',
  stopped: '■',
};

/** A service's tooltip: its image, the tasks it serves, and its state in the run shown. */
export function serviceTooltip(s: GraphService, view: ServiceView | undefined): string {
  const lines = [`service ${s.id}`, s.image, `needed by ${s.tasks.join(', ')}`];
  if (view) lines.push(view.state);
  if (view?.exitCode !== undefined) lines.push(`exit code ${view.exitCode}`);
  if (view?.reason) lines.push(view.reason);
  return lines.join('\n');
}

/** A service in its lane: a pill, not a task's box, with its state's glyph. */
export function drawService(s: GraphService, box: NodeBox, view?: ServiceView): SvgNode {
  return h(
    'g',
    {
      class: `service${view ? ` service-${view.state}` : ''}`,
      'data-service': s.id,
      'data-tasks': s.tasks.join(' '),
      transform: `translate(${round(box.x)} ${round(box.y)})`,
    },
    [
      h('rect', { width: box.width, height: box.height, rx: box.height / 2 }),
      h('title', {}, undefined, serviceTooltip(s, view)),
      h('text', { x: 16, y: 19, class: 'title' }, undefined, s.id),
      h('text', { x: 16, y: 35, class: 'image' }, undefined, shortImage(s.image)),
      h(
        'text',
        { x: box.width - 14, y: 19, class: 'icon', 'text-anchor': 'end' },
        undefined,
        view ? SERVICE_ICONS[view.state] : '',
      ),
    ],
  );
}

/** The services' lane: its label and the services, apart from the tasks. */
export function drawServiceLane(
  graph: DagGraph,
  layout: GraphLayout,
  views: Readonly<Record<string, ServiceView>> = {},
): SvgNode {
  const byId = new Map((graph.services ?? []).map((s) => [s.id, s]));
  const boxes = (layout.services ?? []).filter((b) => byId.has(b.id));
  const first = boxes[0];
  return h('g', { class: 'services' }, [
    ...(first
      ? [h('text', { x: round(first.x), y: round(first.y - 6), class: 'lane-label' }, undefined, 'services')]
      : []),
    ...boxes.map((b) => drawService(byId.get(b.id)!, b, own(views, b.id))),
  ]);
}

/** Edges under nodes, in one group the page pans and zooms. */
export function drawGraph(
  graph: DagGraph,
  layout: GraphLayout,
  states: Readonly<Record<string, TaskView>> = {},
  now = Date.now(),
  services: Readonly<Record<string, ServiceView>> = {},
): SvgNode {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const groups = new Map((graph.groups ?? []).map((g) => [g.id, g]));
  return h('g', { id: 'viewport' }, [
    h(
      'g',
      { class: 'groups' },
      (layout.groups ?? []).map((b) => drawGroupBox(b, groups.get(b.id))),
    ),
    h('g', { class: 'edges' }, layout.edges.map(drawEdge)),
    h(
      'g',
      { class: 'nodes' },
      layout.nodes.filter((b) => byId.has(b.id)).map((b) => drawNode(byId.get(b.id)!, b, own(states, b.id), now)),
    ),
    drawServiceLane(graph, layout, services),
  ]);
}

const escapeText = (s: string) => s.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]!);
const escapeAttr = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

export function toMarkup(n: SvgNode): string {
  const attrs = Object.entries(n.attrs)
    .map(([k, v]) => ` ${k}="${escapeAttr(String(v))}"`)
    .join('');
  const inner = (n.children ?? []).map(toMarkup).join('') + (n.text !== undefined ? escapeText(n.text) : '');
  return `<${n.tag}${attrs}>${inner}</${n.tag}>`;
}

/** A standalone SVG file: the same drawing, with the stylesheet inside so it renders anywhere. */
export function svgDocument(
  graph: DagGraph,
  layout: GraphLayout,
  css: string,
  states: Readonly<Record<string, TaskView>> = {},
  services: Readonly<Record<string, ServiceView>> = {},
): string {
  const pad = 16;
  const w = Math.ceil(layout.width + 2 * pad);
  const hgt = Math.ceil(layout.height + 2 * pad);
  const body = drawGraph(graph, layout, states, Date.now(), services);
  const root = h(
    'svg',
    {
      xmlns: 'http://www.w3.org/2000/svg',
      width: w,
      height: hgt,
      viewBox: `${-pad} ${-pad} ${w} ${hgt}`,
      class: 'cdag-graph',
      role: 'img',
      'aria-label': `DAG ${graph.dag}`,
    },
    [h('title', {}, undefined, `DAG ${graph.dag}`), h('style', {}, undefined, css), drawDefs(), body],
  );
  return `<?xml version="1.0" encoding="UTF-8"?>\n${toMarkup(root)}\n`;
}
