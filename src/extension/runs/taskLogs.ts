import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as vscode from 'vscode';

export const LOG_SCHEME = 'cdag-log';

/**
 * Task logs as read-only documents (`cdag-log:` URIs). While the task runs, the document is told to
 * reload when new lines arrive, so an open log follows the task.
 */
export class TaskLogProvider implements vscode.TextDocumentContentProvider {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly pending = new Set<string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly runsRoot: () => string) {}

  static uri(runDirName: string, taskId: string, tryNumber: number): vscode.Uri {
    return vscode.Uri.from({ scheme: LOG_SCHEME, path: `/${runDirName}/${taskId}/${tryNumber}.log` });
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    try {
      return await readFile(join(this.runsRoot(), uri.path), 'utf8');
    } catch {
      return '(no log yet)';
    }
  }

  /** Called when a task writes lines: reloads open views of its log at most ten times a second. */
  touched(uri: vscode.Uri): void {
    this.pending.add(uri.toString());
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      for (const u of this.pending) this.changed.fire(vscode.Uri.parse(u));
      this.pending.clear();
    }, 100);
  }
}
