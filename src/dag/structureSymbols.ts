import type { Scalar, YAMLMap } from 'yaml';
import type { Declaration, Reference } from './symbols';
import { entry, isMap, isScalar, pairs, rangeOf, stringItems, valueOffset } from './yamlNodes';

/** Groups and services: where they are declared and named. */
export interface StructureSymbols {
  /** Every group: declared under `groups`, or first named by a task (`group:`), outer groups of dotted names too. */
  readonly groups: ReadonlyMap<string, Declaration>;
  /** Each task's `group:` (every outer group of a dotted name, on its part of the name) and each `depends_on` naming a group. */
  readonly groupRefs: readonly Reference[];
  /** The `depends_on` entries among `groupRefs`: a task waiting for every task of a group. */
  readonly groupDependencies: readonly Reference[];
  /** The group each task is in. */
  readonly taskGroups: ReadonlyMap<string, string>;
  readonly services: ReadonlyMap<string, Declaration>;
  /** Each task's `services` entries. */
  readonly serviceRefs: readonly Reference[];
}

/**
 * `extract.eu` names two groups: `extract` (its first part) and `extract.eu` (all of it), so renaming
 * `extract` renames the prefix of every group inside it.
 */
function groupParts(node: Scalar, text: string, owner: string | undefined): Reference[] {
  const name = String(node.value);
  const base = valueOffset(node, text);
  const whole = rangeOf(node);
  const out: Reference[] = [];
  let dot = name.indexOf('.');
  while (dot > 0) {
    const part = name.slice(0, dot);
    out.push({ name: part, range: base === undefined ? whole : { start: base, end: base + dot }, owner });
    dot = name.indexOf('.', dot + 1);
  }
  out.push({ name, range: whole, owner });
  return out;
}

export function structureSymbols(
  tasks: YAMLMap | undefined,
  groupsMap: YAMLMap | undefined,
  servicesMap: YAMLMap | undefined,
  taskIds: ReadonlySet<string>,
  text: string,
  declarations: (map: YAMLMap | undefined) => Map<string, Declaration>,
): StructureSymbols {
  const groups = declarations(groupsMap);
  const groupRefs: Reference[] = [];
  const taskGroups = new Map<string, string>();
  const serviceRefs: Reference[] = [];
  const implicit = (ref: Reference) => {
    if (!groups.has(ref.name)) groups.set(ref.name, { name: ref.name, keyRange: ref.range, range: ref.range });
  };
  // Groups declared under `groups` with dotted names make their outer groups too, and name them.
  for (const p of groupsMap ? pairs(groupsMap) : [])
    for (const r of groupParts(p.key, text, undefined)) {
      if (r.name !== String(p.key.value)) groupRefs.push(r);
      implicit(r);
    }
  for (const p of tasks ? pairs(tasks) : []) {
    if (!isMap(p.value)) continue;
    const owner = String(p.key.value);
    const g = entry(p.value, 'group')?.value;
    if (isScalar(g) && typeof g.value === 'string' && g.value !== '') {
      taskGroups.set(owner, g.value);
      for (const r of groupParts(g, text, owner)) {
        groupRefs.push(r);
        implicit(r);
      }
    }
    for (const item of stringItems(entry(p.value, 'services')?.value))
      if (item.value !== null) serviceRefs.push({ name: String(item.value), range: rangeOf(item), owner });
  }
  // A `depends_on` entry that names no task but a group is a reference to the group.
  const groupDependencies: Reference[] = [];
  for (const p of tasks ? pairs(tasks) : []) {
    if (!isMap(p.value)) continue;
    const owner = String(p.key.value);
    for (const item of stringItems(entry(p.value, 'depends_on')?.value)) {
      const name = item.value === null ? undefined : String(item.value);
      if (name === undefined || taskIds.has(name) || !groups.has(name)) continue;
      const ref = { name, range: rangeOf(item), owner };
      groupRefs.push(ref);
      groupDependencies.push(ref);
    }
  }
  return { groups, groupRefs, groupDependencies, taskGroups, services: declarations(servicesMap), serviceRefs };
}

/** The tasks of a group, inner groups included. */
export function membersOf(group: string, taskGroups: ReadonlyMap<string, string>): string[] {
  return [...taskGroups].filter(([, g]) => g === group || g.startsWith(`${group}.`)).map(([t]) => t);
}
