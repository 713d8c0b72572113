import { own } from '../util/dict';
import { isMap, isScalar, type Node } from 'yaml';
import type { Analysis } from '../dag/analyze';
import type { OffsetRange } from '../dag/problem';
import { rangeOf } from '../dag/yamlNodes';

export interface OutlineItem {
  readonly name: string;
  readonly detail?: string;
  readonly kind: 'dag' | 'section' | 'task' | 'group' | 'volume' | 'param' | 'key';
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
    const grouped = name === 'tasks' ? byGroup(a, children) : children;
    const detail = name === 'dag' && isScalar(value) ? String(value.value) : undefined;
    out.push({
      name,
      ...(detail ? { detail } : {}),
      kind: childKind ? 'section' : 'key',
      range: { start: rangeOf(key).start, end: Math.max(rangeOf(key).end, rangeOf(value).end) },
      selectionRange: rangeOf(key),
      children: grouped,
    });
  }
  return out;
}

/**
 * Tasks under their groups (nested for dotted names), as the graph draws them; tasks without a
 * group stay where they are. A group spans its tasks, so breadcrumbs show it.
 */
function byGroup(a: Analysis, tasks: readonly OutlineItem[]): OutlineItem[] {
  const groupOf = a.symbols?.taskGroups;
  if (!groupOf?.size) return [...tasks];
  type Node = { name: string; items: Array<OutlineItem | Node> };
  const root: Node = { name: '', items: [] };
  const nodes = new Map<string, Node>([['', root]]);
  const nodeFor = (path: string): Node => {
    const existing = nodes.get(path);
    if (existing) return existing;
    const dot = path.lastIndexOf('.');
    const parent = nodeFor(dot > 0 ? path.slice(0, dot) : '');
    const n: Node = { name: path, items: [] };
    parent.items.push(n);
    nodes.set(path, n);
    return n;
  };
  for (const t of tasks) nodeFor(groupOf.get(t.name) ?? '').items.push(t);
  const toItem = (n: Node): OutlineItem => {
    const children = n.items.map((x) => ('items' in x ? toItem(x) : x));
    const start = Math.min(...children.map((c) => c.range.start));
    const end = Math.max(...children.map((c) => c.range.end));
    const decl = a.symbols?.groups.get(n.name);
    return {
      name: n.name.slice(n.name.lastIndexOf('.') + 1),
      detail: `group ${n.name}`,
      kind: 'group',
      range: { start, end },
      selectionRange:
        decl && decl.keyRange.start >= start && decl.keyRange.end <= end ? decl.keyRange : { start, end: start },
      children,
    };
  };
  return root.items.map((x) => ('items' in x ? toItem(x) : x));
}
