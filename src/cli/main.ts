import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { analyzeDag, type Analysis } from '../dag/analyze';
import { describeDagFileError, isDagFileError, readDagFile } from '../dag/dagFile';
import { parseDate } from '../dag/dates';
import { toDot, toGraph, type DagGraph } from '../dag/graph';
import { svgDocument } from '../graph/draw';
import { layoutGraph, type Direction } from '../graph/layout';
import { GRAPH_CSS } from '../graph/styles';
import { taskViews } from '../graph/taskViews';
import type { TaskView } from '../protocol/graphMessages';
import { recordTasks } from '../runner/runRecordShape';
import { latestCompleteInterval } from '../dag/schedule';
import { containerCreateBody } from '../runner/docker/containerSpec';
import { podManifest } from '../runner/kubernetes/podSpec';
import { intervalForDate, makeRunId, renderTask } from '../runner/renderTask';
import { toHumanLines, toJsonDiagnostics, type JsonDiagnostic } from './formatProblems';
import { EXPORT_USAGE, IMPORT_USAGE, exportCommand, importCommand } from './interop';
import { EXIT, type Io } from './io';
import { PODS_USAGE, podsCommand } from './pods';
import { RUN_USAGE, runCommand } from './run';

export { EXIT, type Io } from './io';

const USAGE = `Usage:
  cdag validate FILE... [--json]
  cdag graph FILE [--format json|dot|svg] [--direction RIGHT|DOWN] [--record RUN.json]
  cdag render FILE --task ID [--date YYYY-MM-DD] [--backend docker|kubernetes]
  ${RUN_USAGE}
  ${PODS_USAGE}
  ${IMPORT_USAGE}
  ${EXPORT_USAGE}
  cdag --version`;

export function main(argv: readonly string[], io: Io): number | Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'validate':
        return validate(rest, io);
      case 'graph':
        return graph(rest, io);
      case 'render':
        return render(rest, io);
      case 'run':
        return runCommand(rest, io).catch((e: unknown) => usageOrThrow(e, io));
      case 'pods':
        return podsCommand(rest, io).catch((e: unknown) => usageOrThrow(e, io));
      case 'import':
        return importCommand(rest, io).catch((e: unknown) => usageOrThrow(e, io));
      case 'export':
        return exportCommand(rest, io).catch((e: unknown) => usageOrThrow(e, io));
      case '--version':
      case '-v':
        io.out(`${VERSION}\n`);
        return EXIT.ok;
      case '--help':
      case '-h':
      case 'help':
        io.out(`${USAGE}\n`);
        return EXIT.ok;
      default:
        io.err(`${command ? `Unknown command "${command}".` : 'No command given.'}\n${USAGE}\n`);
        return EXIT.usage;
    }
  } catch (e) {
    return usageOrThrow(e, io);
  }
}

/** parseArgs reports unknown options by throwing: those are usage errors; anything else is a bug. */
function usageOrThrow(e: unknown, io: Io): number {
  if (e instanceof TypeError && 'code' in e && String(e.code).startsWith('ERR_PARSE_ARGS')) {
    io.err(`${e.message}\n${USAGE}\n`);
    return EXIT.usage;
  }
  throw e;
}

declare const __VERSION__: string | undefined;
const VERSION = typeof __VERSION__ === 'string' ? __VERSION__ : 'dev';

function load(file: string, io: Io): Analysis | string {
  if (io.readDagFile) {
    const read = io.readDagFile(file);
    if (isDagFileError(read)) return describeDagFileError(read);
    return analyzeDag(read.text, file, read.problems);
  }
  try {
    return analyzeDag(io.readFile(file), file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? `${file}: no such file.` : `${file}: cannot read (${code ?? String(e)}).`;
  }
}

function validate(args: readonly string[], io: Io): number {
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
    const a = load(file, io);
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

/** Loads a file that must be free of errors; prints its problems otherwise. */
function loadValid(file: string, io: Io): Analysis | number {
  const a = load(file, io);
  if (typeof a === 'string') {
    io.err(`${a}\n`);
    return EXIT.failed;
  }
  if (a.hasErrors || !a.dag) {
    for (const line of toHumanLines(file, a).filter((l) => l.includes(': error: '))) io.err(`${line}\n`);
    io.err(`${file}: fix the errors above first (cdag validate ${file}).\n`);
    return EXIT.failed;
  }
  return a;
}

function graph(args: readonly string[], io: Io): number | Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: {
      format: { type: 'string', default: 'json' },
      direction: { type: 'string', default: 'RIGHT' },
      record: { type: 'string' },
    },
    allowPositionals: true,
  });
  if (
    positionals.length !== 1 ||
    !['json', 'dot', 'svg'].includes(values.format!) ||
    !['RIGHT', 'DOWN'].includes(values.direction!)
  ) {
    io.err(`graph takes one FILE, --format json, dot or svg, and --direction RIGHT or DOWN.\n${USAGE}\n`);
    return EXIT.usage;
  }
  const a = loadValid(positionals[0]!, io);
  if (typeof a === 'number') return a;
  const g = toGraph(a.dag!);
  if (values.format === 'svg') return graphSvg(g, values.direction as Direction, values.record, io);
  io.out(values.format === 'dot' ? toDot(g) : `${JSON.stringify(g, null, 2)}\n`);
  return EXIT.ok;
}

/** The graph panel's layout and drawing, as a file: the same modules, laid out by elkjs in Node. */
async function graphSvg(g: DagGraph, direction: Direction, recordFile: string | undefined, io: Io): Promise<number> {
  let states: Record<string, TaskView> = {};
  if (recordFile) {
    let why: string;
    try {
      const parsed = JSON.parse(readFileSync(recordFile, 'utf8')) as unknown;
      const tasks = recordTasks(Array.isArray(parsed) ? parsed.at(-1) : parsed);
      if (typeof tasks !== 'string') states = taskViews({ tasks });
      why = typeof tasks === 'string' ? tasks : '';
    } catch (e) {
      why = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    }
    if (why) {
      io.err(`--record ${recordFile}: not a run record (${why}). Use the output of cdag run --json.\n`);
      return EXIT.usage;
    }
  }
  const { default: ELK } = await import('elkjs/lib/elk.bundled.js');
  const layout = await layoutGraph(g, direction, new ELK());
  io.out(svgDocument(g, layout, GRAPH_CSS, states));
  return EXIT.ok;
}

function render(args: readonly string[], io: Io): number {
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
  const a = loadValid(positionals[0]!, io);
  if (typeof a === 'number') return a;
  const dag = a.dag!;
  const task = dag.tasks.find((t) => t.id === values.task);
  if (!task) {
    io.err(`No task "${values.task}" in ${dag.id}. Tasks: ${dag.tasks.map((t) => t.id).join(', ')}.\n`);
    return EXIT.usage;
  }
  const interval = date ? intervalForDate(dag, date) : latestCompleteInterval(dag.schedule, new Date());
  const runId = makeRunId('manual', interval.start);
  const rendered = renderTask(dag, task, { runId, tryNumber: 1, interval, env: process.env });
  if (!rendered.succeeded) {
    io.err(`${rendered.error}\n`);
    return EXIT.failed;
  }
  const masked = Object.fromEntries(Object.keys(task.secrets).map((k) => [k, '***']));
  const spec =
    values.backend === 'kubernetes'
      ? podManifest(dag, rendered.result, runId, 1)
      : containerCreateBody(dag, rendered.result, runId, 1, masked);
  if (!spec.succeeded) {
    io.err(`${spec.error}\n`);
    return EXIT.failed;
  }
  io.out(`${JSON.stringify(spec.result, null, 2)}\n`);
  return EXIT.ok;
}

export const nodeIo: Io = {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
  readFile: (p) => readFileSync(p, 'utf8'),
  readDagFile,
};
