import { join } from 'node:path';
import { largeHistory } from '../test/support/historyFixtures';
import { HistoryPage } from '../test/support/historyPage';
import { fmt, median } from './stats';

export interface HistoryBench {
  runs: number;
  tasks: number;
  /** History message → grid, details and Gantt drawn (the page's own measure), median of the rounds. */
  renderMs: number;
  /** The first grid of a freshly opened page. */
  coldMs: number;
  /** Baseline: the browser building a bare table of every cell (runs × tasks) from HTML text, in the same page. */
  bareMs: number;
  ratio: number;
  longestTaskMs: number;
}

/** The History grid at its largest (100 runs × 200 tasks) in headless Chromium, the real page. */
export async function benchHistory(root: string, runs = 100, tasks = 200, rounds = 5): Promise<HistoryBench> {
  const page = await HistoryPage.open('dark', { width: 1400, height: 900 }, join(root, 'dist'));
  try {
    const cold = await page.send(largeHistory(runs, tasks));
    await page.longTasks();
    const times: number[] = [];
    const bare: number[] = [];
    const long: number[] = [];
    for (let i = 0; i < rounds; i++) {
      // The baseline's own long task (a whole table at once) is not the page's.
      await page.longTasks();
      times.push((await page.send(largeHistory(runs, tasks))).ms);
      // Long tasks are reported after they end: give the observer a frame.
      await page.page.waitForTimeout(50);
      long.push(...(await page.longTasks()));
      bare.push(
        await page.page.evaluate(
          ([r, t]: number[]) => {
            const doc = (
              globalThis as unknown as {
                document: {
                  createElement(t: string): { innerHTML: string } & object;
                  body: { append(e: object): void; removeChild(e: object): void };
                };
              }
            ).document;
            const started = performance.now();
            const host = doc.createElement('div');
            const row = `<tr><th>task</th>${'<td class="cell">✔</td>'.repeat(r ?? 0)}</tr>`;
            host.innerHTML = `<table>${row.repeat(t ?? 0)}</table>`;
            doc.body.append(host);
            // Reading the height makes the browser lay the table out, as the page's drawing does.
            const height = (host as unknown as { offsetHeight: number }).offsetHeight;
            const ms = performance.now() - started + height * 0;
            doc.body.removeChild(host);
            return ms;
          },
          [runs, tasks],
        ),
      );
    }
    const renderMs = median(times);
    const bareMs = median(bare);
    return {
      runs,
      tasks,
      renderMs,
      coldMs: cold.ms,
      bareMs,
      ratio: renderMs / bareMs,
      longestTaskMs: long.length ? Math.max(...long) : 0,
    };
  } finally {
    await page.close();
  }
}

export function printHistory(r: HistoryBench): string[] {
  return [
    'history grid (headless Chromium: history message → grid, details and Gantt drawn; baseline the whole table of cells as bare HTML):',
    `  ${r.runs} runs × ${r.tasks} tasks: ${fmt(r.renderMs)} ms (first grid of a fresh page ${fmt(r.coldMs)} ms) vs bare table ${fmt(r.bareMs)} ms = ${r.ratio.toFixed(2)}x; longest main-thread task ${r.longestTaskMs ? `${fmt(r.longestTaskMs)} ms` : '< 50 ms'}`,
  ];
}
