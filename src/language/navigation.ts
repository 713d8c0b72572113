import type { Analysis } from '../dag/analyze';
import { fail, ok, type Errorable } from '../util/errorable';
import type { OffsetRange } from '../dag/problem';
import { TASK_ID_PATTERN } from '../dag/schema';
import { SERVICE_NAME_PATTERN } from '../dag/structureSchema';
import type { Declaration, Reference } from '../dag/symbols';

type SymbolKind = 'task' | 'volume' | 'param' | 'output' | 'group' | 'service';

export interface SymbolAt {
  readonly kind: SymbolKind;
  readonly name: string;
  /** The name's range under the cursor. */
  readonly range: OffsetRange;
}

const within = (o: number, r: OffsetRange) => o >= r.start && o <= r.end;

function tables(a: Analysis): Array<[SymbolKind, ReadonlyMap<string, Declaration>, readonly Reference[]]> {
  const s = a.symbols;
  if (!s) return [];
  return [
    // A task is also named inside templates that read its outputs (`tasks.ID.outputs.NAME`).
    ['task', s.tasks, [...s.taskRefs, ...s.outputTaskRefs]],
    ['volume', s.volumes, s.volumeRefs],
    ['param', s.params, s.paramRefs],
    // Outputs are named `TASK.NAME`: the same name on two tasks is two outputs.
    ['output', s.outputs, s.outputRefs],
    // `extract.eu` names `extract` on its first part too: renaming a group renames the groups inside it.
    ['group', s.groups, s.groupRefs],
    ['service', s.services, s.serviceRefs],
  ];
}

/** The task, volume or param named under the cursor, as a declaration or a reference. */
export function symbolAt(a: Analysis, offset: number): SymbolAt | undefined {
  for (const [kind, decls, refs] of tables(a)) {
    for (const d of decls.values()) if (within(offset, d.keyRange)) return { kind, name: d.name, range: d.keyRange };
    for (const r of refs) if (within(offset, r.range)) return { kind, name: r.name, range: r.range };
  }
  return undefined;
}

export function definition(a: Analysis, offset: number): OffsetRange | undefined {
  const sym = symbolAt(a, offset);
  if (!sym) return undefined;
  const table = tables(a).find(([k]) => k === sym.kind)!;
  return table[1].get(sym.name)?.keyRange;
}

/** Every place the symbol under the cursor is named, the declaration first when asked. */
export function references(a: Analysis, offset: number, includeDeclaration = true): OffsetRange[] {
  const sym = symbolAt(a, offset);
  if (!sym) return [];
  const [, decls, refs] = tables(a).find(([k]) => k === sym.kind)!;
  const decl = decls.get(sym.name);
  return [
    ...(includeDeclaration && decl ? [decl.keyRange] : []),
    ...refs.filter((r) => r.name === sym.name).map((r) => r.range),
  ];
}

export interface TextEdit {
  readonly range: OffsetRange;
  readonly newText: string;
}

const NAME_RULES: Record<SymbolKind, [RegExp, string]> = {
  task: [new RegExp(TASK_ID_PATTERN), 'letters, digits, `_` and `-`'],
  volume: [/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'letters, digits, `_`, `.` and `-`, starting with a letter or digit'],
  param: [/^[A-Za-z_][A-Za-z0-9_]*$/, 'letters, digits and `_`, not starting with a digit'],
  output: [/^[A-Za-z_][A-Za-z0-9_]*$/, 'letters, digits and `_`, not starting with a digit'],
  group: [/^[A-Za-z0-9_-]+$/, 'letters, digits, `_` and `-` (the part of the name after the last dot)'],
  service: [new RegExp(SERVICE_NAME_PATTERN), 'a DNS label: lowercase letters, digits and `-`'],
};

/** Where a rename may start; a failure says why not (not a symbol, or a name in use). */
export function prepareRename(a: Analysis, offset: number): Errorable<SymbolAt> {
  const sym = symbolAt(a, offset);
  return sym ? ok(sym) : fail('Only task ids, outputs, groups, services, volume names and params can be renamed here.');
}

export function rename(a: Analysis, offset: number, newName: string): Errorable<TextEdit[]> {
  const sym = symbolAt(a, offset);
  if (!sym) return fail('Only task ids, outputs, groups, services, volume names and params can be renamed here.');
  const [pattern, help] = NAME_RULES[sym.kind];
  if (!pattern.test(newName)) return fail(`"${newName}" is not a valid ${sym.kind} name: use ${help}.`);
  const [, decls] = tables(a).find(([k]) => k === sym.kind)!;
  // An output is `TASK.NAME` and a group `OUTER.NAME`: only the last part is renamed.
  const dot = sym.name.lastIndexOf('.');
  const dotted = sym.kind === 'output' || sym.kind === 'group';
  const key = dotted && dot > 0 ? `${sym.name.slice(0, dot)}.${newName}` : newName;
  if (key !== sym.name && decls.has(key)) return fail(`A ${sym.kind} named "${key}" already exists.`);
  // A group's references cover its whole dotted name; each becomes the new one.
  const newText = sym.kind === 'group' ? key : newName;
  return ok(references(a, offset, true).map((range) => ({ range, newText })));
}
