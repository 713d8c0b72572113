import * as vscode from 'vscode';
import type { ImageStatus } from '../../runner/docker/imageStatus';

/** Changes to a build folder are looked at once they settle: a checkout writes many files. */
const SETTLE_MS = 500;

/**
 * The stale marks of one graph panel: which tasks' images the next run would build, looked up again
 * when a file in one of their folders changes (a watcher per folder, debounced), when the DAG file
 * changes, and when a run or build ends.
 */
export class ImageWatch implements vscode.Disposable {
  private watchers: vscode.FileSystemWatcher[] = [];
  private watched = '';
  private timer: NodeJS.Timeout | undefined;
  private disposed = false;

  constructor(
    private readonly status: () => Promise<ImageStatus | undefined>,
    private readonly post: (stale: readonly string[]) => void,
  ) {}

  refresh(delayMs = SETTLE_MS): void {
    if (this.disposed) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.look(), delayMs);
  }

  private async look(): Promise<void> {
    const s = await this.status().catch(() => undefined);
    if (this.disposed) return;
    this.post(s?.stale ?? []);
    this.watch(s?.contexts ?? []);
  }

  private watch(contexts: readonly string[]): void {
    const key = [...contexts].sort().join('\n');
    if (key === this.watched) return;
    this.watched = key;
    for (const w of this.watchers) w.dispose();
    this.watchers = contexts.map((dir) => {
      const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(dir), '**/*'));
      const changed = () => this.refresh();
      w.onDidChange(changed);
      w.onDidCreate(changed);
      w.onDidDelete(changed);
      return w;
    });
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.timer);
    for (const w of this.watchers) w.dispose();
  }
}
