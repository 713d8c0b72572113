import type * as vscode from 'vscode';
import { analyzeDag, type Analysis } from '../../dag/analyze';
import { Positions } from './convert';

interface Entry {
  readonly version: number;
  readonly analysis: Analysis;
  readonly positions: Positions;
}

/** One analysis per document version, shared by every provider so a keystroke is parsed once. */
export class AnalysisCache {
  private readonly entries = new Map<string, Entry>();

  get(doc: vscode.TextDocument): Entry {
    const key = doc.uri.toString();
    const hit = this.entries.get(key);
    if (hit && hit.version === doc.version) return hit;
    const text = doc.getText();
    const entry = { version: doc.version, analysis: analyzeDag(text, doc.uri.path), positions: new Positions(text) };
    this.entries.set(key, entry);
    return entry;
  }

  forget(doc: vscode.TextDocument): void {
    this.entries.delete(doc.uri.toString());
  }
}
