import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { analyzeDag } from '../dag/analyze';
import { LineIndex } from '../dag/lineIndex';
import { exportAirflow } from '../interop/airflow/exportAirflow';
import type { InteropProblem } from '../interop/airflow/importContext';
import { importAirflowDag } from '../interop/airflow/importDag';
import { formatReport } from '../interop/airflow/fidelityReport';
import { exportArgo } from '../interop/argo/exportArgo';
import { noteLine, type ExportNote } from '../interop/exportNote';
import { EXIT, type Io } from './io';

export const IMPORT_USAGE = 'cdag import DAG.py [-o FILE.dag.yaml] [--force] [--report]';
export const EXPORT_USAGE = 'cdag export FILE --to airflow|argo [--operator docker|kubernetes] [-o OUT] [--force]';

function write(io: Io, path: string, text: string, force: boolean): string | undefined {
  try {
    if (io.writeFile) io.writeFile(path, text, force);
    else writeFileSync(path, text, { flag: force ? 'w' : 'wx' });
    return undefined;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'EEXIST'
      ? `${path} exists; nothing was written. Choose another -o, or add --force to replace it.`
      : `${path}: cannot write (${code ?? (e as Error).message}).`;
  }
}

/** To the -o file (never replacing one without --force), else to stdout; false when it could not be written. */
function deliver(io: Io, text: string, path: string | undefined, force: boolean): boolean {
  if (!path) {
    io.out(text);
    return true;
  }
  const error = write(io, path, text, force);
  io.err(`${error ?? `wrote ${path}`}\n`);
  return !error;
}

/** The file's text, or (having said why) the exit code. */
function read(io: Io, file: string): string | { exit: number } {
  try {
    return io.readFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    io.err(`${code === 'ENOENT' ? `${file}: no such file.` : `${file}: cannot read (${code ?? String(e)}).`}\n`);
    return { exit: EXIT.failed };
  }
}

/** `file:line:col: severity: message [code]` for the Python file, like `cdag validate` prints. */
export function importProblemLines(file: string, text: string, problems: readonly InteropProblem[]): string[] {
  const index = new LineIndex(text);
  return problems.map((p) => {
    const pos = index.positionAt(p.range.start);
    return `${file}:${pos.line + 1}:${pos.character + 1}: ${p.severity}: ${p.message} [${p.code}]`;
  });
}

export async function importCommand(args: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: { output: { type: 'string', short: 'o' }, force: { type: 'boolean' }, report: { type: 'boolean' } },
    allowPositionals: true,
  });
  if (positionals.length !== 1) {
    io.err(`import takes one Airflow DAG file.\nUsage: ${IMPORT_USAGE}\n`);
    return EXIT.usage;
  }
  const file = positionals[0]!;
  const text = read(io, file);
  if (typeof text !== 'string') return text.exit;
  const r = await importAirflowDag(text, file);
  if (!r.succeeded) {
    io.err(`${r.error}\n`);
    return EXIT.failed;
  }
  for (const line of importProblemLines(file, text, r.result.problems)) io.err(`${line}\n`);
  if (values.report) {
    io.err(`\nWhat the import carried, per task (${file}):\n`);
    for (const line of formatReport(r.result.report)) io.err(`${line}\n`);
    io.err('\n');
  }
  if (!r.result.yaml) return EXIT.failed;
  if (!deliver(io, r.result.yaml, values.output, values.force === true)) return EXIT.failed;
  const errors = r.result.problems.filter((p) => p.severity === 'error').length;
  if (errors === 0) return EXIT.ok;
  // Written so it can be fixed by hand, but never presented as a finished import.
  io.err(
    `The import is not complete: ${errors} error${errors > 1 ? 's' : ''} above must be fixed before the DAG file can run (cdag validate ${values.output ?? 'FILE'}).\n`,
  );
  return EXIT.failed;
}

export async function exportCommand(args: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: {
      to: { type: 'string' },
      operator: { type: 'string', default: 'docker' },
      output: { type: 'string', short: 'o' },
      force: { type: 'boolean' },
    },
    allowPositionals: true,
  });
  if (
    positionals.length !== 1 ||
    !['airflow', 'argo'].includes(values.to ?? '') ||
    !['docker', 'kubernetes'].includes(values.operator!)
  ) {
    io.err(
      `export takes one FILE, --to airflow or argo, and --operator docker or kubernetes.\nUsage: ${EXPORT_USAGE}\n`,
    );
    return EXIT.usage;
  }
  const file = positionals[0]!;
  const text = read(io, file);
  if (typeof text !== 'string') return text.exit;
  const a = analyzeDag(text, file);
  if (a.hasErrors || !a.dag) {
    io.err(`${file} has errors; export needs a valid DAG (see cdag validate ${file}).\n`);
    return EXIT.failed;
  }
  const sourceName = file.replace(/\\/g, '/').split('/').pop()!;
  let output: string;
  let notes: readonly ExportNote[];
  if (values.to === 'airflow') {
    ({ python: output, notes } = exportAirflow(a.dag, values.operator as 'docker' | 'kubernetes', sourceName));
  } else {
    ({ yaml: output, notes } = exportArgo(a.dag, sourceName));
  }
  for (const n of notes) io.err(`${file}: ${noteLine(n)}\n`);
  return deliver(io, output, values.output, values.force === true) ? EXIT.ok : EXIT.failed;
}
