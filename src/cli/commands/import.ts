import { parseArgs } from 'node:util';
import { LineIndex } from '../../dag/lineIndex';
import type { InteropProblem } from '../../interop/airflow/importContext';
import { EXIT, type Io } from '../io';
import { deliver, readText } from '../fileOutput';
import { USAGES } from '../usage';

/** `file:line:col: severity: message [code]` for the Python file, like `cdag validate` prints. */
export function importProblemLines(file: string, text: string, problems: readonly InteropProblem[]): string[] {
  const index = new LineIndex(text);
  return problems.map((p) => {
    const pos = index.positionAt(p.range.start);
    return `${file}:${pos.line + 1}:${pos.character + 1}: ${p.severity}: ${p.message} [${p.code}]`;
  });
}

/** An Airflow DAG file as a DAG file of ours, with what could not be carried said per line. */
export async function importCommand(args: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: {
      output: { type: 'string', short: 'o' },
      force: { type: 'boolean' },
      report: { type: 'boolean' },
      airflow: { type: 'string' },
    },
    allowPositionals: true,
  });
  if (positionals.length !== 1) {
    io.err(`import takes one Airflow DAG file.\nUsage: ${USAGES.import}\n`);
    return EXIT.usage;
  }
  if (values.airflow !== undefined && values.airflow !== '2' && values.airflow !== '3') {
    io.err(`--airflow is 2 or 3 (whose defaults apply where the file omits them).\nUsage: ${USAGES.import}\n`);
    return EXIT.usage;
  }
  const file = positionals[0]!;
  const text = readText(io, file);
  if (typeof text !== 'string') return text.exit;
  const { importAirflowDag, formatReport } = await import('../../interop/interopBundle');
  const r = await importAirflowDag(text, file, values.airflow ? { airflow: values.airflow === '2' ? 2 : 3 } : {});
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
