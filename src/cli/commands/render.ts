import { parseArgs } from 'node:util';
import { parseDate } from '../../dag/dates';
import type { BackendKind } from '../../protocol/runRecord';
import { renderedSpec } from '../../runner/renderedSpec';
import { EXIT, type Io } from '../io';
import { loadValidDag } from '../loadDag';
import { USAGE } from '../usage';

/** What a run would submit for one task (the same function as VS Code's "Show Rendered Container Spec"). */
export function renderCommand(args: readonly string[], io: Io): number {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: {
      task: { type: 'string' },
      date: { type: 'string' },
      backend: { type: 'string', default: 'docker' },
    },
    allowPositionals: true,
  });
  if (positionals.length !== 1 || !values.task || !['docker', 'kubernetes'].includes(values.backend!)) {
    io.err(`render takes one FILE, --task ID and --backend docker or kubernetes.\n${USAGE}\n`);
    return EXIT.usage;
  }
  let date: Date | undefined;
  if (values.date) {
    const d = parseDate(values.date);
    if (!d.succeeded) {
      io.err(`--date: ${d.error}\n`);
      return EXIT.usage;
    }
    date = d.result;
  }
  const a = loadValidDag(positionals[0]!, io);
  if (typeof a === 'number') return a;
  const dag = a.dag!;
  const spec = renderedSpec(dag, values.task, values.backend as BackendKind, {
    ...(date ? { date } : {}),
    env: io.env ?? {},
  });
  if (!spec) {
    io.err(`No task "${values.task}" in ${dag.id}. Tasks: ${dag.tasks.map((t) => t.id).join(', ')}.\n`);
    return EXIT.usage;
  }
  if (!spec.succeeded) {
    io.err(`${spec.error}\n`);
    return EXIT.failed;
  }
  io.out(`${JSON.stringify(spec.result, null, 2)}\n`);
  return EXIT.ok;
}
