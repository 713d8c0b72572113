import { type Document, type YAMLMap } from 'yaml';
import { parseMount, type ParsedMount } from './mount';
import type { Errorable } from '../util/errorable';
import type { OffsetRange } from './problem';
import type { TemplateExpr } from './template';
import type { TemplatedValue } from './schemaWalk';
import { entry, isMap, isScalar, mapAt, pairs, rangeOf, stringItems, valueSpanToSource } from './yamlNodes';

export interface Declaration {
  readonly name: string;
  /** The key. */
  readonly keyRange: OffsetRange;
  /** Key through the end of its value. */
  readonly range: OffsetRange;
}

export interface Reference {
  readonly name: string;
  readonly range: OffsetRange;
  /** The task whose field holds the reference, if any. */
  readonly owner?: string;
}

export interface TemplateOccurrence {
  readonly expr: TemplateExpr;
  /** The whole `{{ }}` in the source. */
  readonly range: OffsetRange;
  readonly nameRange: OffsetRange;
  readonly owner?: string;
  readonly node: TemplatedValue['node'];
}

/** Where names are declared and used, for navigation, rename and semantic checks. */
export interface SymbolIndex {
  readonly tasks: ReadonlyMap<string, Declaration>;
  readonly volumes: ReadonlyMap<string, Declaration>;
  readonly params: ReadonlyMap<string, Declaration>;
  readonly taskRefs: readonly Reference[];
  readonly volumeRefs: readonly Reference[];
  readonly paramRefs: readonly Reference[];
  readonly templates: readonly TemplateOccurrence[];
  /** Every mount string of `defaults` and the tasks, parsed once. */
  readonly mounts: readonly MountEntry[];
  readonly dagKey?: OffsetRange;
  readonly dagId?: string;
}

export interface MountEntry {
  readonly node: import('yaml').Scalar;
  readonly parsed: Errorable<ParsedMount>;
  /** The source part (volume name or host path) in the document. */
  readonly sourceRange?: OffsetRange;
  readonly owner?: string;
}

function declarations(map: YAMLMap | undefined): Map<string, Declaration> {
  const out = new Map<string, Declaration>();
  if (!map) return out;
  for (const p of pairs(map)) {
    const name = String(p.key.value);
    if (out.has(name)) continue;
    const keyRange = rangeOf(p.key);
    const end = p.value ? rangeOf(p.value).end : keyRange.end;
    out.set(name, { name, keyRange, range: { start: keyRange.start, end: Math.max(end, keyRange.end) } });
  }
  return out;
}

export function buildSymbols(doc: Document.Parsed, text: string, templated: readonly TemplatedValue[]): SymbolIndex {
  const root = isMap(doc.contents) ? doc.contents : undefined;
  const tasksMap = root ? mapAt(root, 'tasks') : undefined;
  const taskRefs: Reference[] = [];
  const volumeRefs: Reference[] = [];
  const paramRefs: Reference[] = [];
  const mounts: MountEntry[] = [];
  const mountRefs = (owner: string | undefined, task: YAMLMap) => {
    for (const item of stringItems(entry(task, 'mounts')?.value)) {
      if (typeof item.value !== 'string') continue;
      const m = parseMount(item.value);
      const s = m.succeeded ? m.result.sourceSpan : undefined;
      const sourceRange = s ? valueSpanToSource(item, text, s.start, s.end) : undefined;
      mounts.push({ node: item, parsed: m, ...(sourceRange ? { sourceRange } : {}), ...(owner ? { owner } : {}) });
      if (m.succeeded && m.result.volume && sourceRange) {
        volumeRefs.push({ name: m.result.volume, range: sourceRange, ...(owner ? { owner } : {}) });
      }
    }
  };
  if (tasksMap) {
    for (const p of pairs(tasksMap)) {
      const owner = String(p.key.value);
      if (!isMap(p.value)) continue;
      for (const item of stringItems(entry(p.value, 'depends_on')?.value)) {
        if (item.value === null) continue;
        taskRefs.push({ name: String(item.value), range: rangeOf(item), owner });
      }
      mountRefs(owner, p.value);
    }
  }
  const defaults = root ? mapAt(root, 'defaults') : undefined;
  if (defaults) mountRefs(undefined, defaults);

  const templates: TemplateOccurrence[] = [];
  for (const t of templated) {
    const owner = t.owner;
    for (const expr of t.scanned.exprs) {
      const occurrence: TemplateOccurrence = {
        expr,
        range: valueSpanToSource(t.node, text, expr.span.start, expr.span.end),
        nameRange: valueSpanToSource(t.node, text, expr.nameSpan.start, expr.nameSpan.end),
        node: t.node,
        ...(owner ? { owner } : {}),
      };
      templates.push(occurrence);
      if (expr.name.startsWith('params.')) {
        const r = valueSpanToSource(t.node, text, expr.nameSpan.start + 7, expr.nameSpan.end);
        paramRefs.push({ name: expr.name.slice(7), range: r, ...(owner ? { owner } : {}) });
      }
    }
  }
  const dagEntry = root ? entry(root, 'dag') : undefined;
  const dagId = dagEntry && isScalar(dagEntry.value) ? String(dagEntry.value.value) : undefined;
  return {
    tasks: declarations(tasksMap),
    volumes: declarations(root ? mapAt(root, 'volumes') : undefined),
    params: declarations(root ? mapAt(root, 'params') : undefined),
    taskRefs,
    volumeRefs,
    paramRefs,
    templates,
    mounts,
    ...(dagEntry && isScalar(dagEntry.value) ? { dagKey: rangeOf(dagEntry.value) } : {}),
    ...(dagId !== undefined ? { dagId } : {}),
  };
}
