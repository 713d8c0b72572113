import * as vscode from 'vscode';
import { renderTaskCommand } from './commands/renderTask';
import { validateFileCommand } from './commands/validateFile';
import { AnalysisCache } from './language/analysisCache';
import { DiagnosticsController } from './language/diagnostics';
import { registerLanguageFeatures } from './language/providers';
import { WorkerValidator } from './language/workerValidator';

/** Wiring only: services are built by constructor, features register themselves; nothing runs until used. */
export function activate(context: vscode.ExtensionContext): void {
  const cache = new AnalysisCache();
  const worker = new WorkerValidator(context.asAbsolutePath('dist'));
  const diagnostics = new DiagnosticsController(cache, worker);
  const commands: Record<string, () => unknown> = {
    'containerDags.validateFile': () => validateFileCommand(diagnostics),
    'containerDags.renderTask': () => renderTaskCommand(cache),
  };
  context.subscriptions.push(
    worker,
    diagnostics,
    ...registerLanguageFeatures(cache),
    ...Object.entries(commands).map(([id, run]) => vscode.commands.registerCommand(id, run)),
  );
}

export function deactivate(): void {}
