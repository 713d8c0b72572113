import type { Node } from 'web-tree-sitter';

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\n': '',
};

/** Python's backslash escapes of a (non-raw) string literal's content. */
export function unescapePython(s: string): string {
  return s.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{1,3}|[\s\S])/g, (all, e: string) => {
    if (e in SIMPLE_ESCAPES) return SIMPLE_ESCAPES[e]!;
    // Python refuses code points past U+10FFFF; so does fromCodePoint, by throwing: kept as written.
    const point = /^[xuU]/.test(e) ? parseInt(e.slice(1), 16) : /^[0-7]+$/.test(e) ? parseInt(e, 8) : undefined;
    if (point !== undefined) return point <= 0x10ffff ? String.fromCodePoint(point) : all;
    return all;
  });
}

export interface StringPrefix {
  readonly raw: boolean;
  readonly format: boolean;
  readonly bytes: boolean;
}

export function stringPrefix(stringNode: Node): StringPrefix {
  const start = stringNode.children.find((c) => c?.type === 'string_start')?.text ?? '"';
  const prefix = start.replace(/["']+$/, '').toLowerCase();
  return { raw: prefix.includes('r'), format: prefix.includes('f'), bytes: prefix.includes('b') };
}

/** The literal text of one `string_content` piece, escapes decoded as Python would. */
export function decodeContent(text: string, prefix: StringPrefix): string {
  const braces = prefix.format ? text.replace(/\{\{/g, '{').replace(/\}\}/g, '}') : text;
  return prefix.raw ? braces : unescapePython(braces);
}
