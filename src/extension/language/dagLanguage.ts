import type * as vscode from 'vscode';
import { answer, type Answer, type LanguageRequest } from '../../language/requests';
import type { AnalysisCache } from './analysisCache';
import { Positions } from './convert';
import type { LanguageWorkerClient } from './languageWorkerClient';

/** Above this size a file is parsed and queried in the worker, never on the extension host's thread. */
export const WORKER_THRESHOLD_CHARS = 64 * 1024;

/**
 * The one way editor features ask about a DAG file: answered on the host for ordinary files (from the
 * shared per-version analysis) and by the worker for large ones. Answers are plain data with offsets.
 */
export class DagLanguage {
  private readonly positions = new Map<string, { version: number; positions: Positions }>();

  constructor(
    private readonly cache: AnalysisCache,
    private readonly worker: LanguageWorkerClient,
  ) {}

  positionsOf(doc: vscode.TextDocument): Positions {
    const key = doc.uri.toString();
    const hit = this.positions.get(key);
    if (hit && hit.version === doc.version) return hit.positions;
    const positions = new Positions(doc.getText());
    this.positions.set(key, { version: doc.version, positions });
    return positions;
  }

  isLarge(doc: vscode.TextDocument): boolean {
    return doc.offsetAt(doc.lineAt(doc.lineCount - 1).range.end) > WORKER_THRESHOLD_CHARS;
  }

  async ask<R extends LanguageRequest>(doc: vscode.TextDocument, request: R): Promise<Answer<R>> {
    if (!this.isLarge(doc)) return answer(this.cache.get(doc), request);
    return this.worker.ask(
      { uri: doc.uri.toString(), version: doc.version, fileName: doc.uri.path, getText: () => doc.getText() },
      request,
    );
  }

  forget(doc: vscode.TextDocument): void {
    this.positions.delete(doc.uri.toString());
    this.cache.forget(doc);
    this.worker.forget(doc.uri.toString());
  }
}
