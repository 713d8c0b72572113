import type { HistoryCell, HistoryRow, HistoryRun } from '../../src/protocol/historyMessages';
import { STATE_ICONS } from '../../src/graph/stateIcons';
import { own } from '../../src/util/dict';

export interface GridInput {
  readonly rows: readonly HistoryRow[];
  readonly runs: readonly HistoryRun[];
  /** Rows folded away: a group's or a mapped task's. */
  readonly closed: ReadonlySet<string>;
  readonly selected?: { readonly row: string; readonly run: string };
  readonly selectedRun?: string;
  /** The visible rows drawn: `first` up to (not including) `last`. */
  readonly window: { readonly first: number; readonly last: number };
}

/** Every row is this tall (the stylesheet says so too), so a scroll position is a row index. */
export const ROW_HEIGHT = 20;

const el = <K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  // Text goes in as text, never parsed as markup: ids come from someone else's DAG file.
  if (text !== undefined) e.textContent = text;
  return e;
};

export const cellOf = (run: HistoryRun, row: string): HistoryCell | undefined => own(run.cells, row);

/** How long a cell's last attempt ran, in ms. */
export function durationOf(c: HistoryCell | undefined): number | undefined {
  const a = c?.attempts.at(-1);
  if (!a?.startedAt || !a.endedAt) return undefined;
  return Date.parse(a.endedAt) - Date.parse(a.startedAt);
}

export function formatMs(ms: number | undefined): string {
  if (ms === undefined || Number.isNaN(ms)) return '';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const m = Math.floor(ms / 60_000);
  return m < 60 ? `${m}m ${Math.round((ms % 60_000) / 1000)}s` : `${Math.floor(m / 60)}h ${m % 60}m`;
}

/** The rows shown: those whose group and mapped task are open. */
export function visibleRows(rows: readonly HistoryRow[], closed: ReadonlySet<string>): HistoryRow[] {
  const byId = new Map(rows.map((r) => [r.id, r]));
  const shown = (r: HistoryRow): boolean => {
    for (let p = r.parent; p !== undefined; p = byId.get(p)?.parent) if (closed.has(p)) return false;
    return true;
  };
  return rows.filter(shown);
}

/**
 * A task's duration over the runs as a small line, so a task that is getting slower stands out: its
 * newest point is marked when it is over 1.5 times the median of the others.
 */
function trend(runs: readonly HistoryRun[], row: string): SVGSVGElement | undefined {
  const points = runs.map((r) => durationOf(cellOf(r, row)));
  const known = points.filter((p): p is number => p !== undefined);
  if (known.length < 2) return undefined;
  const max = Math.max(...known, 1);
  const w = 48;
  const h = 12;
  const step = points.length > 1 ? w / (points.length - 1) : w;
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('class', 'trend');
  svg.setAttribute('width', String(w + 4));
  svg.setAttribute('height', String(h + 4));
  let d = '';
  points.forEach((p, i) => {
    if (p === undefined) return;
    d += `${d ? 'L' : 'M'}${(2 + i * step).toFixed(1)} ${(2 + h - (p / max) * h).toFixed(1)}`;
  });
  const path = document.createElementNS('http://www.w3.org/2000/svg', 'path');
  path.setAttribute('d', d);
  svg.append(path);
  const last = points.at(-1);
  const others = known.slice(0, -1).sort((a, b) => a - b);
  const median = others[Math.floor(others.length / 2)] ?? 0;
  if (last !== undefined && median > 0 && last > 1.5 * median) {
    svg.classList.add('slower');
    const title = document.createElementNS('http://www.w3.org/2000/svg', 'title');
    title.textContent = `slower: ${formatMs(last)} against a median of ${formatMs(median)}`;
    svg.append(title);
  }
  return svg;
}

const runLabel = (r: HistoryRun) =>
  `${r.logicalDate.slice(0, 10)} · ${r.interrupted ? 'interrupted' : r.state} · ${r.backend}${r.startedAt && r.endedAt ? ` · ${formatMs(Date.parse(r.endedAt) - Date.parse(r.startedAt))}` : ''}`;

/** The grid as a table: a column per run (newest right, a bar for its duration), a row per task. */
export function renderGrid(table: HTMLTableElement, input: GridInput): void {
  const { runs } = input;
  const rows = visibleRows(input.rows, input.closed);
  const longest = Math.max(
    1,
    ...runs.map((r) => (r.startedAt && r.endedAt ? Date.parse(r.endedAt) - Date.parse(r.startedAt) : 0)),
  );
  const head = el('thead');
  const hr = el('tr');
  hr.append(el('th', 'corner', `${rows.length} rows · ${runs.length} runs`));
  runs.forEach((r, c) => {
    const th = el('th', 'run-head');
    const b = el('button', `run state-${r.interrupted ? 'interrupted' : r.state}`);
    b.dataset.col = String(c);
    b.title = runLabel(r);
    b.setAttribute('aria-label', `Run ${runLabel(r)}`);
    b.setAttribute('aria-pressed', String(r.runId === input.selectedRun));
    const ms = r.startedAt && r.endedAt ? Date.parse(r.endedAt) - Date.parse(r.startedAt) : longest;
    const bar = el('span', 'bar');
    bar.style.height = `${Math.max(3, Math.round((ms / longest) * 40))}px`;
    b.append(bar, el('span', 'date', r.logicalDate.slice(5, 10)));
    th.append(b);
    hr.append(th);
  });
  head.append(hr);
  const body = el('tbody');
  // Only the rows in view (and a few around) are in the page: 100 runs × 200 tasks is 20,000 cells,
  // more than a browser lays out in a frame; spacers keep the scroll height of the whole grid.
  const first = Math.max(0, Math.min(input.window.first, rows.length));
  const last = Math.max(first, Math.min(input.window.last, rows.length));
  const spacer = (n: number) => {
    const tr = el('tr', 'spacer');
    tr.style.height = `${n * ROW_HEIGHT}px`;
    tr.setAttribute('aria-hidden', 'true');
    return tr;
  };
  if (first > 0) body.append(spacer(first));
  for (let ri = first; ri < last; ri++) {
    const row = rows[ri]!;
    const tr = el('tr', `row-${row.kind}`);
    tr.setAttribute('aria-rowindex', String(ri + 2));
    const th = el('th', 'row-head');
    th.style.paddingLeft = `${4 + row.depth * 14}px`;
    if (row.kind === 'group' || row.mapped) {
      const t = el('button', 'toggle', input.closed.has(row.id) ? '▸' : '▾');
      t.dataset.toggle = row.id;
      t.setAttribute('aria-label', `${input.closed.has(row.id) ? 'Open' : 'Fold'} ${row.id}`);
      t.setAttribute('aria-expanded', String(!input.closed.has(row.id)));
      th.append(t);
    }
    th.append(el('span', 'label', row.label));
    th.title = row.id;
    if (row.kind !== 'group') {
      const line = trend(runs, row.id);
      if (line) th.append(line);
    }
    tr.append(th);
    runs.forEach((run, c) => {
      const cell = cellOf(run, row.id);
      if (!cell) {
        tr.append(el('td', 'none'));
        return;
      }
      // The cell itself takes the focus (an ARIA grid), lighter than a button in each of thousands.
      const td = el('td', `cell state-${cell.state}`, STATE_ICONS[cell.state] ?? '');
      td.dataset.row = String(ri);
      td.dataset.col = String(c);
      td.tabIndex = -1;
      td.setAttribute('role', 'gridcell');
      if (input.selected?.row === row.id && input.selected.run === run.runId) td.classList.add('selected');
      td.setAttribute(
        'aria-label',
        `${row.id} · ${run.logicalDate.slice(0, 10)} · ${cell.state.replace('_', ' ')}${cell.tries > 1 ? ` · try ${cell.tries}` : ''}`,
      );
      tr.append(td);
    });
    body.append(tr);
  }
  if (last < rows.length) body.append(spacer(rows.length - last));
  table.setAttribute('role', 'grid');
  table.setAttribute('aria-rowcount', String(rows.length + 1));
  table.replaceChildren(head, body);
}
