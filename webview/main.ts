import ELK, { type ElkNode } from 'elkjs/lib/elk.bundled.js';
import type { DagGraph } from '../src/dag/graph';
import type { GraphPageState, HostToPage, PageToHost } from '../src/protocol/graphMessages';

interface VsCodeApi {
  postMessage(msg: PageToHost): void;
  getState(): GraphPageState | undefined;
  setState(s: GraphPageState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const SVG = 'http://www.w3.org/2000/svg';
const svg = document.getElementById('graph') as unknown as SVGSVGElement;
const banner = document.getElementById('banner')!;
const summary = document.getElementById('summary')!;
const elk = new ELK();

let structureKey = '';
let view = { x: 0, y: 0, scale: 1 };
let content = { width: 1, height: 1 };
const nodes = new Map<string, SVGGElement>();

function el<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number> = {},
): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

const shortImage = (image: string) => {
  const last = image.split('/').pop() ?? image;
  return last.length > 28 ? `${last.slice(0, 27)}…` : last;
};

/** Layout only when the structure changes; a highlight or a state change reuses the drawing. */
async function draw(graph: DagGraph): Promise<void> {
  const key = JSON.stringify([graph.nodes.map((n) => [n.id, n.image]), graph.edges]);
  if (key === structureKey) return;
  structureKey = key;
  const layout: ElkNode = await elk.layout({
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.spacing.nodeNode': '24',
      'elk.layered.spacing.nodeNodeBetweenLayers': '48',
      'elk.edgeRouting': 'ORTHOGONAL',
    },
    children: graph.nodes.map((n) => ({
      id: n.id,
      width: Math.max(120, Math.max(n.id.length, shortImage(n.image).length * 0.85) * 7.5 + 24),
      height: 44,
    })),
    edges: graph.edges.map((e, i) => ({ id: `e${i}`, sources: [e.from], targets: [e.to] })),
  });
  svg.replaceChildren();
  nodes.clear();
  const defs = el('defs');
  const marker = el('marker', {
    id: 'arrow',
    viewBox: '0 0 10 10',
    refX: 10,
    refY: 5,
    markerWidth: 8,
    markerHeight: 8,
    orient: 'auto-start-reverse',
  });
  marker.append(el('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'arrow' }));
  defs.append(marker);
  const root = el('g', { id: 'viewport' });
  svg.append(defs, root);
  for (const e of layout.edges ?? []) {
    for (const s of (e as { sections?: Array<{ startPoint: P; endPoint: P; bendPoints?: P[] }> }).sections ?? []) {
      const pts = [s.startPoint, ...(s.bendPoints ?? []), s.endPoint];
      root.append(
        el('path', {
          class: 'edge',
          d: pts.map((p, i) => `${i ? 'L' : 'M'} ${p.x} ${p.y}`).join(' '),
          'marker-end': 'url(#arrow)',
          'data-from': e.sources[0]!,
          'data-to': e.targets[0]!,
        }),
      );
    }
  }
  for (const n of layout.children ?? []) {
    const info = graph.nodes.find((x) => x.id === n.id)!;
    const g = el('g', {
      class: 'node',
      'data-task': n.id,
      tabindex: 0,
      role: 'button',
      transform: `translate(${n.x} ${n.y})`,
    });
    g.append(el('rect', { width: n.width!, height: n.height! }));
    const title = el('text', { x: 10, y: 18 });
    title.textContent = n.id; // text, never markup: task ids come from the user's file (W3)
    const image = el('text', { x: 10, y: 34, class: 'image' });
    image.textContent = shortImage(info.image);
    const tip = el('title');
    tip.textContent = `${n.id}\n${info.image}${info.command ? `\n${info.command.join(' ')}` : ''}`;
    g.append(tip, title, image);
    g.addEventListener('click', () => vscode.postMessage({ type: 'reveal', taskId: n.id }));
    g.addEventListener('keydown', (ev) => onNodeKey(ev, n.id, graph));
    root.append(g);
    nodes.set(n.id, g);
  }
  content = { width: layout.width ?? 1, height: layout.height ?? 1 };
  summary.textContent = `${graph.dag} · ${graph.nodes.length} tasks · ${graph.edges.length} dependencies`;
  fit();
}

type P = { x: number; y: number };

/** Arrow keys move along edges (right: downstream, left: upstream), up/down between siblings. */
function onNodeKey(ev: KeyboardEvent, id: string, graph: DagGraph): void {
  if (ev.key === 'Enter' || ev.key === ' ') {
    vscode.postMessage({ type: 'reveal', taskId: id });
    ev.preventDefault();
    return;
  }
  let next: string | undefined;
  if (ev.key === 'ArrowRight') next = graph.edges.find((e) => e.from === id)?.to;
  else if (ev.key === 'ArrowLeft') next = graph.edges.find((e) => e.to === id)?.from;
  else if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
    const order = graph.nodes.map((n) => n.id);
    const i = order.indexOf(id) + (ev.key === 'ArrowDown' ? 1 : -1);
    next = order[Math.max(0, Math.min(order.length - 1, i))];
  }
  if (next) {
    nodes.get(next)?.focus();
    ev.preventDefault();
  }
}

function apply(): void {
  document.getElementById('viewport')?.setAttribute('transform', `translate(${view.x} ${view.y}) scale(${view.scale})`);
}

function fit(): void {
  const r = svg.getBoundingClientRect();
  const scale = Math.min(2, Math.min((r.width - 40) / content.width, (r.height - 40) / content.height));
  view = { scale, x: (r.width - content.width * scale) / 2, y: (r.height - content.height * scale) / 2 };
  apply();
}

svg.addEventListener(
  'wheel',
  (ev) => {
    ev.preventDefault();
    const r = svg.getBoundingClientRect();
    const factor = Math.exp(-ev.deltaY * 0.0015);
    const mx = ev.clientX - r.left;
    const my = ev.clientY - r.top;
    view = { scale: view.scale * factor, x: mx - (mx - view.x) * factor, y: my - (my - view.y) * factor };
    apply();
  },
  { passive: false },
);

let drag: { x: number; y: number } | undefined;
svg.addEventListener('pointerdown', (ev) => {
  if ((ev.target as Element).closest('.node')) return;
  drag = { x: ev.clientX - view.x, y: ev.clientY - view.y };
});
window.addEventListener('pointermove', (ev) => {
  if (!drag) return;
  view = { ...view, x: ev.clientX - drag.x, y: ev.clientY - drag.y };
  apply();
});
window.addEventListener('pointerup', () => (drag = undefined));
document.getElementById('fit')!.addEventListener('click', fit);
window.addEventListener('resize', fit);

function isHostMessage(m: unknown): m is HostToPage {
  if (typeof m !== 'object' || m === null) return false;
  const t = (m as { type?: unknown }).type;
  if (t === 'graph') {
    const g = (m as { graph?: DagGraph }).graph;
    return !!g && Array.isArray(g.nodes) && Array.isArray(g.edges) && typeof g.dag === 'string';
  }
  return t === 'highlight';
}

window.addEventListener('message', (ev: MessageEvent<unknown>) => {
  const msg = ev.data;
  if (!isHostMessage(msg)) {
    console.warn('Container DAGs graph: dropped an unknown message', msg);
    return;
  }
  switch (msg.type) {
    case 'graph':
      vscode.setState({ uri: msg.uri });
      banner.textContent = msg.error ? `Showing the last valid graph. ${msg.error}` : '';
      banner.classList.toggle('shown', !!msg.error);
      void draw(msg.graph);
      return;
    case 'highlight':
      for (const [id, g] of nodes) g.classList.toggle('highlight', id === msg.taskId);
      return;
    default: {
      const never: never = msg;
      console.warn('Container DAGs graph: unhandled message', never);
    }
  }
});

vscode.postMessage({ type: 'ready' });
