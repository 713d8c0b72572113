import ELK from 'elkjs/lib/elk.bundled.js';
import { join } from 'node:path';
import { toElkGraph } from '../src/graph/layout';
import { GraphPage, generatedGraph } from '../test/support/graphPage';
import { fmt, median } from './stats';

export interface GraphBench {
  tasks: number;
  /** Graph message → drawing complete, warm worker, median of `rounds`. */
  renderMs: number;
  /** The same, for the very first graph a freshly opened page draws. */
  coldMs: number;
  /** elkjs alone (layout of the same graph in this process): the baseline. */
  elkMs: number;
  ratio: number;
  /** Longest main-thread task during the renders (the Long Tasks API reports those over 50 ms). */
  longestTaskMs: number;
}

const SIZES: Array<[number, number]> = [
  [50, 7],
  [500, 5],
  [2000, 3],
  // Past LARGE_GRAPH_NODES: the plain layered layout (issue 18 asks for a usable view in <= 3 s).
  [10000, 1],
];

/** Layout + first render in headless Chromium (the real page and worker), per size. */
export async function benchGraph(root: string): Promise<GraphBench[]> {
  const out: GraphBench[] = [];
  const elk = new ELK();
  for (const [tasks, rounds] of SIZES) {
    const page = await GraphPage.open('dark', { width: 1200, height: 800 }, join(root, 'dist'));
    try {
      const cold = await page.graph(generatedGraph(tasks, 1));
      await page.longTasks();
      const times: number[] = [];
      const long: number[] = [];
      const elkTimes: number[] = [];
      for (let i = 0; i < rounds; i++) {
        // A different graph of the same size each round, so every round lays out again.
        const g = generatedGraph(tasks, 100 + i);
        const r = await page.graph(g);
        times.push(r!.totalMs);
        long.push(...(await page.longTasks()));
        const t0 = performance.now();
        await elk.layout(toElkGraph(g, 'RIGHT'));
        elkTimes.push(performance.now() - t0);
      }
      const renderMs = median(times);
      const elkMs = median(elkTimes);
      out.push({
        tasks,
        renderMs,
        coldMs: cold!.totalMs,
        elkMs,
        ratio: renderMs / elkMs,
        longestTaskMs: long.length ? Math.max(...long) : 0,
      });
    } finally {
      await page.close();
    }
  }
  return out;
}

export function printGraph(results: readonly GraphBench[]): string[] {
  return [
    'graph (headless Chromium: graph message → layout in the worker → drawing complete; baseline elkjs alone in Node):',
    ...results.map(
      (r) =>
        `  ${String(r.tasks).padStart(5)} tasks: ${fmt(r.renderMs)} ms (first graph of a fresh page ${fmt(r.coldMs)} ms) vs elkjs alone ${fmt(r.elkMs)} ms = ${r.ratio.toFixed(2)}x; longest main-thread task ${r.longestTaskMs ? `${fmt(r.longestTaskMs)} ms` : '< 50 ms'}`,
    ),
  ];
}
