import { chromium, type Browser, type Page } from 'playwright-core';

/** What the init script records in a page: CSP violations, and main-thread tasks over 50 ms. */
interface Watched {
  __long: number[];
  __csp?: string[];
  PerformanceObserver: new (cb: (list: { getEntries(): Array<{ duration: number }> }) => void) => {
    observe(o: { type: string; buffered: boolean }): void;
  };
  document: {
    addEventListener(type: string, l: (e: { violatedDirective: string; blockedURI: string }) => void): void;
  };
}

/**
 * Headless Chromium with a page that records what a webview test asserts on: every CSP violation
 * (`__csp`) and the main-thread tasks the Long Tasks API reports (`__long`, for the benchmarks).
 */
export async function watchedPage(size: { width: number; height: number }): Promise<{ browser: Browser; page: Page }> {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu'],
  });
  const page = await browser.newPage({ viewport: size });
  await page.addInitScript(() => {
    const w = globalThis as unknown as Watched;
    w.document.addEventListener('securitypolicyviolation', (e) => {
      (w.__csp ??= []).push(`${e.violatedDirective} ${e.blockedURI}`);
    });
    w.__long = [];
    new w.PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.__long.push(e.duration);
    }).observe({ type: 'longtask', buffered: true });
  });
  return { browser, page };
}
