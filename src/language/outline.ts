import { own } from '../util/dict';
import { isMap, isScalar, type Node } from 'yaml';
import type { Analysis } from '../dag/analyze';
import type { OffsetRange } from '../dag/problem';
import { rangeOf } from '../dag/yamlNodes';

export interface OutlineItem {
  readonly name: string;
  readonly detail?: string;
  readonly kind: 'dag' | 'section' | 'task' | 'volume' | 'param' | 'key';
  readonly range: OffsetRange;
  readonly selectionRange: OffsetRange;
  readonly children: readonly OutlineItem[];
}

const SECTION_CHILDREN: Record<string, OutlineItem['kind']> = { tasks: 'task', volumes: 'volume', params: 'param' };

/** Top-level keys, with tasks, volumes and params as children: the Outline view and breadcrumbs. */
export function outline(a: Analysis): OutlineItem[] {
  const root = a.parsed.doc?.contents;
  if (!isMap(root)) return [];
  const out: OutlineItem[] = [];
  for (const pair of root.items) {
    const key = pair.key as Node;
    if (!isScalar(key)) continue;
    const name = String(key.value);
    const value = pair.value as Node | null;
    const childKind = own(SECTION_CHILDREN, name);
    const children: OutlineItem[] = [];
    if (childKind && isMap(value)) {
      for (const p of value.items) {
        const k = p.key as Node;
        if (!isScalar(k)) continue;
        const id = String(k.value);
        const v = p.value as Node | null;
        const detail = childKind === 'task' ? a.dag?.tasks.find((t) => t.id === id)?.image : undefined;
        children.push({
          name: id,
          ...(detail ? { detail } : {}),
          kind: childKind,
          range: { start: rangeOf(k).start, end: Math.max(rangeOf(k).end, rangeOf(v).end) },
          selectionRange: rangeOf(k),
          children: [],
        });
      }
    }
    const detail = name === 'dag' && isScalar(value) ? String(value.value) : undefined;
    out.push({
      name,
      ...(detail ? { detail } : {}),
      kind: childKind ? 'section' : 'key',
      range: { start: rangeOf(key).start, end: Math.max(rangeOf(key).end, rangeOf(value).end) },
      selectionRange: rangeOf(key),
      children,
    });
  }
  return out;
}
