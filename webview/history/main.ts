import {
  HISTORY_LIMITS,
  type HistoryRow,
  type HistoryRun,
  type HostToHistory,
  type PageToHistory,
} from '../../src/protocol/historyMessages';
import { renderGantt } from './ganttView';
import { cellOf, durationOf, formatMs, renderGrid, ROW_HEIGHT, visibleRows } from './grid';
import { isHistoryMessage } from './historyMessages';

interface VsCodeApi {
  postMessage(msg: PageToHistory): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const post = (m: PageToHistory) => vscode.postMessage(m);
const table = document.getElementById('grid') as HTMLTableElement;
const wrap = document.getElementById('grid-wrap')!;
const details = document.getElementById('details')!;
const gantt = document.getElementById('gantt')!;
const title = document.getElementById('title')!;
const limitSelect = document.getElementById('limit') as HTMLSelectElement;

let dag = '';
let rows: readonly HistoryRow[] = [];
let edges: ReadonlyArray<{ from: string; to: string }> = [];
let runs: HistoryRun[] = [];
let limit = HISTORY_LIMITS[0]!;
/** Folded rows: mapped tasks start folded (as Airflow's grid), groups open. */
const closed = new Set<string>();
const seenMapped = new Set<string>();
let selected: { row: string; run: string } | undefined;
let selectedRun: string | undefined;
/** The cell that has the keyboard (roving tabindex), by visible row and column. */
let cursor = { r: 0, c: 0 };

for (const n of HISTORY_LIMITS) {
  const o = document.createElement('option');
  o.value = String(n);
  o.textContent = `Last ${n} runs`;
  limitSelect.append(o);
}
limitSelect.addEventListener('change', () => post({ type: 'limit', limit: Number(limitSelect.value) }));

/** Rows drawn beyond the visible ones, above and below, so a short scroll shows no gap. */
const OVERSCAN = 6;
/** Counts drawings, so a Gantt queued for an older one is dropped. */
let renders = 0;

/** The rows in view of the grid's scroll box (the sticky header's height aside). */
function rowWindow(): { first: number; last: number } {
  const head = table.tHead?.offsetHeight ?? 80;
  const top = Math.max(0, wrap.scrollTop - head);
  const first = Math.max(0, Math.floor(top / ROW_HEIGHT) - OVERSCAN);
  return { first, last: first + Math.ceil((wrap.clientHeight || 600) / ROW_HEIGHT) + 2 * OVERSCAN };
}

/** Only the grid (scrolling): the rows come and go, the focused cell keeps the keyboard. */
function renderGridOnly(): void {
  const hadFocus = document.activeElement?.classList.contains('cell') ?? false;
  renderGrid(table, {
    rows,
    runs,
    closed,
    window: rowWindow(),
    ...(selected ? { selected } : {}),
    ...(selectedRun ? { selectedRun } : {}),
  });
  const current = cellAt(cursor.r, cursor.c);
  current?.setAttribute('tabindex', '0');
  if (hadFocus) current?.focus({ preventScroll: true });
}

function render(): void {
  const started = performance.now();
  const shown = visibleRows(rows, closed);
  cursor = {
    r: Math.min(cursor.r, Math.max(0, shown.length - 1)),
    c: Math.min(cursor.c, Math.max(0, runs.length - 1)),
  };
  renderGridOnly();
  title.textContent = `${dag} · ${runs.length} run${runs.length === 1 ? '' : 's'}`;
  renderDetails();
  // The Gantt in a task of its own: each main-thread task stays short on the largest grids.
  const drawn = ++renders;
  setTimeout(() => {
    if (drawn !== renders) return;
    renderGantt(gantt, runs.find((r) => r.runId === selectedRun) ?? runs.at(-1), shown, edges);
    const cells = table.querySelectorAll('td.cell').length;
    // Measured once laid out (reading a size makes the browser do it now), for tests and the benchmark.
    const height = table.offsetHeight;
    window.dispatchEvent(
      new CustomEvent('cdag:history-rendered', { detail: { ms: performance.now() - started, cells, height } }),
    );
  }, 0);
}

const cellAt = (r: number, c: number) =>
  table.querySelector<HTMLTableCellElement>(`td.cell[data-row="${r}"][data-col="${c}"]`);

let scrolling = false;
wrap.addEventListener('scroll', () => {
  if (scrolling) return;
  scrolling = true;
  requestAnimationFrame(() => {
    scrolling = false;
    renderGridOnly();
  });
});

/** What the chosen cell's attempt did: state, tries, exit code, duration, reason, outputs, each try's log. */
function renderDetails(): void {
  details.replaceChildren();
  const run = runs.find((r) => r.runId === selected?.run);
  const cell = run && selected ? cellOf(run, selected.row) : undefined;
  if (!run || !cell || !selected) {
    details.textContent =
      'Select a cell for its attempt’s state, exit code, duration and log; a run’s header for its Gantt.';
    return;
  }
  const h = document.createElement('h3');
  h.textContent = `${selected.row} · ${run.logicalDate.slice(0, 10)} · ${run.runId}`;
  const dl = document.createElement('dl');
  const add = (k: string, v: string | undefined) => {
    if (!v) return;
    const dt = document.createElement('dt');
    dt.textContent = k;
    const dd = document.createElement('dd');
    dd.textContent = v;
    dl.append(dt, dd);
  };
  add('state', cell.state.replace('_', ' '));
  add('try', cell.tries ? `${cell.tries}` : undefined);
  add('exit code', cell.exitCode !== undefined ? String(cell.exitCode) : undefined);
  add('duration', formatMs(durationOf(cell)));
  add('reason', cell.reason);
  add('instances', cell.instances !== undefined ? String(cell.instances) : undefined);
  add('outputs', cell.outputs ? JSON.stringify(cell.outputs).slice(0, 500) : undefined);
  details.append(h, dl);
  for (const a of [...cell.attempts].reverse()) {
    const b = document.createElement('button');
    b.className = 'log';
    b.dataset.try = String(a.try);
    b.textContent = `Open log · try ${a.try} · ${a.state.replace('_', ' ')}${a.exitCode !== undefined ? ` · exit ${a.exitCode}` : ''}`;
    details.append(b);
  }
}

function select(r: number, c: number): void {
  const row = visibleRows(rows, closed)[r];
  const run = runs[c];
  if (!row || !run) return;
  cursor = { r, c };
  selected = { row: row.id, run: run.runId };
  for (const b of table.querySelectorAll('td.cell.selected')) b.classList.remove('selected');
  cellAt(r, c)?.classList.add('selected');
  renderDetails();
}

/** Whether the run at column c has a record of the visible row r (a cell to stand on). */
function hasCell(r: number, c: number): boolean {
  const row = visibleRows(rows, closed)[r];
  const run = runs[c];
  return !!row && !!run && cellOf(run, row.id) !== undefined;
}

/** Moves the keyboard by rows and columns; a run with no record of that task is stepped over. */
function moveBy(dr: number, dc: number): void {
  const count = visibleRows(rows, closed).length;
  let r = cursor.r;
  let c = cursor.c;
  for (;;) {
    r += dr;
    c += dc;
    if (r < 0 || c < 0 || r >= count || c >= runs.length) return;
    if (hasCell(r, c)) return focusCell(r, c);
  }
}

/** Focuses a cell, scrolling its row into view first when it is not drawn. */
function focusCell(r: number, c: number): void {
  cellAt(cursor.r, cursor.c)?.setAttribute('tabindex', '-1');
  cursor = { r, c };
  const head = table.tHead?.offsetHeight ?? 80;
  const top = head + r * ROW_HEIGHT;
  if (top < wrap.scrollTop + head || top + ROW_HEIGHT > wrap.scrollTop + wrap.clientHeight) {
    wrap.scrollTop = Math.max(0, top - head - Math.floor(wrap.clientHeight / 3));
    renderGridOnly();
  }
  const target = cellAt(r, c);
  target?.setAttribute('tabindex', '0');
  target?.focus();
}

/** The first (or last) cell of the current row. */
function rowEnd(last: boolean): void {
  const cols = runs.map((_, c) => c).filter((c) => hasCell(cursor.r, c));
  const c = last ? cols.at(-1) : cols[0];
  if (c !== undefined) focusCell(cursor.r, c);
}

table.addEventListener('click', (ev) => {
  const t = (ev.target as Element).closest<HTMLElement>('button, td.cell');
  if (!t) return;
  if (t.dataset.toggle !== undefined) {
    const id = t.dataset.toggle;
    if (closed.has(id)) closed.delete(id);
    else closed.add(id);
    render();
  } else if (t.classList.contains('cell')) select(Number(t.dataset.row), Number(t.dataset.col));
  else if (t.classList.contains('run')) selectRunAt(Number(t.dataset.col));
});

function selectRunAt(c: number): void {
  const run = runs[c];
  if (!run) return;
  selectedRun = run.runId;
  post({ type: 'selectRun', runId: run.runId });
  render();
}

table.addEventListener('keydown', (ev) => {
  const t = ev.target as HTMLElement;
  if (!t.classList.contains('cell')) return;
  const { r, c } = cursor;
  const keys: Record<string, () => void> = {
    ArrowDown: () => moveBy(1, 0),
    ArrowUp: () => moveBy(-1, 0),
    ArrowRight: () => moveBy(0, 1),
    ArrowLeft: () => moveBy(0, -1),
    Home: () => rowEnd(false),
    End: () => rowEnd(true),
    Enter: () => select(r, c),
    ' ': () => select(r, c),
  };
  const act = keys[ev.key];
  if (!act) return;
  act();
  ev.preventDefault();
});

details.addEventListener('click', (ev) => {
  const b = (ev.target as Element).closest('button.log') as HTMLButtonElement | null;
  if (!b || !selected) return;
  post({ type: 'showLog', runId: selected.run, taskId: selected.row, tryNumber: Number(b.dataset.try) });
});

/** Live runs change many times a second: one drawing per frame at most. */
let pending = false;
function renderSoon(): void {
  if (pending) return;
  pending = true;
  requestAnimationFrame(() => {
    pending = false;
    render();
  });
}

window.addEventListener('message', (ev: MessageEvent<unknown>) => {
  const msg = ev.data;
  if (!isHistoryMessage(msg)) {
    console.warn('Container DAGs history: dropped an unknown message');
    return;
  }
  handle(msg);
});

function handle(msg: HostToHistory): void {
  if (msg.type === 'history') {
    dag = msg.dag;
    rows = msg.rows;
    edges = msg.edges;
    runs = [...msg.runs];
    limit = msg.limit;
    limitSelect.value = String(limit);
    for (const r of rows)
      if (r.mapped && !seenMapped.has(r.id)) {
        seenMapped.add(r.id);
        closed.add(r.id);
      }
    render();
    return;
  }
  const i = runs.findIndex((r) => r.runId === msg.run.runId);
  if (i >= 0) runs[i] = msg.run;
  else {
    runs.push(msg.run);
    if (runs.length > limit) runs.shift();
  }
  renderSoon();
}

post({ type: 'ready' });
