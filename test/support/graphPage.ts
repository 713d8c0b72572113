import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { watchedPage } from './watchedPage';
import type { DagGraph } from '../../src/dag/graph';
import { graphHtml } from '../../src/extension/graph/graphHtml';
import type { HostToPage, PageToHost } from '../../src/protocol/graphMessages';

const DIST = resolve(__dirname, '..', '..', 'dist');

/**
 * The page's globals a test touches, typed here: the tests compile without the DOM library (only
 * webview/ does), and these bodies run in the browser, not in Node.
 */
interface PageEl {
  getAttribute(name: string): string | null;
  querySelector(selector: string): PageEl | null;
  textContent: string | null;
}
interface PageWindow {
  __posted: PageToHost[];
  __long: number[];
  __csp?: string[];
  postMessage(m: unknown, origin: string): void;
  addEventListener(type: string, listener: (e: { detail: unknown }) => void, o?: { once: boolean }): void;
}

/** A node as drawn, in layout coordinates: its `translate` and its first `<rect>`. */
export interface DrawnNode {
  id: string;
  x: number;
  y: number;
  width: number;
  height: number;
  classes: string;
  icon: string;
  title: string;
}

export interface DrawnEdge {
  from: string;
  to: string;
  d: string;
}

/**
 * A few of each theme's colours, as VS Code sets them on a webview (the values of Light+, Dark+ and
 * High Contrast); enough for the graph's nodes, edges and states to be told apart in a screenshot.
 */
export const THEMES: Record<'light' | 'dark' | 'high-contrast', Record<string, string>> = {
  light: {
    'settings-textInputBackground': '#ffffff',
    'settings-textInputForeground': '#3b3b3b',
    'settings-textInputBorder': '#cecece',
    'settings-dropdownBackground': '#ffffff',
    'settings-dropdownForeground': '#3b3b3b',
    'settings-dropdownBorder': '#cecece',
    'input-background': '#ffffff',
    'input-foreground': '#3b3b3b',
    'input-border': '#cecece',
    'dropdown-background': '#ffffff',
    'dropdown-foreground': '#3b3b3b',
    'dropdown-border': '#cecece',
    'button-background': '#005fb8',
    'button-foreground': '#ffffff',
    'button-secondaryBackground': '#e5e5e5',
    'button-secondaryForeground': '#3b3b3b',
    'editor-background': '#ffffff',
    'editor-foreground': '#3b3b3b',
    foreground: '#3b3b3b',
    'editorWidget-background': '#f8f8f8',
    'editorWidget-border': '#c8c8c8',
    descriptionForeground: '#717171',
    focusBorder: '#005fb8',
    'testing-iconPassed': '#388a34',
    'testing-iconFailed': '#f14c4c',
    'charts-blue': '#1a85ff',
    'charts-yellow': '#bf8803',
    'charts-orange': '#d18616',
    'charts-purple': '#652d90',
    disabledForeground: '#616161',
    'panel-border': '#e5e5e5',
  },
  dark: {
    'settings-textInputBackground': '#313131',
    'settings-textInputForeground': '#cccccc',
    'settings-textInputBorder': '#3c3c3c',
    'settings-dropdownBackground': '#313131',
    'settings-dropdownForeground': '#cccccc',
    'settings-dropdownBorder': '#3c3c3c',
    'input-background': '#313131',
    'input-foreground': '#cccccc',
    'input-border': '#3c3c3c',
    'dropdown-background': '#313131',
    'dropdown-foreground': '#cccccc',
    'dropdown-border': '#3c3c3c',
    'button-background': '#0078d4',
    'button-foreground': '#ffffff',
    'button-secondaryBackground': '#313131',
    'button-secondaryForeground': '#cccccc',
    'editor-background': '#1f1f1f',
    'editor-foreground': '#cccccc',
    foreground: '#cccccc',
    'editorWidget-background': '#202020',
    'editorWidget-border': '#454545',
    descriptionForeground: '#9d9d9d',
    focusBorder: '#0078d4',
    'testing-iconPassed': '#73c991',
    'testing-iconFailed': '#f14c4c',
    'charts-blue': '#3794ff',
    'charts-yellow': '#cca700',
    'charts-orange': '#d18616',
    'charts-purple': '#b180d7',
    disabledForeground: '#cccccc80',
    'panel-border': '#2b2b2b',
  },
  'high-contrast': {
    'settings-textInputBackground': '#000000',
    'settings-textInputForeground': '#ffffff',
    'settings-textInputBorder': '#6fc3df',
    'settings-dropdownBackground': '#000000',
    'settings-dropdownForeground': '#ffffff',
    'settings-dropdownBorder': '#6fc3df',
    'input-background': '#000000',
    'input-foreground': '#ffffff',
    'input-border': '#6fc3df',
    'dropdown-background': '#000000',
    'dropdown-foreground': '#ffffff',
    'dropdown-border': '#6fc3df',
    'button-background': '#000000',
    'button-foreground': '#ffffff',
    'button-border': '#6fc3df',
    'button-secondaryBackground': '#000000',
    'button-secondaryForeground': '#ffffff',
    'editor-background': '#000000',
    'editor-foreground': '#ffffff',
    foreground: '#ffffff',
    'editorWidget-background': '#0c141f',
    'editorWidget-border': '#6fc3df',
    descriptionForeground: '#ffffffb3',
    focusBorder: '#f38518',
    'testing-iconPassed': '#73c991',
    'testing-iconFailed': '#f14c4c',
    'charts-blue': '#3794ff',
    'charts-yellow': '#ffd700',
    'charts-orange': '#ff9c38',
    'charts-purple': '#b180d7',
    disabledForeground: '#a5a5a5',
    'panel-border': '#6fc3df',
  },
};
export type Theme = keyof typeof THEMES;

/**
 * The real page (graphHtml, dist/webview.js, dist/graphWorker.js) served over HTTP to headless
 * Chromium, with what VS Code would provide — acquireVsCodeApi and the theme's variables — and the
 * page's messages to the host recorded.
 */
export class GraphPage {
  private constructor(
    private readonly browser: Browser,
    private readonly server: Server,
    readonly page: Page,
    readonly cspViolations: string[],
  ) {}

  static async open(theme: Theme = 'dark', size = { width: 1000, height: 700 }, dist = DIST): Promise<GraphPage> {
    const nonce = 'testnonce0123456789';
    const server = createServer((req, res) => {
      const name = req.url === '/webview.js' ? 'webview.js' : req.url === '/graphWorker.js' ? 'graphWorker.js' : '';
      if (name) {
        res.writeHead(200, { 'content-type': 'text/javascript' });
        res.end(readFileSync(join(dist, name)));
        return;
      }
      const { port } = server.address() as { port: number };
      const origin = `http://127.0.0.1:${port}`;
      const vars = Object.entries(THEMES[theme])
        .map(([k, v]) => `--vscode-${k}: ${v};`)
        .join(' ');
      const prelude = `<style nonce="${nonce}">html { ${vars} --vscode-font-family: sans-serif; --vscode-font-size: 13px; }</style>
<script nonce="${nonce}">
  window.__posted = [];
  let state;
  window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__posted.push(m), getState: () => state, setState: (s) => (state = s) });
</script>
`;
      const html = graphHtml(
        { scriptUri: `${origin}/webview.js`, workerUri: `${origin}/graphWorker.js`, cspSource: origin, title: 'Graph' },
        nonce,
      ).replace(`<script nonce="${nonce}" src=`, `${prelude}<script nonce="${nonce}" src=`);
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(html);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { browser, page } = await watchedPage(size);
    const violations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to/.test(m.text())) violations.push(m.text());
    });
    const { port } = server.address() as { port: number };
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForFunction(() => (globalThis as unknown as PageWindow).__posted.length > 0);
    return new GraphPage(browser, server, page, violations);
  }

  /** Posts a message as the host would and, for a graph, waits until it is drawn; returns the page's timings. */
  async send(msg: HostToPage): Promise<{ nodes: number; layoutMs: number; totalMs: number } | undefined> {
    // As JSON text, parsed in the page: VS Code serialises messages as JSON too, and Playwright's own
    // argument transfer would turn a `__proto__` key into a prototype.
    const json = JSON.stringify(msg);
    if (msg.type !== 'graph') {
      await this.page.evaluate((m) => (globalThis as unknown as PageWindow).postMessage(JSON.parse(m), '*'), json);
      return undefined;
    }
    return this.page.evaluate(
      (m) =>
        new Promise<{ nodes: number; layoutMs: number; totalMs: number }>((resolve) => {
          const w = globalThis as unknown as PageWindow;
          w.addEventListener(
            'cdag:rendered',
            (e) => resolve(e.detail as { nodes: number; layoutMs: number; totalMs: number }),
            {
              once: true,
            },
          );
          w.postMessage(JSON.parse(m), '*');
        }),
      json,
    );
  }

  graph(graph: DagGraph, error?: string) {
    return this.send({ type: 'graph', uri: 'file:///w/x.dag.yaml', graph, ...(error ? { error } : {}) });
  }

  /** Durations of main-thread tasks over 50 ms since the last call (and clears them). */
  longTasks(): Promise<number[]> {
    return this.page.evaluate(() => {
      const w = globalThis as unknown as PageWindow;
      const out = w.__long;
      w.__long = [];
      return out;
    });
  }

  posted(): Promise<PageToHost[]> {
    return this.page.evaluate(() => (globalThis as unknown as PageWindow).__posted);
  }

  async pageCspViolations(): Promise<string[]> {
    const fromPage = await this.page.evaluate(() => (globalThis as unknown as PageWindow).__csp ?? []);
    return [...fromPage, ...this.cspViolations];
  }

  /** Every node as drawn: position from its transform, size from its first rect. */
  async nodes(): Promise<DrawnNode[]> {
    const raw = await this.page.$$eval('svg#graph g[data-task]', (els) =>
      (els as unknown as PageEl[]).map((g) => {
        const rect = g.querySelector('rect');
        return {
          id: g.getAttribute('data-task') ?? '',
          transform: g.getAttribute('transform') ?? '',
          width: Number(rect?.getAttribute('width')),
          height: Number(rect?.getAttribute('height')),
          classes: g.getAttribute('class') ?? '',
          icon: g.querySelector('text.icon')?.textContent ?? '',
          title: g.querySelector('title')?.textContent ?? '',
        };
      }),
    );
    return raw.map(({ transform, ...n }) => {
      const [x, y] = /translate\(([-\d.]+) ([-\d.]+)\)/.exec(transform)!.slice(1).map(Number) as [number, number];
      return { ...n, x, y };
    });
  }

  edges(): Promise<DrawnEdge[]> {
    return this.page.$$eval('svg#graph path.edge', (els) =>
      (els as unknown as PageEl[]).map((p) => ({
        from: p.getAttribute('data-from') ?? '',
        to: p.getAttribute('data-to') ?? '',
        d: p.getAttribute('d') ?? '',
      })),
    );
  }

  async close(): Promise<void> {
    await this.browser.close();
    await new Promise((r) => this.server.close(r));
  }
}

/** A layered DAG of n tasks: each depends on one or two tasks of the previous ~20, deterministically. */
export function generatedGraph(n: number, seedValue = 42): DagGraph {
  let seed = seedValue;
  const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const nodes = Array.from({ length: n }, (_, i) => ({
    id: `task_${i}`,
    image: `registry.example.com/team/step-${i % 7}:1.${i % 5}`,
    triggerRule: 'all_success',
    retries: 0,
  }));
  const edges: Array<{ from: string; to: string }> = [];
  for (let i = 1; i < n; i++) {
    const k = 1 + Math.floor(rand() * 2);
    const seen = new Set<number>();
    for (let j = 0; j < k; j++) {
      const from = Math.max(0, i - 1 - Math.floor(rand() * Math.min(i, 20)));
      if (seen.has(from)) continue;
      seen.add(from);
      edges.push({ from: `task_${from}`, to: `task_${i}` });
    }
  }
  return { dag: `generated_${n}`, nodes, edges };
}
