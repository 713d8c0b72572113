/**
 * The line each instruction of a Dockerfile starts on, in order: the classic builder's "Step N/M"
 * is the N-th. Comments, blank lines and parser directives are not instructions; a line ending in
 * the escape character (`\`, or the one `# escape=` names) continues the instruction, and comment
 * lines inside a continued instruction are skipped, as Docker's parser does.
 */
export function instructionLines(text: string): number[] {
  const lines = text.split(/\r?\n/);
  let escape = '\\';
  let i = 0;
  // Parser directives come first, before any comment that is not one, blank line or instruction.
  for (; i < lines.length; i++) {
    const m = /^\s*#\s*([a-z]+)\s*=\s*(\S+)\s*$/i.exec(lines[i]!);
    if (!m) break;
    if (m[1]!.toLowerCase() === 'escape') escape = m[2]!;
  }
  const out: number[] = [];
  let continued = false;
  for (; i < lines.length; i++) {
    const line = lines[i]!;
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    if (!continued) out.push(i + 1);
    continued = trimmed.endsWith(escape);
  }
  return out;
}
