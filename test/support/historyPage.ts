import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { watchedPage } from './watchedPage';
import { historyHtml } from '../../src/extension/history/historyHtml';
import type { HostToHistory, PageToHistory } from '../../src/protocol/historyMessages';
import { THEMES, type Theme } from './graphPage';

const DIST = resolve(__dirname, '..', '..', 'dist');

interface PageWindow {
  __posted: PageToHistory[];
  __long: number[];
  __csp?: string[];
  postMessage(m: unknown, origin: string): void;
  addEventListener(type: string, listener: (e: { detail: unknown }) => void, o?: { once: boolean }): void;
}

/**
 * The real History page (historyHtml and dist/history.js) served to headless Chromium with what VS
 * Code provides (acquireVsCodeApi, the theme's variables); its messages to the host are recorded.
 */
export class HistoryPage {
  private constructor(
    private readonly browser: Browser,
    private readonly server: Server,
    readonly page: Page,
  ) {}

  static async open(theme: Theme = 'dark', size = { width: 1100, height: 760 }, dist = DIST): Promise<HistoryPage> {
    const nonce = 'historynonce0123456';
    const server = createServer((req, res) => {
      if (req.url === '/history.js') {
        res.writeHead(200, { 'content-type': 'text/javascript' });
        res.end(readFileSync(join(dist, 'history.js')));
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
  window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__posted.push(m), getState: () => undefined, setState: () => undefined });
</script>
`;
      const html = historyHtml(
        { scriptUri: `${origin}/history.js`, cspSource: origin, title: 'History' },
        nonce,
      ).replace(`<script nonce="${nonce}" src=`, `${prelude}<script nonce="${nonce}" src=`);
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(html);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { browser, page } = await watchedPage(size);
    const { port } = server.address() as { port: number };
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForFunction(() => (globalThis as unknown as PageWindow).__posted.length > 0);
    return new HistoryPage(browser, server, page);
  }

  /** Posts a message as the host would and waits for the drawing; the page's own timing of it. */
  send(msg: HostToHistory): Promise<{ ms: number; cells: number }> {
    // As JSON parsed in the page, as VS Code delivers it (a `__proto__` key stays an own key).
    return this.page.evaluate(
      (m) =>
        new Promise<{ ms: number; cells: number }>((resolve) => {
          const w = globalThis as unknown as PageWindow;
          w.addEventListener('cdag:history-rendered', (e) => resolve(e.detail as { ms: number; cells: number }), {
            once: true,
          });
          w.postMessage(JSON.parse(m), '*');
        }),
      JSON.stringify(msg),
    );
  }

  posted(): Promise<PageToHistory[]> {
    return this.page.evaluate(() => (globalThis as unknown as PageWindow).__posted);
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

  cspViolations(): Promise<string[]> {
    return this.page.evaluate(() => (globalThis as unknown as PageWindow).__csp ?? []);
  }

  async close(): Promise<void> {
    await this.browser.close();
    await new Promise((r) => this.server.close(r));
  }
}
