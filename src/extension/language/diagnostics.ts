import { isBlank } from '../home/dagTemplate';
import * as vscode from 'vscode';
import type { Problem } from '../../dag/problem';
import { toDiagnostics } from './convert';
import type { DagLanguage } from './dagLanguage';

export const LANGUAGE_ID = 'container-dag';

/**
 * Validates DAG documents as the user types: debounced per document, and a result is dropped when
 * the document has changed since it was started (its version moved on).
 */
export class DiagnosticsController implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('container-dags');
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly lang: DagLanguage,
    private readonly debounceMs: () => number,
  ) {
    this.disposables.push(
      this.collection,
      vscode.workspace.onDidOpenTextDocument((d) => this.schedule(d, 0)),
      vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document, this.delay())),
      vscode.workspace.onDidCloseTextDocument((d) => {
        this.collection.delete(d.uri);
        this.lang.forget(d);
      }),
    );
    for (const d of vscode.workspace.textDocuments) this.schedule(d, 0);
  }

  private delay(): number {
    return this.debounceMs();
  }

  schedule(doc: vscode.TextDocument, ms: number): void {
    if (doc.languageId !== LANGUAGE_ID) return;
    const key = doc.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        void this.validate(doc);
      }, ms),
    );
  }

  async validate(doc: vscode.TextDocument): Promise<void> {
    const version = doc.version;
    const text = doc.getText();
    // A new, empty file is offered a template (a CodeLens), not told it is wrong.
    if (isBlank(text)) {
      this.collection.delete(doc.uri);
      return;
    }
    let problems: readonly Problem[];
    try {
      problems = await this.lang.ask(doc, { op: 'problems' });
    } catch (e) {
      problems = [
        {
          code: 'yaml-syntax',
          severity: 'error',
          message: `Validation failed: ${(e as Error).message}`,
          range: { start: 0, end: 0 },
        },
      ];
    }
    // Typing went on while we worked: a newer validation is already scheduled.
    if (doc.isClosed || doc.version !== version) return;
    this.collection.set(doc.uri, toDiagnostics(problems, text));
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    for (const d of this.disposables) d.dispose();
  }
}
