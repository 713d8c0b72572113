import { isMap, isScalar, isSeq, type Document, type Node } from 'yaml';

export interface AstHit {
  /** Keys (and list indexes) from the root to the hit. */
  readonly path: readonly string[];
  /** True when the offset is on a key rather than a value. */
  readonly onKey: boolean;
  readonly range: { readonly start: number; readonly end: number };
}

/** The deepest key or scalar value under an offset, with its path. */
export function astPathAt(doc: Document.Parsed, offset: number): AstHit | undefined {
  let node: unknown = doc.contents;
  const path: string[] = [];
  for (let depth = 0; depth < 64; depth++) {
    if (isMap(node)) {
      let next: unknown;
      for (const pair of node.items) {
        const key = pair.key as Node | null;
        if (isScalar(key) && key.range && offset >= key.range[0] && offset <= key.range[1]) {
          return { path: [...path, String(key.value)], onKey: true, range: { start: key.range[0], end: key.range[1] } };
        }
        const value = pair.value as Node | null;
        if (isScalar(key) && value?.range && offset >= value.range[0] && offset <= value.range[1]) {
          path.push(String(key.value));
          next = value;
          break;
        }
      }
      if (next === undefined) return undefined;
      node = next;
    } else if (isSeq(node)) {
      const i = node.items.findIndex((it) => {
        const r = (it as Node | null)?.range;
        return r && offset >= r[0] && offset <= r[1];
      });
      if (i < 0) return undefined;
      path.push(String(i));
      node = node.items[i];
    } else if (isScalar(node) && node.range) {
      return { path, onKey: false, range: { start: node.range[0], end: node.range[1] } };
    } else return undefined;
  }
  return undefined;
}
