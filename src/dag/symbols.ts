import { type Document, type YAMLMap } from 'yaml';
import { parseMount, type ParsedMount } from './mount';
import { structureSymbols, type StructureSymbols } from './structureSymbols';
import type { Errorable } from '../util/errorable';
import type { OffsetRange } from './problem';
import type { TemplateExpr } from './template';
import type { TemplatedValue } from './schemaWalk';
import {
  entry,
  isMap,
  isScalar,
  mapAt,
  pairs,
  rangeOf,
  stringItems,
  valueOffset,
  valueSpanToSource,
} from './yamlNodes';

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
export interface SymbolIndex extends StructureSymbols {
  readonly tasks: ReadonlyMap<string, Declaration>;
  readonly volumes: ReadonlyMap<string, Declaration>;
  readonly params: ReadonlyMap<string, Declaration>;
  readonly taskRefs: readonly Reference[];
  readonly volumeRefs: readonly Reference[];
  readonly paramRefs: readonly Reference[];
  readonly templates: readonly TemplateOccurrence[];
  /** Declared outputs, by `TASK.NAME` (the list item is the declaration). */
  readonly outputs: ReadonlyMap<string, Declaration>;
  /** The `ID` of each `{{ tasks.ID.outputs.NAME }}`: renamed with the task. */
  readonly outputTaskRefs: readonly Reference[];
  /** The `NAME` of each `{{ tasks.ID.outputs.NAME }}`, by `ID.NAME`. */
  readonly outputRefs: readonly Reference[];
  /** Each task's `expand` variables (the keys), by task. */
  readonly expandVars: ReadonlyMap<string, ReadonlyMap<string, Declaration>>;
  /** Each `{{ item.VAR }}` (by VAR) and `{{ map_index }}` (by `map_index`), with the task it is in. */
  readonly itemRefs: readonly Reference[];
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
  const outputs = new Map<string, Declaration>();
  const expandVars = new Map<string, Map<string, Declaration>>();
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
  const taskDecls = declarations(tasksMap);
  const structure = structureSymbols(
    tasksMap,
    root ? mapAt(root, 'groups') : undefined,
    root ? mapAt(root, 'services') : undefined,
    new Set(taskDecls.keys()),
    text,
    declarations,
  );
  if (tasksMap) {
    for (const p of pairs(tasksMap)) {
      const owner = String(p.key.value);
      if (!isMap(p.value)) continue;
      // One pass over the task's keys rather than a look-up per field: this runs for every task.
      // A duplicated key is an error of its own; as with `entry`, only its first occurrence counts.
      let seen = 0;
      for (const field of p.value.items) {
        const key = isScalar(field.key) ? field.key.value : undefined;
        const bit = key === 'depends_on' ? 1 : key === 'outputs' ? 2 : key === 'expand' ? 4 : 0;
        if (bit === 0 || seen & bit) continue;
        seen |= bit;
        if (key === 'depends_on') {
          for (const item of stringItems(field.value)) {
            if (item.value === null) continue;
            const name = String(item.value);
            // A group named in depends_on is the group's reference (structureSymbols), not a task's.
            if (!taskDecls.has(name) && structure.groups.has(name)) continue;
            taskRefs.push({ name, range: rangeOf(item), owner });
          }
        } else if (key === 'outputs') {
          for (const item of stringItems(field.value)) {
            if (item.value === null) continue;
            const name = `${owner}.${String(item.value)}`;
            if (!outputs.has(name)) outputs.set(name, { name, keyRange: rangeOf(item), range: rangeOf(item) });
          }
        } else if (key === 'expand' && isMap(field.value)) {
          expandVars.set(owner, declarations(field.value));
        }
      }
      mountRefs(owner, p.value);
    }
  }
  const defaults = root ? mapAt(root, 'defaults') : undefined;
  if (defaults) mountRefs(undefined, defaults);

  const outputTaskRefs: Reference[] = [];
  const outputRefs: Reference[] = [];
  const itemRefs: Reference[] = [];
  for (const t of templated) {
    const owner = t.owner;
    // One lookup per value: every span inside it then maps by an addition (a file has thousands).
    // Objects are written out (no spreads, no split): this loop runs for every template in the file.
    const base = valueOffset(t.node, text);
    const fallback = base === undefined ? rangeOf(t.node) : undefined;
    for (const expr of t.scanned.exprs) {
      const name = expr.name;
      const at = base === undefined ? 0 : base + expr.nameSpan.start;
      const c = name.charCodeAt(0);
      if (c === 112 /* p */ && name.startsWith('params.'))
        paramRefs.push({ name: name.slice(7), range: fallback ?? { start: at + 7, end: at + name.length }, owner });
      else if (c === 116 /* t */ && name.startsWith('tasks.')) {
        // tasks.ID.outputs.NAME, ID without dots (the id pattern), NAME the rest.
        const dot = name.indexOf('.', 6);
        if (dot < 0 || !name.startsWith('.outputs.', dot) || name.indexOf('.', dot + 9) >= 0) continue;
        const id = name.slice(6, dot);
        const output = name.slice(dot + 9);
        outputTaskRefs.push({ name: id, range: fallback ?? { start: at + 6, end: at + dot }, owner });
        outputRefs.push({
          name: `${id}.${output}`,
          range: fallback ?? { start: at + dot + 9, end: at + name.length },
          owner,
        });
      } else if (c === 105 /* i */ && name.startsWith('item.') && name.indexOf('.', 5) < 0)
        itemRefs.push({ name: name.slice(5), range: fallback ?? { start: at + 5, end: at + name.length }, owner });
      else if (name === 'map_index')
        itemRefs.push({ name: 'map_index', range: fallback ?? { start: at, end: at + name.length }, owner });
    }
  }
  // Every `{{ }}` with its source ranges, built when a hover first asks: validation never needs it.
  let templates: TemplateOccurrence[] | undefined;
  const occurrences = (): TemplateOccurrence[] => {
    const out: TemplateOccurrence[] = [];
    for (const t of templated) {
      const base = valueOffset(t.node, text);
      const fallback = base === undefined ? rangeOf(t.node) : undefined;
      for (const expr of t.scanned.exprs)
        out.push({
          expr,
          range: fallback ?? { start: base! + expr.span.start, end: base! + expr.span.end },
          nameRange: fallback ?? { start: base! + expr.nameSpan.start, end: base! + expr.nameSpan.end },
          node: t.node,
          owner: t.owner,
        });
    }
    return out;
  };
  const dagEntry = root ? entry(root, 'dag') : undefined;
  const dagId = dagEntry && isScalar(dagEntry.value) ? String(dagEntry.value.value) : undefined;
  return {
    ...structure,
    tasks: taskDecls,
    volumes: declarations(root ? mapAt(root, 'volumes') : undefined),
    params: declarations(root ? mapAt(root, 'params') : undefined),
    taskRefs,
    volumeRefs,
    paramRefs,
    get templates(): readonly TemplateOccurrence[] {
      return (templates ??= occurrences());
    },
    outputs,
    outputTaskRefs,
    outputRefs,
    expandVars,
    itemRefs,
    mounts,
    ...(dagEntry && isScalar(dagEntry.value) ? { dagKey: rangeOf(dagEntry.value) } : {}),
    ...(dagId !== undefined ? { dagId } : {}),
  };
}
