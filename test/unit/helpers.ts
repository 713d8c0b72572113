import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeDag, type Analysis } from '../../src/dag/analyze';
import { LineIndex } from '../../src/dag/lineIndex';

export const FIXTURES = join(__dirname, '..', 'fixtures');

export function fixtureFiles(kind: 'valid' | 'invalid'): Array<{ name: string; text: string }> {
  const dir = join(FIXTURES, kind);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.dag.yaml'))
    .sort()
    .map((name) => ({ name, text: readFileSync(join(dir, name), 'utf8') }));
}

/** `code@line` (1-based) for each problem, the form fixtures declare their expectations in. */
export function codesAtLines(a: Analysis): string[] {
  const index = new LineIndex(a.text);
  return a.problems.map((p) => `${p.code}@${index.positionAt(p.range.start).line + 1}`);
}

/** Text with a `|` (the first, or the last when `last`) marking the cursor → analysis and the cursor's offset. */
export function withCursor(marked: string, fileName = 'test.dag.yaml', last = false): { a: Analysis; offset: number } {
  const offset = last ? marked.lastIndexOf('|') : marked.indexOf('|');
  if (offset < 0) throw new Error('no | cursor marker in test text');
  const text = marked.slice(0, offset) + marked.slice(offset + 1);
  return { a: analyzeDag(text, fileName), offset };
}

export function errors(a: Analysis): string[] {
  return a.problems.filter((p) => p.severity === 'error').map((p) => `${p.code}: ${p.message}`);
}

/** `text` with a cursor just after the `nth` occurrence of `needle` (plus `shift` characters). */
export function cursorAfter(text: string, needle: string, shift = 1, nth = 0): { a: Analysis; offset: number } {
  let i = -1;
  for (let k = 0; k <= nth; k++) i = text.indexOf(needle, i + 1);
  if (i < 0) throw new Error(`"${needle}" is not in the test text`);
  return withCursor(text.slice(0, i + shift) + '|' + text.slice(i + shift));
}

/** `text` with edits (a rename's, a fix's) applied, last first so earlier offsets stay right. */
export function applyEdits(
  text: string,
  edits: ReadonlyArray<{ range: { start: number; end: number }; newText: string }>,
): string {
  let out = text;
  for (const e of [...edits].sort((x, y) => y.range.start - x.range.start))
    out = out.slice(0, e.range.start) + e.newText + out.slice(e.range.end);
  return out;
}
