import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-context-menu/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import type { VscodeContextMenu } from '@vscode-elements/elements/dist/vscode-context-menu/vscode-context-menu.js';
import type { DagGraph } from '../src/dag/graph';
import { structureKey, type Direction, type GraphLayout } from '../src/graph/layout';
import { foldedViews, foldGroups } from '../src/graph/foldedGroups';
import { displayGraph } from '../src/graph/mappedNodes';
import type {
  GraphDirection,
  GraphPageState,
  HostToPage,
  PageToHost,
  ServiceView,
  TaskView,
  ToolbarState,
} from '../src/protocol/graphMessages';
import { isHostMessage } from './hostMessages';
import { LayoutClient } from './layoutClient';
import { applyServiceStates, applyStates, renderLayout, type Drawing } from './render';
import { Viewport } from './viewport';

interface VsCodeApi {
  postMessage(msg: PageToHost): void;
  getState(): GraphPageState | undefined;
  setState(s: GraphPageState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

/** Above this many tasks a layout shows progress; the old drawing stays until the new one is ready. */
const LARGE = 500;

const vscode = acquireVsCodeApi();
const svg = document.getElementById('graph') as unknown as SVGSVGElement;
const banner = document.getElementById('banner')!;
const summary = document.getElementById('summary')!;
const runLabel = document.getElementById('run-label')!;
const progress = document.getElementById('progress')!;
const runButton = document.getElementById('run') as HTMLElement & { disabled: boolean };
const dateField = document.getElementById('date') as HTMLElement & { value: string };
const backendSelect = document.getElementById('backend') as HTMLElement & { value: string };
const directionSelect = document.getElementById('direction') as HTMLElement & { value: string };
const menu = document.getElementById('menu') as VscodeContextMenu;
const layouts = new LayoutClient(document.body.dataset.worker ?? '');
const viewport = new Viewport(svg);

/** The DAG's graph, and what is drawn of it: mapped tasks the user opened show their instances. */
let graph: DagGraph = { dag: '', nodes: [], edges: [] };
let drawn: DagGraph = graph;
const expanded = new Set<string>(vscode.getState()?.expanded ?? []);
/** Groups folded into one node in this panel. */
const folded = new Set<string>(vscode.getState()?.folded ?? []);
/** The views of what is drawn: a folded group's node gets its tasks' state and counts. */
let views: Record<string, TaskView> = {};
const saveState = () => vscode.setState({ uri: pageUri, expanded: [...expanded], folded: [...folded] });

/** What is drawn of the DAG: folded groups as one node each, opened mapped tasks as their instances. */
function drawnOf(dagGraph: DagGraph): DagGraph {
  return displayGraph(foldGroups(dagGraph, folded), states, expanded);
}
let pageUri = vscode.getState()?.uri ?? '';
let drawnKey = '';
let layout: GraphLayout | undefined;
let drawing: Drawing | undefined;
let states: Record<string, TaskView> = {};
let serviceStates: Record<string, ServiceView> = {};
/** Tasks whose image the next run builds (their folder changed, or never built). */
let stale = new Set<string>();
/** What the toolbar (or the setting) asks for, and the direction that is drawn (AUTO resolved by the panel's shape). */
let choice: GraphDirection = 'AUTO';
let direction: Direction = byShape();

/** Top down when the panel is narrower than tall (a side panel), else left to right. */
function byShape(): Direction {
  return window.innerWidth < window.innerHeight ? 'DOWN' : 'RIGHT';
}

function resolved(): Direction {
  return choice === 'AUTO' ? byShape() : choice;
}
let toolbar: ToolbarState | undefined;
let menuTask: string | undefined;

const post = (m: PageToHost) => vscode.postMessage(m);

/** Re-layout only when the structure changed; states and highlights reuse the drawing. */
async function show(dagGraph: DagGraph): Promise<void> {
  graph = dagGraph;
  const next = drawnOf(dagGraph);
  drawn = next;
  views = foldedViews(dagGraph, next, states);
  const key = structureKey(next, direction);
  if (key === drawnKey) {
    if (drawing) applyStates(drawing, drawn, views);
    rendered(next.nodes.length, 0, 0);
    return;
  }
  drawnKey = key;
  const started = performance.now();
  const large = next.nodes.length > LARGE;
  progress.hidden = !large;
  if (large) summary.textContent = `Laying out ${next.nodes.length.toLocaleString('en')} tasks…`;
  const result = await layouts.layout(next, direction);
  if (result.id !== layouts.latest) return; // a newer graph is being laid out
  const layoutMs = performance.now() - started;
  progress.hidden = true;
  if (!result.layout) {
    banner.textContent = `The graph could not be laid out: ${result.error ?? 'unknown error'}`;
    banner.classList.add('shown');
    return;
  }
  layout = result.layout;
  const id = result.id;
  const d = await renderLayout(svg, next, layout, views, () => id !== layouts.latest, serviceStates);
  if (!d) return;
  drawing = d;
  // States that came while the layout ran (the host sends the newest run right after the graph).
  views = foldedViews(dagGraph, next, states);
  applyStates(d, next, views);
  applyServiceStates(d, dagGraph, serviceStates);
  for (const [taskId, g] of d.nodes) wireNode(taskId, g);
  for (const [service, g] of d.services) wireService(service, g);
  markStale();
  for (const [group, g] of d.groups)
    g.querySelector('text.toggle')?.addEventListener('click', (ev) => {
      ev.stopPropagation();
      toggleGroup(group);
    });
  viewport.setContent(layout.width, layout.height);
  viewport.fit();
  summary.textContent = `${graph.dag} · ${graph.nodes.length} tasks · ${graph.edges.length} dependencies`;
  rendered(next.nodes.length, layoutMs, performance.now() - started);
}

/** For tests and benchmarks: the drawing of the latest graph is complete, and how long it took. */
function rendered(nodes: number, layoutMs: number, totalMs: number): void {
  window.dispatchEvent(new CustomEvent('cdag:rendered', { detail: { nodes, layoutMs, totalMs } }));
}

/** Opens a mapped task into its instances, or folds an instance's task back into one node; kept per panel. */
function toggleInstances(taskId: string): void {
  const node = drawn.nodes.find((n) => n.id === taskId);
  const task = node?.instanceOf ?? (node?.mapped ? taskId : undefined);
  if (task === undefined) return;
  if (expanded.has(task)) expanded.delete(task);
  else expanded.add(task);
  saveState();
  void show(graph).then(() => drawing?.nodes.get(node?.instanceOf !== undefined ? task : `${task}[0]`)?.focus());
}

/** Folds a group into one node, or unfolds a folded one; kept per panel. */
function toggleGroup(group: string): void {
  if (folded.has(group)) folded.delete(group);
  else folded.add(group);
  saveState();
  void show(graph).then(() => drawing?.nodes.get(group)?.focus());
}

function wireNode(taskId: string, g: SVGGElement): void {
  g.addEventListener('click', (ev) => {
    const onToggle = (ev.target as Element | null)?.classList.contains('toggle');
    if (onToggle && drawn.nodes.find((n) => n.id === taskId)?.folded) toggleGroup(taskId);
    else if (onToggle) toggleInstances(taskId);
    else post({ type: 'reveal', taskId });
  });
  g.addEventListener('dblclick', () => post({ type: 'showLog', taskId }));
  g.addEventListener('contextmenu', (ev) => {
    ev.preventDefault();
    openMenu(taskId, ev.clientX, ev.clientY);
  });
  g.addEventListener('keydown', (ev) => onNodeKey(ev, taskId));
  g.addEventListener('focus', () => {
    const box = layout?.nodes.find((n) => n.id === taskId);
    if (box) viewport.ensureVisible(box);
  });
}

/** Marks the tasks whose image is stale: a badge and a line in the tooltip say the next run builds it. */
function markStale(): void {
  for (const [id, g] of drawing?.nodes ?? []) {
    const isStale = stale.has(id) || (g.dataset.instanceOf !== undefined && stale.has(g.dataset.instanceOf));
    g.classList.toggle('stale', isStale);
    g.querySelector('text.stale-badge')?.remove();
    if (!isStale) continue;
    const badge = document.createElementNS('http://www.w3.org/2000/svg', 'text');
    badge.setAttribute('class', 'stale-badge');
    badge.setAttribute('x', '-4');
    badge.setAttribute('y', '-4');
    badge.textContent = '⟳ image out of date';
    g.append(badge);
  }
}

/** A service shows the tasks it serves while hovered or focused; a double click or Enter opens its log. */
function wireService(service: string, g: SVGGElement): void {
  const serves = (on: boolean) => {
    const tasks = graph.services?.find((s) => s.id === service)?.tasks ?? [];
    for (const t of tasks) {
      // A task inside a folded group shows as that group's node.
      const group = graph.nodes.find((n) => n.id === t)?.group;
      const shown =
        drawing?.nodes.get(t) ??
        (group !== undefined
          ? group
              .split('.')
              .map((_, i, parts) => drawing?.nodes.get(parts.slice(0, i + 1).join('.')))
              .find((x) => x)
          : undefined);
      shown?.classList.toggle('serves', on);
    }
  };
  g.addEventListener('mouseenter', () => serves(true));
  g.addEventListener('mouseleave', () => serves(false));
  g.addEventListener('focus', () => serves(true));
  g.addEventListener('blur', () => serves(false));
  g.addEventListener('dblclick', () => post({ type: 'showServiceLog', service }));
  g.addEventListener('keydown', (ev) => {
    if (ev.key !== 'Enter' && ev.key !== ' ') return;
    post({ type: 'showServiceLog', service });
    ev.preventDefault();
  });
}

function openMenu(taskId: string, x: number, y: number): void {
  menuTask = taskId;
  const canRun = toolbar?.canRun ?? false;
  const node = drawn.nodes.find((n) => n.id === taskId);
  menu.data = [
    ...(node?.mapped ? [{ label: 'Show Instances', value: 'toggle' }, { separator: true }] : []),
    ...(node?.instanceOf !== undefined ? [{ label: 'Fold Instances', value: 'toggle' }, { separator: true }] : []),
    ...(node?.folded ? [{ label: 'Unfold Group', value: 'toggle' }, { separator: true }] : []),
    ...(node?.group !== undefined && !node.folded && node.instanceOf === undefined
      ? [{ label: `Fold Group ${node.group}`, value: 'fold' }, { separator: true }]
      : []),
    ...(canRun
      ? [
          { label: 'Run Task', value: 'runTask' },
          { label: 'Re-run from Here', value: 'rerunFrom' },
          { separator: true },
        ]
      : []),
    { label: 'Show Log', value: 'showLog' },
    { label: 'Reveal in Editor', value: 'reveal' },
  ];
  menu.style.left = `${x}px`;
  menu.style.top = `${y}px`;
  menu.show = true;
  // Kept on screen (Shift+F10 on a node near an edge, a right-click near the bottom): once drawn, its
  // size is known and it moves inside the panel.
  requestAnimationFrame(() => {
    const r = menu.getBoundingClientRect();
    const w = r.width || 200;
    const h = r.height || 240;
    menu.style.left = `${Math.max(4, Math.min(x, window.innerWidth - w - 4))}px`;
    menu.style.top = `${Math.max(4, Math.min(y, window.innerHeight - h - 4))}px`;
  });
}

menu.addEventListener('vsc-context-menu-select', (ev) => {
  const taskId = menuTask;
  if (!taskId) return;
  const date = dateField.value;
  const backend = backendSelect.value === 'kubernetes' ? 'kubernetes' : 'docker';
  switch (ev.detail.value) {
    case 'runTask':
    case 'rerunFrom':
      post({ type: ev.detail.value, taskId, date, backend });
      return;
    case 'showLog':
    case 'reveal':
      post({ type: ev.detail.value, taskId });
      return;
    case 'toggle':
      if (drawn.nodes.find((n) => n.id === taskId)?.folded) toggleGroup(taskId);
      else toggleInstances(taskId);
      return;
    case 'fold': {
      const group = drawn.nodes.find((n) => n.id === taskId)?.group;
      if (group !== undefined) toggleGroup(group);
      return;
    }
  }
});

/** Arrow keys move along edges (right: downstream, left: upstream), up/down in task order. */
function onNodeKey(ev: KeyboardEvent, id: string): void {
  if (ev.key === 'Enter' || ev.key === ' ') {
    post({ type: 'reveal', taskId: id });
    ev.preventDefault();
    return;
  }
  if (ev.key === '+' || ev.key === '-') {
    const node = drawn.nodes.find((n) => n.id === id);
    if (ev.key === '+' && node?.folded) toggleGroup(id);
    else if (ev.key === '-' && node?.group !== undefined && !node.instanceOf) toggleGroup(node.group);
    else if ((ev.key === '+' && node?.mapped) || (ev.key === '-' && node?.instanceOf !== undefined))
      toggleInstances(id);
    ev.preventDefault();
    return;
  }
  if (ev.key === 'ContextMenu' || (ev.key === 'F10' && ev.shiftKey)) {
    const r = drawing?.nodes.get(id)?.getBoundingClientRect();
    if (r) openMenu(id, r.left + 10, r.bottom);
    ev.preventDefault();
    return;
  }
  const down = direction === 'RIGHT';
  let next: string | undefined;
  if (ev.key === (down ? 'ArrowRight' : 'ArrowDown')) next = drawn.edges.find((e) => e.from === id)?.to;
  else if (ev.key === (down ? 'ArrowLeft' : 'ArrowUp')) next = drawn.edges.find((e) => e.to === id)?.from;
  else if (ev.key === (down ? 'ArrowDown' : 'ArrowRight') || ev.key === (down ? 'ArrowUp' : 'ArrowLeft')) {
    const order = drawn.nodes.map((n) => n.id);
    const forward = ev.key === (down ? 'ArrowDown' : 'ArrowRight');
    const i = order.indexOf(id) + (forward ? 1 : -1);
    next = order[Math.max(0, Math.min(order.length - 1, i))];
  }
  if (next) {
    drawing?.nodes.get(next)?.focus();
    ev.preventDefault();
  }
}

function setToolbar(t: ToolbarState): void {
  toolbar = t;
  if (!dateField.value) dateField.value = t.date;
  backendSelect.value = t.backend;
  for (const opt of backendSelect.querySelectorAll('vscode-option')) {
    (opt as HTMLElement & { disabled: boolean }).disabled = !t.backends.includes(
      opt.getAttribute('value') as 'docker' | 'kubernetes',
    );
  }
  runButton.disabled = !t.canRun;
  runButton.title = t.canRun
    ? 'Run the DAG for this logical date'
    : (t.runBlockedReason ?? 'Running needs a trusted workspace');
  if (t.direction !== choice) {
    choice = t.direction;
    directionSelect.value = choice;
  }
  if (resolved() !== direction) {
    direction = resolved();
    void show(graph);
  }
}

runButton.addEventListener('click', () => {
  if (!runButton.disabled)
    post({
      type: 'run',
      date: dateField.value,
      backend: backendSelect.value === 'kubernetes' ? 'kubernetes' : 'docker',
    });
});
directionSelect.addEventListener('change', () => {
  const v = directionSelect.value;
  choice = v === 'DOWN' || v === 'RIGHT' ? v : 'AUTO';
  post({ type: 'direction', direction: choice });
  direction = resolved();
  void show(graph);
});
document.getElementById('fit')!.addEventListener('click', () => viewport.fit());
document.getElementById('history')!.addEventListener('click', () => post({ type: 'showHistory' }));
window.addEventListener('resize', () => {
  // A panel that turns narrow (or wide) is laid out again when its direction follows its shape.
  if (resolved() !== direction) {
    direction = resolved();
    void show(graph);
  } else viewport.fit();
});

window.addEventListener('message', (ev: MessageEvent<unknown>) => {
  const msg = ev.data;
  if (!isHostMessage(msg)) {
    console.warn('Container DAGs graph: dropped an unknown message');
    return;
  }
  handle(msg);
});

function handle(msg: HostToPage): void {
  switch (msg.type) {
    case 'graph':
      pageUri = msg.uri;
      saveState();
      banner.textContent = msg.error ? `Showing the last valid graph. ${msg.error}` : '';
      banner.classList.toggle('shown', !!msg.error);
      void show(msg.graph);
      return;
    case 'highlight':
      if (drawing)
        for (const [id, g] of drawing.nodes)
          g.classList.toggle('highlight', id === msg.taskId || g.dataset.instanceOf === msg.taskId);
      return;
    case 'states':
      states = msg.tasks;
      serviceStates = msg.services ?? {};
      if (drawing) applyServiceStates(drawing, graph, serviceStates);
      runLabel.textContent = msg.runId ? msg.label : '';
      // A run that made (or a newer run that changed) the instances of an opened task redraws it.
      if (structureKey(drawnOf(graph), direction) !== drawnKey) void show(graph);
      else if (drawing) {
        views = foldedViews(graph, drawn, states);
        applyStates(drawing, drawn, views);
      }
      return;
    case 'toolbar':
      setToolbar(msg.toolbar);
      return;
    case 'images':
      stale = new Set(msg.stale);
      markStale();
      return;
    default: {
      const never: never = msg;
      console.warn('Container DAGs graph: unhandled message', never);
    }
  }
}

layouts.warm();
post({ type: 'ready' });
