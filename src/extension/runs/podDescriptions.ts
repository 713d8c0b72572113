import * as vscode from 'vscode';

export const POD_SCHEME = 'cdag-pod';

/** "Describe Pod" texts as read-only documents (no save prompt, like the task logs). */
export class PodDescriptions implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  put(pod: string, text: string): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: POD_SCHEME, path: `/${pod}.describe` });
    this.texts.set(uri.path, text);
    this.changed.fire(uri);
    return uri;
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.path) ?? 'This description is gone; describe the pod again from DAG Runs.';
  }
}
