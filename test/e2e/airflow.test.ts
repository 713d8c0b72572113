import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './codeServer';
import { workbenchSession } from './session';

const BOOK = readFileSync(join(ROOT, 'test', 'fixtures', 'airflow', '01_docker.py'), 'utf8');

describe('Airflow DAG files in the editor', function () {
  this.timeout(180_000);
  const s = workbenchSession(undefined, { extraFiles: { 'movielens_docker.py': BOOK } });

  it('opens an Airflow DAG as a new Container DAG document, with what was not translated in Problems on its Python line', async () => {
    await s.wb.openFile('movielens_docker.py');
    await s.wb.command('Container DAGs: Open Airflow DAG as Container DAG');
    await s.wb.page.locator('.tab.active', { hasText: '01_docker.dag.yaml' }).waitFor({ timeout: 60_000 });
    await s.wb.page.locator('.monaco-editor .view-lines', { hasText: 'dag: 01_docker' }).first().waitFor();
    // The fidelity summary, as `cdag import --report` ends it, with the whole report a click away.
    const toast = s.wb.page.locator('.notification-toast', { hasText: /\d+ of \d+ arguments carried/ });
    await toast.first().waitFor({ timeout: 30_000 });
    await toast.first().locator('.monaco-button', { hasText: 'Show Report' }).click();
    await s.wb.page
      .locator('.monaco-editor .view-lines', { hasText: 'fetch_ratings (DockerOperator, line' })
      .first()
      .waitFor({ timeout: 30_000 });
    await s.wb.page.locator('#status\\.problems, .statusbar-item[id="status.problems"]').first().click();
    const row = s.wb.page.locator('.markers-panel .monaco-list-row', { hasText: 'MOVIELENS_PASSWORD' });
    await row.first().waitFor({ timeout: 60_000 });
    assert.match(await row.first().innerText(), /\[Ln 31, Col 13\]|31/);
    await s.wb.screenshot('14-airflow-import');
  });

  it('previews the Airflow file’s graph through the import, read-only', async () => {
    await s.wb.openFile('movielens_docker.py');
    await s.wb.command('Container DAGs: Preview Airflow DAG as Graph');
    const frame = await s.wb.graphFrame();
    const ids = await frame.locator('svg#graph g.node').evaluateAll((gs) => gs.map((g) => g.getAttribute('data-task')));
    assert.deepEqual(ids.sort(), ['fetch_ratings', 'rank_movies']);
    assert.equal(await frame.locator('svg#graph path.edge').count(), 1);
    const run = frame.locator('vscode-button#run');
    assert.equal(await run.evaluate((b) => (b as unknown as { disabled: boolean }).disabled), true);
    assert.match((await run.getAttribute('title')) ?? '', /preview of an Airflow DAG/);
    await s.wb.screenshot('15-airflow-graph-preview');
  });

  it('exports the open DAG file to Airflow (chosen operator) and to Argo as new documents beside it', async () => {
    await s.wb.openFile('pipeline.dag.yaml');
    await s.wb.command('Container DAGs: Export DAG to Airflow…');
    await s.wb.page.locator('.quick-input-list .monaco-list-row', { hasText: 'KubernetesPodOperator' }).click();
    await s.wb.page.locator('.tab.active', { hasText: '.py' }).waitFor({ timeout: 30_000 });
    await s.wb.page
      .locator('.monaco-editor .view-lines', { hasText: 'KubernetesPodOperator' })
      .first()
      .waitFor({ timeout: 30_000 });
    await s.wb.openFile('pipeline.dag.yaml');
    await s.wb.command('Container DAGs: Export DAG to Argo Workflows');
    await s.wb.page.locator('.tab.active', { hasText: '.argo.yaml' }).waitFor({ timeout: 30_000 });
    await s.wb.page
      .locator('.monaco-editor .view-lines', { hasText: 'apiVersion: argoproj.io/v1alpha1' })
      .first()
      .waitFor();
    await s.wb.screenshot('16-argo-export');
  });
});
