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
  for (const p of map.items) if (isScalar(p.key) && String(p.key.value) === key) return p as Pair<Scalar, Node | null>;
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
 * Where character `i` of a scalar's value sits in the source. Exact for plain and simple quoted
 * scalars; for escapes, folding or block scalars, the whole scalar is the best range we can give.
 */
/**
 * Where a scalar's value starts in the source when its text is there as it is (plain, or quoted
 * without escapes), so spans inside the value map by one addition; undefined otherwise.
 */
export function valueOffset(node: Scalar, text: string): number | undefined {
  const r = node.range;
  if (!r) return undefined;
  const value = String(node.value);
  const len = r[1] - r[0];
  if (node.type === 'PLAIN' && len === value.length && text.startsWith(value, r[0])) return r[0];
  const quoted = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE';
  if (quoted && len === value.length + 2 && text.startsWith(value, r[0] + 1)) return r[0] + 1;
  return undefined;
}

export function valueSpanToSource(node: Scalar, text: string, start: number, end: number): OffsetRange {
  const r = node.range;
  if (!r) return { start: 0, end: 0 };
  const value = String(node.value);
  const len = r[1] - r[0];
  // Compare in place (no slice): this runs for every template of the file.
  if (node.type === 'PLAIN' && len === value.length && text.startsWith(value, r[0])) {
    return { start: r[0] + start, end: r[0] + end };
  }
  const quoted = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE';
  if (quoted && len === value.length + 2 && text.startsWith(value, r[0] + 1)) {
    return { start: r[0] + 1 + start, end: r[0] + 1 + end };
  }
  return { start: r[0], end: r[1] };
}
