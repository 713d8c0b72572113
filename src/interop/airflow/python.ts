/** Writing Python source: literals and keyword-argument calls, formatted the way Black would lay them out. */

export type Py = string | number | boolean | null | readonly Py[] | PyCall | PyRaw | { readonly [key: string]: Py };

export interface PyCall {
  readonly call: string;
  readonly args?: readonly Py[];
  readonly kwargs?: Readonly<Record<string, Py | undefined>>;
}

/** Source text used as it is (a variable, an expression). */
export interface PyRaw {
  readonly raw: string;
}

export function raw(text: string): PyRaw {
  return { raw: text };
}

export function call(
  name: string,
  kwargs: Readonly<Record<string, Py | undefined>> = {},
  args: readonly Py[] = [],
): PyCall {
  return { call: name, args, kwargs };
}

/** A Python string literal: JSON's escapes are Python's too. */
export function pyStr(s: string): string {
  return JSON.stringify(s);
}

const WIDTH = 100;

export function py(v: Py, indent = 0): string {
  const pad = '    '.repeat(indent);
  const inner = '    '.repeat(indent + 1);
  if (v === null) return 'None';
  if (typeof v === 'string') return pyStr(v);
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (Array.isArray(v)) {
    const items = (v as readonly Py[]).map((x) => py(x, indent + 1));
    const flat = `[${items.join(', ')}]`;
    if (flat.length + pad.length < WIDTH && !flat.includes('\n')) return flat;
    return `[\n${items.map((i) => `${inner}${i},`).join('\n')}\n${pad}]`;
  }
  if (typeof v === 'object' && 'raw' in v) return (v as PyRaw).raw;
  if (typeof v === 'object' && 'call' in v) {
    const c = v as PyCall;
    const parts = [
      ...(c.args ?? []).map((a) => py(a, indent + 1)),
      ...Object.entries(c.kwargs ?? {})
        .filter((e): e is [string, Py] => e[1] !== undefined)
        .map(([k, a]) => `${k}=${py(a, indent + 1)}`),
    ];
    const flat = `${c.call}(${parts.join(', ')})`;
    if (flat.length + pad.length < WIDTH && !flat.includes('\n')) return flat;
    return `${c.call}(\n${parts.map((p) => `${inner}${p},`).join('\n')}\n${pad})`;
  }
  const entries = Object.entries(v as Record<string, Py>).map(([k, x]) => `${pyStr(k)}: ${py(x, indent + 1)}`);
  const flat = `{${entries.join(', ')}}`;
  if (flat.length + pad.length < WIDTH && !flat.includes('\n')) return flat;
  return `{\n${entries.map((e) => `${inner}${e},`).join('\n')}\n${pad}}`;
}
