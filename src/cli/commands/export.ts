import { parseArgs } from 'node:util';
import { analyzeDag } from '../../dag/analyze';
import { noteLine, type ExportNote } from '../../interop/exportNote';
import { EXIT, type Io } from '../io';
import { deliver, readText } from '../fileOutput';
import { USAGES } from '../usage';

/** A DAG file as an Airflow DAG (DockerOperator or KubernetesPodOperator) or an Argo Workflow. */
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
      `export takes one FILE, --to airflow or argo, and --operator docker or kubernetes.\nUsage: ${USAGES.export}\n`,
    );
    return EXIT.usage;
  }
  const file = positionals[0]!;
  const text = readText(io, file);
  if (typeof text !== 'string') return text.exit;
  const a = analyzeDag(text, file);
  if (a.hasErrors || !a.dag) {
    io.err(`${file} has errors; export needs a valid DAG (see cdag validate ${file}).\n`);
    return EXIT.failed;
  }
  const { exportAirflow, exportArgo } = await import('../../interop/interopBundle');
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
