import { parseArgs } from 'node:util';
import { toDot, toGraph, type DagGraph } from '../../dag/graph';
import { svgDocument } from '../../graph/draw';
import { layoutGraph, type Direction } from '../../graph/layout';
import { GRAPH_CSS } from '../../graph/styles';
import { taskViews } from '../../graph/taskViews';
import type { TaskView } from '../../protocol/graphMessages';
import { recordTasks } from '../../runner/runRecordShape';
import { EXIT, type Io } from '../io';
import { loadValidDag } from '../loadDag';
import { USAGE } from '../usage';

/** The DAG's graph as JSON, DOT, or the graph panel's drawing as SVG (states from a run record). */
export function graphCommand(args: readonly string[], io: Io): number | Promise<number> {
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
  const a = loadValidDag(positionals[0]!, io);
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
      const parsed = JSON.parse(io.readFile(recordFile)) as unknown;
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
