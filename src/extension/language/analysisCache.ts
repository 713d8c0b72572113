import type * as vscode from 'vscode';
import { analyzeDag, type Analysis } from '../../dag/analyze';

/** One analysis per document version, shared by every feature so a keystroke is parsed once. */
export class AnalysisCache {
  private readonly entries = new Map<string, { version: number; analysis: Analysis }>();

  get(doc: vscode.TextDocument): Analysis {
    const key = doc.uri.toString();
    const hit = this.entries.get(key);
    if (hit && hit.version === doc.version) return hit.analysis;
    const analysis = analyzeDag(doc.getText(), doc.uri.path);
    this.entries.set(key, { version: doc.version, analysis });
    return analysis;
  }

  forget(doc: vscode.TextDocument): void {
    this.entries.delete(doc.uri.toString());
  }
}
