import * as vscode from 'vscode';
import type { DiagnosticsController } from '../language/diagnostics';

/** Validates the active DAG now (no debounce) and reveals the Problems panel. */
export async function validateFileCommand(diagnostics: DiagnosticsController): Promise<void> {
  const doc = vscode.window.activeTextEditor?.document;
  if (!doc || doc.languageId !== 'container-dag') {
    void vscode.window.showWarningMessage('Open a .dag.yaml file first.');
    return;
  }
  await diagnostics.validate(doc);
  await vscode.commands.executeCommand('workbench.actions.view.problems');
}
