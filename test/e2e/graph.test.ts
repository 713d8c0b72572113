import assert from 'node:assert/strict';
import type { Frame } from 'playwright-core';
import { workbenchSession } from './session';

describe('the DAG graph beside the editor', function () {
  this.timeout(180_000);
  const s = workbenchSession();

  /** The graph page runs in nested iframes (the webview host, then the page). */
  async function graphFrame(): Promise<Frame> {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      for (const f of s.wb.page.frames()) {
        if (
          (await f
            .locator('svg#graph g.node')
            .count()
            .catch(() => 0)) > 0
        )
          return f;
      }
      await s.wb.page.waitForTimeout(250);
    }
    throw new Error('the graph page did not draw any node');
  }

  it('opens from the CodeLens with a node per task, and clicking a node moves the cursor to the task', async () => {
    await s.wb.openFile('pipeline.dag.yaml');
    const lens = s.wb.page.locator('.codelens-decoration a', { hasText: 'Show graph' }).first();
    try {
      await lens.waitFor({ timeout: 60_000 });
    } finally {
      await s.wb.screenshot('8a-before-show-graph');
    }
    await lens.click();
    const frame = await graphFrame();
    const ids = await frame.locator('svg#graph g.node').evaluateAll((gs) => gs.map((g) => g.getAttribute('data-task')));
    assert.deepEqual(ids.sort(), ['fetch_ratings', 'rank_movies', 'report']);
    assert.equal(await frame.locator('svg#graph path.edge').count(), 1);
    await s.wb.screenshot('8-graph-beside-editor');
    await frame.locator('g.node[data-task="report"]').click();
    await s.wb.page.locator('.statusbar-item', { hasText: 'Ln 12,' }).waitFor({ timeout: 30_000 });
    await s.wb.screenshot('9-graph-click-reveals-task');
  });
});
