import * as vscode from 'vscode';

export const POD_SCHEME = 'cdag-pod';

/** "Describe Pod" texts as read-only documents (no save prompt, like the task logs). */
export class PodDescriptions implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();
  /** How to read each description again, so an open one follows its pod while a watch reports changes. */
  private readonly readers = new Map<string, () => Promise<string | undefined>>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  put(pod: string, text: string, reread?: () => Promise<string | undefined>): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: POD_SCHEME, path: `/${pod}.describe` });
    this.texts.set(uri.path, text);
    if (reread) this.readers.set(uri.path, reread);
    this.changed.fire(uri);
    return uri;
  }

  /** The pod changed (a watch said so): open descriptions are read again; closed ones are dropped. */
  async reloadOpen(): Promise<void> {
    const open = new Set(
      vscode.workspace.textDocuments.filter((d) => d.uri.scheme === POD_SCHEME).map((d) => d.uri.path),
    );
    for (const [path, reread] of this.readers) {
      if (!open.has(path)) {
        this.readers.delete(path);
        continue;
      }
      const text = await reread().catch(() => undefined);
      if (text === undefined || text === this.texts.get(path)) continue;
      this.texts.set(path, text);
      this.changed.fire(vscode.Uri.from({ scheme: POD_SCHEME, path }));
    }
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.path) ?? 'This description is gone; describe the pod again from DAG Runs.';
  }
}
