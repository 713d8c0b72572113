import * as vscode from 'vscode';
import type { Analysis } from '../../dag/analyze';
import { LineIndex } from '../../dag/lineIndex';
import type { OffsetRange, Problem } from '../../dag/problem';

/** Offsets ↔ positions: the only place the core's offsets meet VS Code's line/character. */
export class Positions {
  private readonly index: LineIndex;
  constructor(text: string) {
    this.index = new LineIndex(text);
  }
  range(r: OffsetRange): vscode.Range {
    const s = this.index.positionAt(r.start);
    const e = this.index.positionAt(r.end);
    return new vscode.Range(s.line, s.character, e.line, e.character);
  }
  offset(p: vscode.Position): number {
    return this.index.offsetAt({ line: p.line, character: p.character });
  }
}

const SEVERITY: Record<Problem['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
  hint: vscode.DiagnosticSeverity.Hint,
};

export const DIAGNOSTIC_SOURCE = 'container-dags';

export function toDiagnostic(p: Problem, positions: Positions): vscode.Diagnostic {
  const d = new vscode.Diagnostic(positions.range(p.range), p.message, SEVERITY[p.severity]);
  d.code = p.code;
  d.source = DIAGNOSTIC_SOURCE;
  if (p.deprecated) d.tags = [vscode.DiagnosticTag.Deprecated];
  return d;
}

export function toDiagnostics(problems: readonly Problem[], text: string): vscode.Diagnostic[] {
  const positions = new Positions(text);
  return problems.map((p) => toDiagnostic(p, positions));
}

export type { Analysis };
