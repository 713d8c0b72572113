import * as yaml from 'yaml';
import type { Document, Node, Pair, Scalar, YAMLMap } from 'yaml';
import type { OffsetRange } from './problem';

// Bound once: a bundler's CommonJS interop turns each `yaml.isX(...)` call into a getter lookup,
// and these run for every node of every keystroke's validation.
export const isAlias = yaml.isAlias;
export const isMap = yaml.isMap;
export const isScalar = yaml.isScalar;
export const isSeq = yaml.isSeq;
export const isPair = yaml.isPair;
export const isCollection = yaml.isCollection;

/** Aliases expanded per document before it is refused as an alias bomb (maxAliasCount 100). */
export const MAX_ALIAS_EXPANSIONS = 100;

export interface AliasBudget {
  left: number;
  exceeded: boolean;
}

export function newAliasBudget(): AliasBudget {
  return { left: MAX_ALIAS_EXPANSIONS, exceeded: false };
}

/** Follows an alias within the budget; undefined when the budget is spent or the anchor is missing. */
export function deref(node: unknown, doc: Document.Parsed, budget: AliasBudget): Node | undefined {
  if (!isAlias(node)) return (node ?? undefined) as Node | undefined;
  if (budget.left <= 0) {
    budget.exceeded = true;
    return undefined;
  }
  budget.left--;
  const target = node.resolve(doc);
  return isAlias(target) ? undefined : (target as Node | undefined);
}

export function rangeOf(node: { range?: [number, number, number] | null } | null | undefined): OffsetRange {
  const r = node?.range;
  return r ? { start: r[0], end: r[1] } : { start: 0, end: 0 };
}

export function pairs(map: YAMLMap): Array<Pair<Scalar, Node | null>> {
  return map.items.filter((p) => isScalar(p.key)) as Array<Pair<Scalar, Node | null>>;
}

/** The map entry for `key`, if the value is present (aliases not followed). */
export function entry(map: YAMLMap, key: string): Pair<Scalar, Node | null> | undefined {
  for (const p of map.items) {
    if (!isScalar(p.key)) continue;
    const k = p.key.value;
    if (k === key || (typeof k !== 'string' && String(k) === key)) return p as Pair<Scalar, Node | null>;
  }
  return undefined;
}

export function mapAt(map: YAMLMap, key: string): YAMLMap | undefined {
  const v = entry(map, key)?.value;
  return isMap(v) ? v : undefined;
}

export function stringItems(node: unknown): Scalar[] {
  if (isSeq(node)) return node.items.filter(isScalar);
  if (isScalar(node)) return [node];
  return [];
}

export function scalarText(node: Scalar): string {
  return node.value === null || node.value === undefined ? '' : String(node.value);
}

/**
 * A string scalar's value, sliced from the source when it is written there as it is. yaml builds a
 * double-quoted value one character at a time, and the first read of such a string copies it: on a
 * file of quoted templates that copying cost more than all of our checks.
 */
export function stringValue(node: Scalar, text: string): string {
  const r = node.range;
  if (r && node.type === 'QUOTE_DOUBLE' && quotedAsIs(text, r[0], r[1])) return text.slice(r[0] + 1, r[1] - 1);
  return String(node.value);
}

/** A double-quoted scalar at [start, end) whose value is its source between the quotes: no escape, no fold. */
function quotedAsIs(text: string, start: number, end: number): boolean {
  if (end - start < 2 || text.charCodeAt(start) !== 0x22 || text.charCodeAt(end - 1) !== 0x22) return false;
  for (let i = start + 1; i < end - 1; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c || c === 0x0a || c === 0x0d) return false;
  }
  return true;
}

/**
 * Where a scalar's value starts in the source when its text is there as it is (plain, or quoted
 * without escapes), so spans inside the value map by one addition; undefined otherwise.
 */
export function valueOffset(node: Scalar, text: string): number | undefined {
  const r = node.range;
  if (!r) return undefined;
  if (node.type === 'QUOTE_DOUBLE') return quotedAsIs(text, r[0], r[1]) ? r[0] + 1 : undefined;
  const value = String(node.value);
  const len = r[1] - r[0];
  if (node.type === 'PLAIN' && len === value.length && text.startsWith(value, r[0])) return r[0];
  if (node.type === 'QUOTE_SINGLE' && len === value.length + 2 && text.startsWith(value, r[0] + 1)) return r[0] + 1;
  return undefined;
}

export function valueSpanToSource(node: Scalar, text: string, start: number, end: number): OffsetRange {
  const r = node.range;
  if (!r) return { start: 0, end: 0 };
  const base = valueOffset(node, text);
  return base === undefined ? { start: r[0], end: r[1] } : { start: base + start, end: base + end };
}
