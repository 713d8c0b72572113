import { buildDag } from './buildDag';
import type { Dag } from './model';
import { parseDagText, type ParsedDag } from './parse';
import { problem, type Problem } from './problem';
import { DAG_ID_PATTERN, DAG_SPEC } from './schema';
import { walk, type TemplatedValue, type WalkContext } from './schemaWalk';
import { checkSemantics } from './semantics';
import { buildSymbols, type SymbolIndex } from './symbols';
import { isMap, isScalar, mapAt, MAX_ALIAS_EXPANSIONS, newAliasBudget } from './yamlNodes';

/** Everything known about one DAG file: the core of validation, the CLI and every editor feature. */
export interface Analysis {
  readonly fileName: string;
  readonly text: string;
  readonly parsed: ParsedDag;
  /** Sorted by position. */
  readonly problems: readonly Problem[];
  readonly symbols?: SymbolIndex;
  /** Present unless the file could not be read as a mapping; trust it only when `hasErrors` is false. */
  readonly dag?: Dag;
  readonly hasErrors: boolean;
}

/** Kubernetes label values (where DAG and task ids go) are at most 63 characters. */
const LABEL_MAX = 63;

export function dagIdFromFileName(fileName: string): string {
  const base = fileName.replace(/\\/g, '/').split('/').pop() ?? fileName;
  return base.replace(/\.dag\.ya?ml$/i, '').replace(/\.ya?ml$/i, '') || 'dag';
}

/** `fileProblems`: what was wrong with the bytes before they were text (invalid UTF-8). */
export function analyzeDag(
  text: string,
  fileName = 'untitled.dag.yaml',
  fileProblems: readonly Problem[] = [],
): Analysis {
  const parsed = parseDagText(text);
  const problems: Problem[] = [...fileProblems, ...parsed.problems];
  const done = (extra: Partial<Analysis> = {}): Analysis => {
    problems.sort((a, b) => a.range.start - b.range.start || a.range.end - b.range.end);
    return { fileName, text, parsed, problems, hasErrors: problems.some((p) => p.severity === 'error'), ...extra };
  };
  if (parsed.fatal || !parsed.doc) return done();
  const templated: TemplatedValue[] = [];
  const ctx: WalkContext = {
    text,
    doc: parsed.doc,
    problems,
    budget: newAliasBudget(),
    templated,
    defaulted: defaultedKeys(parsed.doc.contents),
  };
  walk(parsed.doc.contents, DAG_SPEC, [], ctx);
  if (ctx.budget.exceeded) {
    problems.push(aliasBomb(text));
    return done();
  }
  const symbols = buildSymbols(parsed.doc, text, templated);
  problems.push(...checkSemantics(parsed.doc, text, symbols, templated));
  for (const [id, decl] of symbols.tasks) {
    if (id.length > LABEL_MAX) {
      problems.push(
        problem(
          'invalid-name',
          'warning',
          `Task id "${id.slice(0, 20)}…" is over ${LABEL_MAX} characters; Kubernetes labels will carry a shortened form.`,
          decl.keyRange,
        ),
      );
    }
  }
  const dagId = symbols.dagId ?? dagIdFromFileName(fileName);
  if (symbols.dagId === undefined && !new RegExp(DAG_ID_PATTERN).test(dagId)) {
    problems.push(
      problem(
        'invalid-name',
        'error',
        `The DAG id comes from the file name, and "${dagId}" is not a valid DAG id (letters, digits, \`_\`, \`.\` and \`-\`). Add "dag: NAME" or rename the file.`,
        { start: 0, end: 0 },
      ),
    );
  }
  if (dagId.length > LABEL_MAX) {
    problems.push(
      problem(
        'invalid-name',
        'warning',
        `DAG id is over ${LABEL_MAX} characters; Kubernetes labels will carry a shortened form.`,
        symbols.dagKey ?? { start: 0, end: 0 },
      ),
    );
  }
  const doc = parsed.doc;
  let model: Dag | undefined;
  // The typed model is built on first use: validating a keystroke never needs it.
  return Object.defineProperty(done({ symbols }), 'dag', {
    enumerable: true,
    get(): Dag {
      // parseDagText bounded what aliases expand to (a bomb never gets here), so toJS may expand them.
      model ??= buildDag(doc.toJS({ maxAliasCount: -1 }), dagIdFromFileName(fileName));
      return model;
    },
  });
}

/** Keys the root `defaults` mapping gives every task. */
function defaultedKeys(root: unknown): ReadonlySet<string> {
  const defaults = isMap(root) ? mapAt(root, 'defaults') : undefined;
  const out = new Set<string>();
  for (const p of defaults?.items ?? []) if (isScalar(p.key)) out.add(String(p.key.value));
  return out;
}

function aliasBomb(text: string): Problem {
  const at = Math.max(0, text.indexOf('*'));
  return problem(
    'yaml-alias-limit',
    'error',
    `This file expands more than ${MAX_ALIAS_EXPANSIONS} aliases (*name), as an alias bomb does. Write the values out, or use "defaults" for shared task fields.`,
    { start: at, end: at + 1 },
  );
}
