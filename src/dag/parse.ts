import { parseDocument, type Document, type Node } from 'yaml';
import { isAlias, isCollection, isMap, isPair, isScalar, isSeq } from './yamlNodes';
import { problem, type Problem } from './problem';

/** Above this many bytes (UTF-8) the file is refused before parsing: a 200k-key map would take seconds. */
export const MAX_FILE_BYTES = 1024 * 1024;
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
  const bytes = utf8Length(text, MAX_FILE_BYTES);
  if (bytes > MAX_FILE_BYTES) {
    return {
      text,
      problems: [
        problem(
          'file-too-large',
          'error',
          `This file is over ${MAX_FILE_BYTES / 1024} KiB (${MAX_FILE_BYTES} bytes), the limit for a DAG file. Split it into several DAGs.`,
          { start: 0, end: 0 },
        ),
      ],
      fatal: true,
    };
  }
  const deepAt = flowNestingBeyondLimit(text);
  if (deepAt >= 0) {
    return {
      text,
      problems: [
        problem('nesting-too-deep', 'error', `Nesting deeper than ${MAX_DEPTH} levels is refused; no DAG needs it.`, {
          start: deepAt,
          end: deepAt + 1,
        }),
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
    if (structural.refused && /call stack/i.test(e.message)) continue;
    const key = `${e.code}:${e.message}`;
    if (seen.has(key) || problems.length >= MAX_SYNTAX_PROBLEMS) continue;
    seen.add(key);
    const code = e.code === 'MULTIPLE_DOCS' ? 'multiple-documents' : 'yaml-syntax';
    const message =
      code === 'multiple-documents'
        ? 'A DAG file holds one YAML document; remove the `---` separator and what follows, or move it to its own file.'
        : `YAML syntax: ${firstLine(e.message)}`;
    // The parser may point one past the end of the text; ranges stay inside it.
    const start = Math.min(e.pos[0], text.length);
    problems.push(problem(code, 'error', message, { start, end: Math.min(Math.max(e.pos[1], start), text.length) }));
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
  let fatal = structural.refused || doc.errors.length > 0;
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

/** The UTF-8 length of a string, counted only as far as needed to tell that it is over `limit`. */
export function utf8Length(text: string, limit = Infinity): number {
  if (text.length > limit) return text.length;
  if (text.length * 3 <= limit) return text.length; // even all three-byte characters fit
  let bytes = 0;
  for (let i = 0; i < text.length && bytes <= limit; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/**
 * A linear pre-scan for `[[[[…` and `{{{{…`: the parser's recursion on 100k open brackets takes
 * seconds, so such input is refused before it is parsed. Quotes and comments are skipped. It jumps
 * from one character that matters to the next (a regular expression finds them natively), rather
 * than looking at every character of the file.
 */
export function flowNestingBeyondLimit(text: string): number {
  const at = /["'#[\]{}]/g;
  let depth = 0;
  for (let m = at.exec(text); m; m = at.exec(text)) {
    const i = m.index;
    const c = text.charCodeAt(i);
    if (c === DQUOTE || c === SQUOTE) {
      // A quote opens a quoted scalar only where one can start (not inside a word such as don't).
      if (i > 0 && !QUOTE_STARTERS.has(text.charCodeAt(i - 1))) continue;
      at.lastIndex = closingQuote(text, i, c) + 1;
    } else if (c === HASH) {
      if (i > 0 && !WHITESPACE.has(text.charCodeAt(i - 1))) continue;
      const nl = text.indexOf('\n', i);
      if (nl < 0) return -1;
      at.lastIndex = nl + 1;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > MAX_DEPTH) return i;
    } else if (depth > 0) depth--;
  }
  return -1;
}

/** Where the quoted scalar opened at `open` ends (its closing quote), or the end of the text. */
function closingQuote(text: string, open: number, quote: number): number {
  if (quote === SQUOTE) {
    const end = text.indexOf("'", open + 1);
    return end < 0 ? text.length : end;
  }
  const stop = /["\\]/g;
  stop.lastIndex = open + 1;
  for (let m = stop.exec(text); m; m = stop.exec(text)) {
    // A backslash escapes the character after it, a quote included.
    if (text.charCodeAt(m.index) === BACKSLASH) stop.lastIndex = m.index + 2;
    else return m.index;
  }
  return text.length;
}

const DQUOTE = 0x22;
const SQUOTE = 0x27;
const BACKSLASH = 0x5c;
const HASH = 0x23;
const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);
const QUOTE_STARTERS = new Set([...WHITESPACE, 0x5b, 0x7b, 0x2c, 0x3a]);

function firstLine(s: string): string {
  const i = s.indexOf('\n');
  return i < 0 ? s : s.slice(0, i);
}

const SMALL_MAP = 12;

function earlierKey(items: ReadonlyArray<{ key: unknown }>, before: number, k: unknown): boolean {
  for (let j = 0; j < before; j++) {
    const other = items[j]!.key;
    if (isScalar(other) && other.value === k) return true;
  }
  return false;
}

/** One iterative pass: nesting depth, duplicate keys, tags, and anchors on collections. */
function checkStructure(doc: Document.Parsed, text: string): { problems: Problem[]; refused: boolean } {
  const problems: Problem[] = [];
  const aliases = new AliasAccount(doc);
  // Two parallel stacks rather than a tuple per node: this pass visits every node of the file.
  const nodes: Node[] = [];
  const depths: number[] = [];
  if (doc.contents) {
    nodes.push(doc.contents);
    depths.push(1);
  }
  while (nodes.length > 0) {
    const node = nodes.pop()!;
    const depth = depths.pop()!;
    if (depth > MAX_DEPTH) {
      const start = node.range?.[0] ?? 0;
      problems.push(
        problem('nesting-too-deep', 'error', `Nesting deeper than ${MAX_DEPTH} levels is refused; no DAG needs it.`, {
          start,
          end: start + 1,
        }),
      );
      return { problems, refused: true };
    }
    if (node.tag) checkTag(node, text, problems);
    if (isAlias(node)) {
      const refused = aliases.add(node);
      if (refused) {
        problems.push(refused);
        return { problems, refused: true };
      }
      continue;
    }
    if (isMap(node)) {
      // Small maps (most of a DAG) compare pairwise without allocating; large ones use a Set.
      const items = node.items;
      const seen = items.length > SMALL_MAP ? new Set<unknown>() : undefined;
      for (let i = 0; i < items.length; i++) {
        const item = items[i]!;
        const key = item.key as Node | null;
        if (isScalar(key)) {
          const k = key.value;
          if (seen ? seen.has(k) : earlierKey(items, i, k)) {
            problems.push(
              problem(
                'duplicate-key',
                'error',
                `Duplicate key "${String(k)}": each key may appear once in a mapping.`,
                {
                  start: key.range![0],
                  end: key.range![1],
                },
              ),
            );
          } else seen?.add(k);
        } else if (key && isCollection(key)) {
          problems.push(
            problem('invalid-value', 'error', 'Keys must be plain scalars, not collections.', {
              start: key.range?.[0] ?? 0,
              end: key.range?.[1] ?? 0,
            }),
          );
        }
        const value = item.value as Node | null;
        if (value) {
          nodes.push(value);
          depths.push(depth + 1);
        }
      }
    } else if (isSeq(node)) {
      for (const item of node.items) {
        if (item) {
          nodes.push(item as Node);
          depths.push(depth + 1);
        }
      }
    }
  }
  return { problems, refused: false };
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
      end: Math.min(text.length, at + Math.min(tag.length, 40)),
    }),
  );
}

/** Aliases in one document, and how many nodes they expand to, before it is refused as an alias bomb. */
export const MAX_ALIASES = 100;
export const MAX_EXPANDED_NODES = 10_000;

/**
 * Counts what aliases would expand to without expanding them: each anchor's size is computed once,
 * so a billion-laughs document is measured in linear time and refused before anything walks it.
 */
class AliasAccount {
  private count = 0;
  private expanded = 0;
  private readonly sizes = new Map<Node, number>();

  constructor(private readonly doc: Document.Parsed) {}

  add(alias: import('yaml').Alias): Problem | undefined {
    this.count++;
    const target = alias.resolve(this.doc) as Node | undefined;
    this.expanded += target ? this.size(target, 0) : 0;
    if (this.count <= MAX_ALIASES && this.expanded <= MAX_EXPANDED_NODES) return undefined;
    const start = alias.range?.[0] ?? 0;
    return problem(
      'yaml-alias-limit',
      'error',
      `Aliases (*name) here expand to more than ${this.count > MAX_ALIASES ? `${MAX_ALIASES} aliases` : `${MAX_EXPANDED_NODES} values`}, as an alias bomb does. Write the values out, or use "defaults" for shared task fields.`,
      { start, end: alias.range?.[1] ?? start + 1 },
    );
  }

  private size(node: Node, depth: number): number {
    const known = this.sizes.get(node);
    if (known !== undefined) return known;
    if (depth > MAX_DEPTH) return MAX_EXPANDED_NODES + 1;
    let n = 1;
    if (isAlias(node)) {
      const t = node.resolve(this.doc) as Node | undefined;
      n = t ? this.size(t, depth + 1) : 1;
    } else if (isCollection(node)) {
      for (const item of node.items as unknown[]) {
        if (isPair(item)) {
          if (item.value) n += this.size(item.value as Node, depth + 1);
        } else if (item) n += this.size(item as Node, depth + 1);
        if (n > MAX_EXPANDED_NODES) break;
      }
    }
    this.sizes.set(node, n);
    return n;
  }
}
