import { defaultLogicalDate } from '../dag/schedule';
import type { Analysis } from '../dag/analyze';
import { toGraph, type DagGraph } from '../dag/graph';
import type { Errorable } from '../util/errorable';
import type { OffsetRange, Problem } from '../dag/problem';
import { complete, type Completion } from './completion';
import { hover, type Hover } from './hover';
import { definition, prepareRename, references, rename, type SymbolAt, type TextEdit } from './navigation';
import { outline, type OutlineItem } from './outline';
import { buildPathProblems } from './buildPaths';

/** Every question an editor asks of a DAG file, as plain data, so it can be answered in a worker. */
export type LanguageRequest =
  | { op: 'problems' }
  | { op: 'complete'; offset: number }
  | { op: 'hover'; offset: number }
  | { op: 'definition'; offset: number }
  | { op: 'references'; offset: number; includeDeclaration: boolean }
  | { op: 'prepareRename'; offset: number }
  | { op: 'rename'; offset: number; newName: string }
  | { op: 'outline' }
  | { op: 'graph' };

/** What the graph view needs: the graph when the file is valid, else its first error; and where each task is. */
export interface GraphAnswer {
  readonly graph?: DagGraph;
  /** The logical date (YYYY-MM-DD) "Run DAG" would use now: the latest complete interval. */
  readonly defaultDate?: string;
  readonly error?: string;
  readonly tasks: ReadonlyArray<{ id: string; keyRange: OffsetRange; range: OffsetRange }>;
}

export interface LanguageAnswers {
  problems: readonly Problem[];
  complete: Completion[];
  hover: Hover | undefined;
  definition: OffsetRange | undefined;
  references: OffsetRange[];
  prepareRename: Errorable<SymbolAt>;
  rename: Errorable<TextEdit[]>;
  outline: OutlineItem[];
  graph: GraphAnswer;
}

export type Answer<R extends LanguageRequest> = LanguageAnswers[R['op']];

/** Answers a request from an analysis; the same code runs on the host for small files and in the worker for large ones. */
export function answer<R extends LanguageRequest>(a: Analysis, r: R): Answer<R> {
  const out = ((): LanguageAnswers[keyof LanguageAnswers] => {
    switch (r.op) {
      case 'problems':
        // What is on disk is looked at here, not in the analysis: a CLI run says it when it builds.
        return withBuildPaths(a);
      case 'complete':
        return complete(a, r.offset);
      case 'hover':
        return hover(a, r.offset);
      case 'definition':
        return definition(a, r.offset);
      case 'references':
        return references(a, r.offset, r.includeDeclaration);
      case 'prepareRename':
        return prepareRename(a, r.offset);
      case 'rename':
        return rename(a, r.offset, r.newName);
      case 'outline':
        return outline(a);
      case 'graph': {
        const tasks = [...(a.symbols?.tasks.values() ?? [])].map((d) => ({
          id: d.name,
          keyRange: d.keyRange,
          range: d.range,
        }));
        if (!a.hasErrors && a.dag) {
          const defaultDate = defaultLogicalDate(a.dag.schedule, new Date());
          return { graph: toGraph(a.dag), defaultDate, tasks };
        }
        return { error: a.problems.find((p) => p.severity === 'error')?.message ?? 'The file has errors.', tasks };
      }
    }
  })();
  return out as Answer<R>;
}

function withBuildPaths(a: Analysis): readonly Problem[] {
  // Read from the YAML, not the model: a keystroke's validation never builds the typed model.
  const extra = buildPathProblems(a);
  return extra.length ? [...a.problems, ...extra].sort((x, y) => x.range.start - y.range.start) : a.problems;
}
