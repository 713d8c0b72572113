import * as vscode from 'vscode';
import type { BackendKind } from '../../protocol/runRecord';
import { renderedSpec } from '../../runner/renderedSpec';
import type { AnalysisCache } from '../language/analysisCache';

/** Shows what a run would submit for a task: the container create body or the pod manifest, secrets masked. */
export async function showRenderedSpec(cache: AnalysisCache): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor || editor.document.languageId !== 'container-dag') {
    void vscode.window.showWarningMessage('Open a .dag.yaml file first.');
    return;
  }
  const analysis = cache.get(editor.document);
  if (!analysis.dag || analysis.hasErrors) {
    void vscode.window.showErrorMessage('This DAG has errors; fix them (see Problems) before rendering a task.');
    return;
  }
  const dag = analysis.dag;
  const pick = await vscode.window.showQuickPick(
    dag.tasks.map((t) => ({ label: t.id, description: t.image })),
    { placeHolder: 'Task to render' },
  );
  if (!pick) return;
  const backend = await vscode.window.showQuickPick(['docker', 'kubernetes'], { placeHolder: 'Backend' });
  if (!backend) return;
  // The same function as `cdag render`, with the environment a run from this window renders with.
  const spec = renderedSpec(dag, pick.label, backend as BackendKind, { env: process.env });
  if (!spec) return;
  if (!spec.succeeded) {
    void vscode.window.showErrorMessage(spec.error);
    return;
  }
  const doc = await vscode.workspace.openTextDocument({
    language: 'json',
    content: JSON.stringify(spec.result, null, 2),
  });
  await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true });
}
