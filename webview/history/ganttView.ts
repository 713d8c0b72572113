import { ganttOf } from '../../src/graph/gantt';
import type { HistoryRow, HistoryRun } from '../../src/protocol/historyMessages';
import { formatMs } from './grid';

const SVG = 'http://www.w3.org/2000/svg';
const ROW = 18;
const LABEL = 160;

function svgEl(tag: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const e = document.createElementNS(SVG, tag) as SVGElement;
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/**
 * The selected run as Airflow's Gantt: a line per task (and instance) shown in the grid, a bar per
 * attempt — its queued part lighter — retries side by side, the critical path outlined.
 */
export function renderGantt(
  host: HTMLElement,
  run: HistoryRun | undefined,
  rows: readonly HistoryRow[],
  edges: ReadonlyArray<{ readonly from: string; readonly to: string }>,
): void {
  host.replaceChildren();
  if (!run) return;
  const g = ganttOf(run, edges);
  const title = document.createElement('div');
  title.className = 'gantt-title';
  title.textContent = `Gantt · ${run.logicalDate.slice(0, 10)} · ${run.runId} · ${formatMs(g.span)}${g.critical.size ? ` · critical path: ${[...g.critical].reverse().join(' → ')}` : ''}`;
  host.append(title);
  const lines = rows.filter((r) => r.kind !== 'group' && g.bars.some((b) => b.id === r.id));
  if (!lines.length || g.span <= 0) {
    const none = document.createElement('div');
    none.className = 'gantt-empty';
    none.textContent = 'No attempt of this run has started yet.';
    host.append(none);
    return;
  }
  const width = Math.max(320, host.clientWidth - 16);
  const scale = (width - LABEL - 10) / g.span;
  const svg = svgEl('svg', { class: 'gantt', width, height: (lines.length + 1) * ROW + 6, role: 'img' });
  svg.setAttribute('aria-label', `Gantt of run ${run.runId}`);
  for (let i = 0; i <= 4; i++) {
    const x = LABEL + (g.span * i * scale) / 4;
    svg.append(svgEl('line', { class: 'tick', x1: x, x2: x, y1: 0, y2: (lines.length + 1) * ROW }));
    svg.append(svgEl('text', { class: 'tick-label', x: x + 2, y: 12 }, formatMs((g.span * i) / 4) || '0'));
  }
  lines.forEach((row, i) => {
    const y = (i + 1) * ROW;
    svg.append(svgEl('text', { class: 'gantt-label', x: 4 + row.depth * 10, y: y + 12 }, row.label));
    for (const b of g.bars.filter((x) => x.id === row.id)) {
      const critical = g.critical.has(row.id) ? ' critical' : '';
      if (b.start > b.queuedFrom)
        svg.append(
          svgEl('rect', {
            class: 'queued',
            x: LABEL + b.queuedFrom * scale,
            y: y + 3,
            width: Math.max(1, (b.start - b.queuedFrom) * scale),
            height: ROW - 6,
          }),
        );
      const bar = svgEl('rect', {
        class: `attempt state-${b.state}${critical}${b.open ? ' open' : ''}`,
        x: LABEL + b.start * scale,
        y: y + 2,
        width: Math.max(2, (b.end - b.start) * scale),
        height: ROW - 4,
      });
      bar.dataset.task = row.id;
      bar.dataset.try = String(b.try);
      bar.append(
        svgEl(
          'title',
          {},
          `${row.id} · try ${b.try} · ${b.state.replace('_', ' ')} · queued ${formatMs(b.start - b.queuedFrom) || '0 ms'} · ran ${formatMs(b.end - b.start)}${critical ? ' · on the critical path' : ''}`,
        ),
      );
      svg.append(bar);
    }
  });
  host.append(svg);
}
