import type { Analysis } from '../dag/analyze';
import { LineIndex, type Position } from '../dag/lineIndex';
import type { Severity } from '../dag/problem';

/** One entry of `cdag validate --json` (a contract other tools read: LSP-style 0-based positions). */
export interface JsonDiagnostic {
  file: string;
  severity: Severity;
  code: string;
  message: string;
  range: { start: Position; end: Position };
}

export function toJsonDiagnostics(file: string, a: Analysis): JsonDiagnostic[] {
  const index = new LineIndex(a.text);
  return a.problems.map((p) => ({
    file,
    severity: p.severity,
    code: p.code,
    message: p.message,
    range: { start: index.positionAt(p.range.start), end: index.positionAt(p.range.end) },
  }));
}

/** `file:line:col: severity: message [code]`, 1-based like compilers print. */
export function toHumanLines(file: string, a: Analysis): string[] {
  return toJsonDiagnostics(file, a).map(
    (d) => `${file}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.severity}: ${d.message} [${d.code}]`,
  );
}
