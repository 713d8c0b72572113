import { parseArgs } from 'node:util';
import { toHumanLines, toJsonDiagnostics, type JsonDiagnostic } from '../formatProblems';
import { EXIT, type Io } from '../io';
import { loadDag } from '../loadDag';
import { USAGE } from '../usage';

/** Prints every file's problems (`file:line:col: severity: message [code]`, or JSON); exit 1 when any has errors. */
export function validateCommand(args: readonly string[], io: Io): number {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: { json: { type: 'boolean' } },
    allowPositionals: true,
  });
  if (positionals.length === 0) {
    io.err(`validate needs at least one FILE.\n${USAGE}\n`);
    return EXIT.usage;
  }
  let failed = false;
  const json: JsonDiagnostic[] = [];
  for (const file of positionals) {
    const a = loadDag(file, io);
    if (typeof a === 'string') {
      failed = true;
      const d: JsonDiagnostic = {
        file,
        severity: 'error',
        code: 'file-unreadable',
        message: a,
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      };
      if (values.json) json.push(d);
      else io.err(`${a}\n`);
      continue;
    }
    if (a.hasErrors) failed = true;
    if (values.json) json.push(...toJsonDiagnostics(file, a));
    else for (const line of toHumanLines(file, a)) io.out(`${line}\n`);
  }
  if (values.json) io.out(`${JSON.stringify(json, null, 2)}\n`);
  return failed ? EXIT.failed : EXIT.ok;
}
