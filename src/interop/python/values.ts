import type { Node } from 'web-tree-sitter';
import { decodeContent, stringPrefix } from './strings';

/**
 * What a Python expression of a DAG file is, as far as can be known without running it: literals,
 * containers, calls (kept symbolic, so `Mount(...)` or `timedelta(...)` can be read by whoever knows
 * them), environment reads, and names. Anything computed is `unknown`, with why, so the caller can
 * report the line instead of guessing.
 */
export type PyValue =
  | { readonly kind: 'str'; readonly value: string; readonly node: Node }
  | { readonly kind: 'num'; readonly value: number; readonly node: Node }
  | { readonly kind: 'bool'; readonly value: boolean; readonly node: Node }
  | { readonly kind: 'none'; readonly node: Node }
  | { readonly kind: 'list'; readonly items: readonly PyValue[]; readonly node: Node }
  | { readonly kind: 'dict'; readonly entries: readonly DictEntry[]; readonly node: Node }
  | {
      readonly kind: 'call';
      readonly callee: string;
      readonly args: readonly PyValue[];
      readonly kwargs: Kwargs;
      readonly node: Node;
    }
  /** `os.environ["X"]`, `os.environ.get("X", d)`, `os.getenv("X")`: read where the DAG file is parsed. */
  | { readonly kind: 'env'; readonly name: string; readonly fallback?: PyValue; readonly node: Node }
  /** A string built by `+` or an f-string from literals and environment reads. */
  | { readonly kind: 'concat'; readonly parts: readonly (PyValue & { kind: 'str' | 'env' })[]; readonly node: Node }
  /** A name with no value known here: an operator variable, the DAG, an imported class. */
  | { readonly kind: 'ref'; readonly name: string; readonly node: Node }
  | { readonly kind: 'unknown'; readonly why: string; readonly node: Node };

export interface DictEntry {
  readonly key: PyValue;
  readonly value: PyValue;
}

export type Kwargs = ReadonlyMap<string, PyValue>;

/** Module-level bindings and imports, in the order the file makes them. */
export class Scope {
  readonly values = new Map<string, PyValue>();
  /** Local name → fully qualified name (`dt` → `datetime`, `k8s` → `kubernetes.client.models`). */
  readonly imports = new Map<string, string>();

  /** `k8s.V1Volume` → `kubernetes.client.models.V1Volume`; unknown roots stay as written. */
  qualify(dotted: string): string {
    const [root, ...rest] = dotted.split('.');
    const full = this.imports.get(root!);
    return full ? [full, ...rest].join('.') : dotted;
  }
}

/** The last part of a qualified name: `airflow.providers.docker.operators.docker.DockerOperator` → `DockerOperator`. */
export function shortName(qualified: string): string {
  return qualified.slice(qualified.lastIndexOf('.') + 1);
}

/** `a.b.c` as text when the node is a plain dotted name, else undefined. */
export function dottedName(node: Node): string | undefined {
  if (node.type === 'identifier') return node.text;
  if (node.type === 'attribute') {
    const obj = node.childForFieldName('object');
    const attr = node.childForFieldName('attribute');
    const left = obj ? dottedName(obj) : undefined;
    return left && attr ? `${left}.${attr.text}` : undefined;
  }
  return undefined;
}

const ENVIRON = new Set(['os.environ']);
const GETENV = new Set(['os.getenv', 'os.environ.get']);

export function evaluate(node: Node, scope: Scope): PyValue {
  switch (node.type) {
    case 'string':
    case 'concatenated_string':
      return evalString(node, scope);
    case 'integer':
      return { kind: 'num', value: Number(node.text.replace(/_/g, '').replace(/[lLjJ]$/, '')), node };
    case 'float':
      return { kind: 'num', value: Number(node.text.replace(/_/g, '')), node };
    case 'true':
    case 'false':
      return { kind: 'bool', value: node.type === 'true', node };
    case 'none':
      return { kind: 'none', node };
    case 'parenthesized_expression': {
      const inner = node.namedChildren.find((c): c is Node => !!c && c.type !== 'comment');
      return inner ? evaluate(inner, scope) : unknown(node, 'an empty expression');
    }
    case 'unary_operator': {
      const arg = node.childForFieldName('argument');
      const op = node.childForFieldName('operator')?.text;
      const v = arg ? evaluate(arg, scope) : undefined;
      if (v?.kind === 'num' && (op === '-' || op === '+'))
        return { kind: 'num', value: op === '-' ? -v.value : v.value, node };
      return unknown(node, 'a computed value');
    }
    case 'list':
    case 'tuple':
      return evalSequence(node, scope);
    case 'dictionary':
      return evalDict(node, scope);
    case 'identifier': {
      const bound = scope.values.get(node.text);
      if (bound) return bound;
      return { kind: 'ref', name: scope.qualify(node.text), node };
    }
    case 'attribute':
      return evalAttribute(node, scope);
    case 'subscript':
      return evalSubscript(node, scope);
    case 'call':
      return evalCall(node, scope);
    case 'binary_operator':
      return evalBinary(node, scope);
    default:
      return unknown(node, `a ${node.type.replace(/_/g, ' ')}`);
  }
}

export function unknown(node: Node, why: string): PyValue {
  return { kind: 'unknown', why, node };
}

function named(node: Node): Node[] {
  return node.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
}

function evalString(node: Node, scope: Scope): PyValue {
  const parts: (PyValue & { kind: 'str' | 'env' })[] = [];
  const pieces = node.type === 'concatenated_string' ? named(node).filter((c) => c.type === 'string') : [node];
  for (const piece of pieces) {
    const prefix = stringPrefix(piece);
    if (prefix.bytes) return unknown(piece, 'a bytes literal');
    for (const child of named(piece)) {
      if (child.type === 'string_content')
        parts.push({ kind: 'str', value: decodeContent(child.text, prefix), node: child });
      else if (child.type === 'interpolation') {
        const expr = child.childForFieldName('expression') ?? named(child)[0];
        if (!expr || child.childForFieldName('format_specifier') || child.childForFieldName('type_conversion'))
          return unknown(child, 'an f-string field with a format');
        const v = evaluate(expr, scope);
        if (v.kind === 'str' || v.kind === 'env') parts.push(v);
        else if (v.kind === 'num') parts.push({ kind: 'str', value: String(v.value), node: child });
        else if (v.kind === 'concat') parts.push(...v.parts);
        else return unknown(child, `an f-string field whose value is not known here (${describe(v)})`);
      }
    }
  }
  return joinParts(parts, node);
}

function joinParts(parts: readonly (PyValue & { kind: 'str' | 'env' })[], node: Node): PyValue {
  const merged: (PyValue & { kind: 'str' | 'env' })[] = [];
  for (const p of parts) {
    const last = merged.at(-1);
    if (p.kind === 'str' && last?.kind === 'str')
      merged[merged.length - 1] = { kind: 'str', value: last.value + p.value, node };
    else merged.push(p);
  }
  if (merged.length === 0) return { kind: 'str', value: '', node };
  if (merged.length === 1 && merged[0]!.kind === 'str') return { kind: 'str', value: merged[0]!.value, node };
  return { kind: 'concat', parts: merged, node };
}

function evalSequence(node: Node, scope: Scope): PyValue {
  const items: PyValue[] = [];
  for (const child of named(node)) {
    if (child.type === 'list_splat') {
      const inner = named(child)[0];
      const v = inner ? evaluate(inner, scope) : unknown(child, 'a splat');
      if (v.kind === 'list') items.push(...v.items);
      else items.push(unknown(child, 'a splat of a value not known here'));
    } else items.push(evaluate(child, scope));
  }
  return { kind: 'list', items, node };
}

function evalDict(node: Node, scope: Scope): PyValue {
  const entries: DictEntry[] = [];
  for (const child of named(node)) {
    if (child.type === 'pair') {
      const k = child.childForFieldName('key');
      const v = child.childForFieldName('value');
      if (k && v) entries.push({ key: evaluate(k, scope), value: evaluate(v, scope) });
    } else if (child.type === 'dictionary_splat') {
      const inner = named(child)[0];
      const v = inner ? evaluate(inner, scope) : unknown(child, 'a splat');
      if (v.kind === 'dict') entries.push(...v.entries);
      else entries.push({ key: unknown(child, 'a splat'), value: unknown(child, 'a splat of a value not known here') });
    } else entries.push({ key: unknown(child, `a ${child.type}`), value: unknown(child, 'a computed entry') });
  }
  return { kind: 'dict', entries, node };
}

function evalAttribute(node: Node, scope: Scope): PyValue {
  const dotted = dottedName(node);
  if (!dotted) return unknown(node, 'an attribute of a computed value');
  const qualified = scope.qualify(dotted);
  // Enum members Airflow users write for trigger rules: TriggerRule.ALL_DONE is "all_done".
  const rule = /(?:^|\.)TriggerRule\.([A-Z_]+)$/.exec(qualified);
  if (rule) return { kind: 'str', value: rule[1]!.toLowerCase(), node };
  return { kind: 'ref', name: qualified, node };
}

function evalSubscript(node: Node, scope: Scope): PyValue {
  const value = node.childForFieldName('value');
  const index = node.childForFieldName('subscript');
  if (!value || !index) return unknown(node, 'a subscript');
  const target = dottedName(value);
  const key = evaluate(index, scope);
  if (target && ENVIRON.has(scope.qualify(target))) {
    return key.kind === 'str'
      ? { kind: 'env', name: key.value, node }
      : unknown(node, 'an environment read with a computed name');
  }
  const container = evaluate(value, scope);
  if (container.kind === 'dict' && key.kind === 'str') {
    const hit = container.entries.find((e) => e.key.kind === 'str' && e.key.value === key.value);
    if (hit) return hit.value;
  }
  if (container.kind === 'list' && key.kind === 'num' && Number.isInteger(key.value)) {
    const hit = container.items.at(key.value);
    if (hit) return hit;
  }
  return unknown(node, 'an index into a value not known here');
}

function evalCall(node: Node, scope: Scope): PyValue {
  const fn = node.childForFieldName('function');
  const argList = node.childForFieldName('arguments');
  const dotted = fn ? dottedName(fn) : undefined;
  if (!dotted || !argList || argList.type !== 'argument_list') return unknown(node, 'a call of a computed function');
  const callee = scope.qualify(dotted);
  const args: PyValue[] = [];
  const kwargs = new Map<string, PyValue>();
  for (const a of named(argList)) {
    if (a.type === 'keyword_argument') {
      const name = a.childForFieldName('name')?.text;
      const v = a.childForFieldName('value');
      if (name && v) kwargs.set(name, evaluate(v, scope));
    } else if (a.type === 'dictionary_splat') {
      const inner = named(a)[0];
      const v = inner ? evaluate(inner, scope) : unknown(a, 'a splat');
      if (v.kind === 'dict') {
        for (const e of v.entries)
          if (e.key.kind === 'str' && !kwargs.has(e.key.value)) kwargs.set(e.key.value, e.value);
      } else kwargs.set('**', unknown(a, 'keyword arguments from a value not known here'));
    } else if (a.type === 'list_splat') {
      const inner = named(a)[0];
      const v = inner ? evaluate(inner, scope) : unknown(a, 'a splat');
      if (v.kind === 'list') args.push(...v.items);
      else args.push(unknown(a, 'arguments from a value not known here'));
    } else args.push(evaluate(a, scope));
  }
  if (ENVIRON.has(callee.replace(/\.get$/, '')) || GETENV.has(callee)) {
    const name = args[0];
    if (name?.kind !== 'str') return unknown(node, 'an environment read with a computed name');
    return { kind: 'env', name: name.value, fallback: args[1] ?? kwargs.get('default'), node };
  }
  if (callee === 'dict' && args.length === 0) {
    return {
      kind: 'dict',
      entries: [...kwargs].map(([k, v]) => ({ key: { kind: 'str', value: k, node }, value: v })),
      node,
    };
  }
  return { kind: 'call', callee, args, kwargs, node };
}

function evalBinary(node: Node, scope: Scope): PyValue {
  const op = node.childForFieldName('operator')?.text;
  const l = node.childForFieldName('left');
  const r = node.childForFieldName('right');
  if (!l || !r) return unknown(node, 'an expression');
  if (op !== '+' && op !== '-' && op !== '*') return unknown(node, `a computed value (${op ?? '?'})`);
  const a = evaluate(l, scope);
  const b = evaluate(r, scope);
  if (a.kind === 'num' && b.kind === 'num') {
    const value = op === '+' ? a.value + b.value : op === '-' ? a.value - b.value : a.value * b.value;
    return { kind: 'num', value, node };
  }
  const stringy = (v: PyValue): v is PyValue & { kind: 'str' | 'env' | 'concat' } =>
    v.kind === 'str' || v.kind === 'env' || v.kind === 'concat';
  if (op === '+' && stringy(a) && stringy(b)) {
    const parts = [a, b].flatMap((v) => (v.kind === 'concat' ? v.parts : [v]));
    return joinParts(parts, node);
  }
  if (op === '+' && a.kind === 'list' && b.kind === 'list')
    return { kind: 'list', items: [...a.items, ...b.items], node };
  return unknown(node, 'a computed value');
}

/** A few words for a message: what kind of value this is. */
export function describe(v: PyValue): string {
  switch (v.kind) {
    case 'call':
      return `a call of ${shortName(v.callee)}`;
    case 'ref':
      return `the name ${v.name}`;
    case 'unknown':
      return v.why;
    case 'env':
      return `the environment variable ${v.name}`;
    default:
      return `a ${v.kind}`;
  }
}
