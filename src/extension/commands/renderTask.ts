import * as vscode from 'vscode';
import { latestCompleteInterval } from '../../dag/schedule';
import { containerCreateBody } from '../../runner/docker/containerSpec';
import { podManifest } from '../../runner/kubernetes/podSpec';
import { makeRunId, renderTask } from '../../runner/renderTask';
import type { AnalysisCache } from '../language/analysisCache';

/** Shows what a run would submit for a task: the container create body or the pod manifest, secrets masked. */
export async function renderTaskCommand(cache: AnalysisCache): Promise<void> {
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
  const task = dag.tasks.find((t) => t.id === pick.label)!;
  const interval = latestCompleteInterval(dag.schedule, new Date());
  const runId = makeRunId('manual', interval.start);
  const rendered = renderTask(dag, task, { runId, tryNumber: 1, interval });
  if (!rendered.succeeded) {
    void vscode.window.showErrorMessage(rendered.error);
    return;
  }
  const masked = Object.fromEntries(Object.keys(task.secrets).map((k) => [k, '***']));
  const spec =
    backend === 'kubernetes'
      ? podManifest(dag, rendered.result, runId, 1)
      : containerCreateBody(dag, rendered.result, runId, 1, masked);
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
