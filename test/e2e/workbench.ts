import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Frame, type Locator, type Page } from 'playwright-core';
import { ARTIFACTS } from './codeServer';

/** A user at the keyboard of the VS Code workbench in headless Chromium. */
export class Workbench {
  private constructor(
    private readonly browser: Browser,
    readonly page: Page,
  ) {}

  static async open(url: string): Promise<Workbench> {
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    const page = await browser.newPage({ viewport: { width: 1400, height: 850 } });
    await page.goto(url);
    await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
    await page.waitForSelector('.explorer-folders-view, .explorer-viewlet', { timeout: 60_000 });
    return new Workbench(browser, page);
  }

  /** The graph page, once it has drawn (a node, or the given task's): it runs in nested iframes (the webview host, then the page). */
  async graphFrame(task?: string): Promise<Frame> {
    return this.frameWith(task ? `svg#graph g.node[data-task="${task}"]` : 'svg#graph g.node');
  }

  /** The first frame (a webview's page) where the selector matches, once it does. */
  async frameWith(selector: string, timeout = 60_000): Promise<Frame> {
    const deadline = Date.now() + timeout;
    while (Date.now() < deadline) {
      for (const f of this.page.frames()) {
        const n = await f
          .locator(selector)
          .count()
          .catch(() => 0);
        if (n > 0) return f;
      }
      await this.page.waitForTimeout(250);
    }
    throw new Error(`no page shows ${selector}`);
  }

  /**
   * Opens the Command Palette (F1). A webview (the graph, the History) or the walkthrough keeps the
   * keyboard when it has the focus: then the workbench gets it back first, by the active tab.
   */
  private async palette(): Promise<Locator> {
    await this.page.keyboard.press('F1');
    const input = this.page.locator('.quick-input-widget input');
    try {
      await input.waitFor({ state: 'visible', timeout: 3_000 });
    } catch {
      await this.page.locator('.part.editor .tab.active').first().click();
      await this.page.keyboard.press('F1');
      await input.waitFor({ state: 'visible' });
    }
    return input;
  }

  /**
   * The palette, filled with `text`. A webview that takes the focus as it finishes drawing closes
   * the palette on its way (Quick Input hides on blur): then it is opened again.
   */
  private async paletteWith(text: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const input = await this.palette();
      try {
        await input.fill(text, { timeout: attempt < 3 ? 5_000 : 30_000 });
        return;
      } catch (e) {
        if (attempt >= 3) throw e;
      }
    }
  }

  /** Runs a command by its title from the Command Palette (F1), as a user would. */
  async command(title: string): Promise<void> {
    await this.paletteWith(`>${title}`);
    await this.page.locator('.quick-input-list .monaco-list-row').first().waitFor();
    await this.page.waitForTimeout(200);
    await this.page.keyboard.press('Enter');
  }

  /** Quick Open a file by name. */
  async openFile(name: string): Promise<void> {
    await this.paletteWith(name);
    await this.page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor();
    await this.page.keyboard.press('Enter');
    await this.page.locator('.tab.active', { hasText: name }).waitFor();
    await this.page.waitForSelector('.monaco-editor .view-lines');
  }

  /** Moves the cursor to a 1-based line and column through Quick Open's `:line:col`. */
  async goTo(line: number, column: number): Promise<void> {
    await this.page.keyboard.press('F1');
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill(`:${line}:${column}`);
    await this.page.waitForTimeout(150);
    await this.page.keyboard.press('Enter');
    await input.waitFor({ state: 'hidden' });
  }

  /** The CodeLens "Run DAG" (or another lens) above the file of the active editor group, once it is there. */
  async codeLens(title: string): Promise<Locator> {
    const lens = this.page.locator('.editor-group-container.active .codelens-decoration a', { hasText: title }).first();
    await lens.waitFor({ timeout: 60_000 });
    return lens;
  }

  /**
   * A view of the home (DAGs, DAG Runs, Pods), shown and expanded: by the activity bar's icon, as a user
   * would (a click on the icon of the side bar already shown would hide it, so it is clicked only when
   * the view is not there), else by its Focus command.
   */
  async showView(name: string, timeout = 30_000): Promise<Locator> {
    const header = this.page.locator('.sidebar .pane-header', {
      has: this.page.locator('.title', { hasText: new RegExp(`^${name}$`, 'i') }),
    });
    const icon = this.page
      .locator(
        '.activitybar .action-item a[aria-label^="Container DAGs"], .activitybar .action-item[aria-label^="Container DAGs"]',
      )
      .first();
    const deadline = Date.now() + timeout;
    for (let i = 0; !(await header.isVisible()); i++) {
      if (Date.now() > deadline) throw new Error(`the ${name} view did not show`);
      if (i % 2 === 0 && (await icon.isVisible())) await icon.click();
      else await this.command(`Focus on ${name} View`).catch(() => undefined);
      await header.waitFor({ timeout: 5_000 }).catch(() => undefined);
    }
    if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
    return header;
  }

  /** The DAG Runs view of the home, expanded. */
  async showRuns(timeout = 30_000): Promise<Locator> {
    return this.showView('DAG Runs', timeout);
  }

  /**
   * Opens the walkthrough once and closes it. VS Code ticks a step when its context key first turns
   * true in a window, and only if the walkthrough was shown in that window before (as it is on
   * install); a key that turned true earlier never ticks it in that window.
   */
  async visitWalkthrough(): Promise<void> {
    await this.command('Get Started with Container DAGs');
    await this.page.locator('button.getting-started-step').first().waitFor({ timeout: 30_000 });
    await this.page.locator('.tab.active .tab-actions .action-label').first().click();
  }

  /** Opens the walkthrough (unless shown) and waits for one of its steps to be checked; false if it is not. */
  async walkthroughStepTicked(step: string): Promise<boolean> {
    const box = this.page.locator(`button.getting-started-step[data-step-id$="${step}"]`).first();
    if (!(await box.isVisible())) {
      await this.command('Get Started with Container DAGs');
      await box.waitFor({ timeout: 30_000 });
    }
    for (let i = 0; i < 40 && (await box.getAttribute('aria-checked')) !== 'true'; i++)
      await this.page.waitForTimeout(250);
    const done = (await box.getAttribute('aria-checked')) === 'true';
    if (!done) await this.screenshot(`walkthrough-step-${step}-not-ticked`);
    return done;
  }

  async screenshot(name: string): Promise<string> {
    mkdirSync(ARTIFACTS, { recursive: true });
    const path = join(ARTIFACTS, `${name}.png`);
    await this.page.screenshot({ path });
    return path;
  }

  async close(): Promise<void> {
    await this.browser.close();
  }
}
