import { isAlias, isCollection, isMap, isPair, isScalar, parseDocument, type Document, type Node } from 'yaml';
import { problem, type Problem } from './problem';

/** Above this the file is refused before parsing: a 200k-key map would take seconds (Y2). */
export const MAX_FILE_CHARS = 1024 * 1024;
/** Deeper nesting than any DAG needs; recursive consumers stay far from stack limits. */
export const MAX_DEPTH = 64;
/** One broken bracket can yield thousands of errors; the first few say it all. */
const MAX_SYNTAX_PROBLEMS = 20;

const CORE_TAGS = new Set(['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((t) => `tag:yaml.org,2002:${t}`));

export interface ParsedDag {
  readonly text: string;
  /** Absent when the file was refused before parsing. */
  readonly doc?: Document.Parsed;
  readonly problems: readonly Problem[];
  /** True when the document is unusable for schema checks (refused, or not a mapping). */
  readonly fatal: boolean;
}

/**
 * YAML 1.2 core schema, ranges kept. Duplicate keys are found here with a Set rather than by
 * `uniqueKeys`, whose pairwise comparison grows quadratically with the size of a map.
 */
export function parseDagText(text: string): ParsedDag {
  if (text.length > MAX_FILE_CHARS) {
    const kib = Math.round(text.length / 1024);
    return {
      text,
      problems: [
        problem(
          'file-too-large',
          'error',
          `This file is ${kib} KiB; DAG files are limited to ${MAX_FILE_CHARS / 1024} KiB. Split it into several DAGs.`,
          { start: 0, end: 0 },
        ),
      ],
      fatal: true,
    };
  }
  const doc = parseDocument(text, {
    version: '1.2',
    schema: 'core',
    uniqueKeys: false,
    prettyErrors: false,
    keepSourceTokens: false,
    strict: true,
  });
  const problems: Problem[] = [];
  const structural = checkStructure(doc, text);
  const seen = new Set<string>();
  for (const e of doc.errors) {
    // Past our depth limit the parser's own recursion errors repeat the same finding.
    if (structural.tooDeep && /call stack/i.test(e.message)) continue;
    const key = `${e.code}:${e.message}`;
    if (seen.has(key) || problems.length >= MAX_SYNTAX_PROBLEMS) continue;
    seen.add(key);
    const code = e.code === 'MULTIPLE_DOCS' ? 'multiple-documents' : 'yaml-syntax';
    const message =
      code === 'multiple-documents'
        ? 'A DAG file holds one YAML document; remove the `---` separator and what follows, or move it to its own file.'
        : `YAML syntax: ${firstLine(e.message)}`;
    problems.push(problem(code, 'error', message, { start: e.pos[0], end: Math.max(e.pos[1], e.pos[0]) }));
  }
  const version = doc.directives?.yaml.explicit ? doc.directives.yaml.version : undefined;
  if (version && version !== '1.2') {
    const at = text.indexOf('%YAML');
    problems.push(
      problem(
        'yaml-version',
        'error',
        `DAG files are YAML 1.2; remove the "%YAML ${version}" directive (YAML 1.1 reads "no" and "on" as booleans).`,
        { start: Math.max(0, at), end: Math.max(0, at) + 9 },
      ),
    );
  }
  problems.push(...structural.problems);
  const root = doc.contents;
  let fatal = structural.tooDeep || doc.errors.length > 0;
  if (!fatal && root !== null && !isMap(root)) {
    if (!(isScalar(root) && root.value === null)) {
      problems.push(
        problem('not-a-map', 'error', 'A DAG file is a mapping with keys such as `dag`, `schedule` and `tasks`.', {
          start: root.range?.[0] ?? 0,
          end: root.range?.[1] ?? 0,
        }),
      );
    }
    fatal = true;
  }
  return { text, doc, problems, fatal };
}

function firstLine(s: string): string {
  const i = s.indexOf('\n');
  return i < 0 ? s : s.slice(0, i);
}

/** One iterative pass: nesting depth, duplicate keys, tags, and anchors on collections. */
function checkStructure(doc: Document.Parsed, text: string): { problems: Problem[]; tooDeep: boolean } {
  const problems: Problem[] = [];
  const stack: Array<[Node, number]> = [];
  if (doc.contents) stack.push([doc.contents, 1]);
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (depth > MAX_DEPTH) {
      const start = node.range?.[0] ?? 0;
      problems.push(
        problem('nesting-too-deep', 'error', `Nesting deeper than ${MAX_DEPTH} levels is refused; no DAG needs it.`, {
          start,
          end: start + 1,
        }),
      );
      return { problems, tooDeep: true };
    }
    checkTag(node, text, problems);
    if (isAlias(node)) continue;
    if (!isCollection(node)) continue;
    const seen = new Map<string, true>();
    for (const item of node.items as unknown[]) {
      if (isPair(item)) {
        const key = item.key as Node | null;
        if (isScalar(key)) {
          const k = String(key.value);
          if (seen.has(k)) {
            problems.push(
              problem('duplicate-key', 'error', `Duplicate key "${k}": each key may appear once in a mapping.`, {
                start: key.range![0],
                end: key.range![1],
              }),
            );
          } else seen.set(k, true);
        } else if (key && isCollection(key)) {
          problems.push(
            problem('invalid-value', 'error', 'Keys must be plain scalars, not collections.', {
              start: key.range?.[0] ?? 0,
              end: key.range?.[1] ?? 0,
            }),
          );
        }
        const value = item.value as Node | null;
        if (value) stack.push([value, depth + 1]);
      } else if (item) {
        stack.push([item as Node, depth + 1]);
      }
    }
  }
  return { problems, tooDeep: false };
}

function checkTag(node: Node, text: string, problems: Problem[]): void {
  const tag = node.tag;
  if (!tag || CORE_TAGS.has(tag)) return;
  const start = node.range?.[0] ?? 0;
  const before = text.lastIndexOf('!', start + 1);
  const at = before >= 0 && start - before < 200 ? before : start;
  problems.push(
    problem('yaml-tag', 'error', `Custom YAML tag "${tag}" is not allowed; DAG files use plain YAML 1.2 values.`, {
      start: at,
      end: at + Math.min(tag.length, 40),
    }),
  );
}
