/** Writing Python source: literals and keyword-argument calls, formatted the way Black would lay them out. */

export type Py = string | number | boolean | null | readonly Py[] | PyCall | PyRaw | { readonly [key: string]: Py };

/** A call: made only by `call()`, so a user's map with a key named "call" stays a map. */
export class PyCall {
  constructor(
    readonly callee: string,
    readonly args: readonly Py[],
    readonly kwargs: Readonly<Record<string, Py | undefined>>,
  ) {}
}

/** Source text used as it is (a variable, an expression): made only here, never from user data. */
export class PyRaw {
  constructor(readonly text: string) {}
}

export function raw(text: string): PyRaw {
  return new PyRaw(text);
}

export function call(
  name: string,
  kwargs: Readonly<Record<string, Py | undefined>> = {},
  args: readonly Py[] = [],
): PyCall {
  return new PyCall(name, args, kwargs);
}

/** A Python string literal: JSON's escapes are Python's too. */
export function pyStr(s: string): string {
  return JSON.stringify(s);
}

/** Control characters (but tab and, when kept, line feed) as spaces. */
function controlsAsSpaces(s: string, keepNewlines: boolean): string {
  return Array.from(s, (ch) => {
    const c = ch.codePointAt(0)!;
    const control = c < 0x20 || c === 0x7f || c === 0x2028 || c === 0x2029;
    return control && c !== 0x09 && !(keepNewlines && c === 0x0a) ? ' ' : ch;
  }).join('');
}

/** Text for inside a triple-quoted docstring: no way out of it, no control characters. */
export function docText(s: string): string {
  return controlsAsSpaces(s, true).replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

/** A name for a one-line comment (`# …`): line breaks and control characters become spaces. */
export function commentText(s: string): string {
  return controlsAsSpaces(s, false);
}

const WIDTH = 100;

export function py(v: Py, indent = 0): string {
  const pad = '    '.repeat(indent);
  const inner = '    '.repeat(indent + 1);
  if (v === null) return 'None';
  if (typeof v === 'string') return pyStr(v);
  // YAML's .nan and .inf are numbers too; Python spells them as floats.
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : `float("${String(v).replace('Infinity', 'inf')}")`;
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (Array.isArray(v)) {
    const items = (v as readonly Py[]).map((x) => py(x, indent + 1));
    const flat = `[${items.join(', ')}]`;
    if (flat.length + pad.length < WIDTH && !flat.includes('\n')) return flat;
    return `[\n${items.map((i) => `${inner}${i},`).join('\n')}\n${pad}]`;
  }
  if (v instanceof PyRaw) return v.text;
  if (v instanceof PyCall) {
    const c = v;
    const parts = [
      ...c.args.map((a) => py(a, indent + 1)),
      ...Object.entries(c.kwargs)
        .filter((e): e is [string, Py] => e[1] !== undefined)
        .map(([k, a]) => `${k}=${py(a, indent + 1)}`),
    ];
    const flat = `${c.callee}(${parts.join(', ')})`;
    if (flat.length + pad.length < WIDTH && !flat.includes('\n')) return flat;
    return `${c.callee}(\n${parts.map((p) => `${inner}${p},`).join('\n')}\n${pad})`;
  }
  const entries = Object.entries(v as Record<string, Py>).map(([k, x]) => `${pyStr(k)}: ${py(x, indent + 1)}`);
  const flat = `{${entries.join(', ')}}`;
  if (flat.length + pad.length < WIDTH && !flat.includes('\n')) return flat;
  return `{\n${entries.map((e) => `${inner}${e},`).join('\n')}\n${pad}}`;
}
