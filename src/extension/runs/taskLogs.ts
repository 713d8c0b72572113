import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { RunRecord } from '../../protocol/runRecord';
import { attemptLogView } from '../../runner/attemptLog';

export const LOG_SCHEME = 'cdag-log';

/** A run folder's name and a task id as the run store writes them: nothing that climbs out of the runs folder. */
const SAFE = /^[A-Za-z0-9_.\-[\]]+$/;

interface LogRef {
  readonly runDir: string;
  readonly taskId: string;
  readonly tryNumber: number;
}

/**
 * Task logs as read-only documents (`cdag-log:` URIs) titled `dag › task · try N · date`, a header
 * telling how the attempt ended above the lines (stderr lines start with `E `). While the task runs,
 * the document is told to reload when new lines arrive, so an open log follows the task.
 */
export class TaskLogProvider implements vscode.TextDocumentContentProvider {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly pending = new Set<string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly runsRoot: () => string,
    private readonly recordOf: (runDir: string) => RunRecord | undefined,
  ) {}

  /** The path is the tab's title; the query locates the file. Same record, task and try → same URI. */
  static uri(runDir: string, r: RunRecord, taskId: string, tryNumber: number): vscode.Uri {
    const title = attemptLogView(r, taskId, tryNumber).title.replace(/\//g, '∕');
    const query = new URLSearchParams({ run: runDir, task: taskId, try: String(tryNumber) }).toString();
    return vscode.Uri.from({ scheme: LOG_SCHEME, path: `/${title}.log`, query });
  }

  static ref(uri: vscode.Uri): LogRef | undefined {
    const q = new URLSearchParams(uri.query);
    const runDir = q.get('run') ?? '';
    const taskId = q.get('task') ?? '';
    const tryNumber = Number(q.get('try'));
    if (!SAFE.test(runDir) || !SAFE.test(taskId) || runDir.startsWith('.') || taskId.startsWith('.')) return undefined;
    if (!Number.isInteger(tryNumber) || tryNumber < 1) return undefined;
    return { runDir, taskId, tryNumber };
  }

  /** The header and body lines of a log document, and the attempt's view (for where to open it). */
  async lines(uri: vscode.Uri): Promise<{ header: number; lines: string[]; failed: boolean }> {
    const ref = TaskLogProvider.ref(uri);
    if (!ref) return { header: 0, lines: ['(not a Container DAGs log)'], failed: false };
    const record = this.recordOf(ref.runDir);
    const view = record ? attemptLogView(record, ref.taskId, ref.tryNumber) : undefined;
    let body: string[];
    try {
      const text = await readFile(join(this.runsRoot(), ref.runDir, ref.taskId, `${ref.tryNumber}.log`), 'utf8');
      body = text.length ? text.replace(/\n$/, '').split('\n') : [];
    } catch {
      body = [];
    }
    if (body.length === 0) body = [view?.empty ?? '(no log yet)'];
    const header = view ? [...view.header] : [];
    return { header: header.length, lines: [...header, ...body], failed: view?.failed ?? false };
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    return (await this.lines(uri)).lines.join('\n') + '\n';
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
