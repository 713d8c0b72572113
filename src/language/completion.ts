import { kindLabel } from './kindLabels';
import type { Analysis } from '../dag/analyze';
import { upstreamOf } from '../dag/dataflowChecks';
import type { OffsetRange } from '../dag/problem';
import { LineIndex } from '../dag/lineIndex';
import { KNOWN_PRESETS } from '../dag/schedule';
import { concrete, specAt, type Spec } from '../dag/schema';
import { TEMPLATE_FILTERS, TEMPLATE_NAMES, TEMPLATE_NAMESPACES } from '../dag/templateNames';
import { cursorContext } from './cursorContext';
import { buildPathCompletions } from './buildPaths';

export type CompletionKind =
  'key' | 'value' | 'task' | 'group' | 'service' | 'volume' | 'template' | 'filter' | 'param' | 'enum';

/** An editor-neutral completion; the VS Code adapter maps `kind` to its icons. */
export interface Completion {
  readonly label: string;
  readonly kind: CompletionKind;
  readonly detail?: string;
  readonly documentation?: string;
  /** Text to insert; `$1` style snippets when `snippet` is true. */
  readonly insertText: string;
  readonly snippet?: boolean;
  /** The range the completion replaces (the word being typed). */
  readonly replace: { readonly start: number; readonly end: number };
  readonly deprecated?: boolean;
}

export function complete(a: Analysis, offset: number): Completion[] {
  const ctx = cursorContext(a.text, offset, new LineIndex(a.text));
  const replace = { start: ctx.prefixStart, end: offset };
  if (ctx.template !== undefined) return templateCompletions(a, ctx.template, offset);
  const path = ctx.path;
  const listParent = path[path.length - 1] === '*' ? path[path.length - 2] : undefined;
  const field = ctx.valueKey ?? (listParent && !ctx.valueKey ? listParent : undefined);
  const fieldSpec = ctx.valueKey ? specAt([...path.filter((p) => p !== '*'), ctx.valueKey]) : undefined;
  const isListItemValue = !ctx.valueKey && listParent !== undefined;

  if (ctx.valueKey !== undefined || isListItemValue) {
    const owner = ownerTask(path);
    if (field === 'depends_on') {
      const tasks = a.symbols ? [...a.symbols.tasks.keys()] : [];
      const own = owner ? a.symbols?.taskGroups.get(owner) : undefined;
      return [
        ...tasks
          .filter((t) => t !== owner)
          .map((t): Completion => ({ label: t, kind: 'task', detail: taskImage(a, t), insertText: t, replace })),
        // A group is every task of it; never the task's own group (it would wait for itself).
        ...groupCompletions(a, replace).filter((c) => !own || !(own === c.label || own.startsWith(`${c.label}.`))),
      ];
    }
    if (field === 'group') return groupCompletions(a, replace);
    if (field === 'services' && owner !== undefined) {
      return [...(a.dag?.services.values() ?? [])].map((s) => ({
        label: s.name,
        kind: 'service' as const,
        detail: s.image,
        insertText: s.name,
        replace,
      }));
    }
    if (field === 'mounts') {
      const vols = a.symbols ? [...a.symbols.volumes.keys()] : [];
      return vols.map((v) => ({ label: v, kind: 'volume' as const, insertText: `${v}:/`, replace, detail: 'volume' }));
    }
    // A build's folder and Dockerfile, from what is on disk.
    if ((field === 'context' || field === 'dockerfile') && (path.at(-1) === 'build' || path[0] === 'images')) {
      const typed = a.text.slice(ctx.prefixStart, offset).replace(/^["']/, '');
      const contextOf = field === 'dockerfile' ? buildContextAt(a, path) : undefined;
      return buildPathCompletions(a, field, typed, contextOf, replace);
    }
    if (field === 'image' && ctx.valueKey === 'image') return imageCompletions(a, replace);
    if (isListItemValue) {
      const itemSpec = specAt(path.filter((p) => p !== '*'));
      const items = itemSpec?.kind === 'list' ? concrete(itemSpec.items) : undefined;
      return items?.kind === 'object' ? keyCompletions(items, ctx.siblings, replace) : [];
    }
    return valueCompletions(field!, fieldSpec, replace);
  }
  const spec = concrete(specAt(path.filter((p) => p !== '*')));
  const target = spec?.kind === 'list' ? concrete(spec.items) : spec;
  if (target?.kind !== 'object') return [];
  return keyCompletions(target, ctx.siblings, replace);
}

/** The images this file already uses (the editor adds the workspace's and the local Engine's). */
function imageCompletions(a: Analysis, replace: Completion['replace']): Completion[] {
  const users = new Map<string, number>();
  for (const t of a.dag?.tasks ?? [])
    if (t.image && !t.image.includes('{{')) users.set(t.image, (users.get(t.image) ?? 0) + 1);
  for (const s of a.dag?.services.values() ?? []) users.set(s.image, (users.get(s.image) ?? 0) + 1);
  return [...users].map(([image, n]) => ({
    label: image,
    kind: 'value' as const,
    detail: `used by ${n} ${n === 1 ? 'task' : 'tasks'} of this DAG`,
    insertText: image,
    replace,
  }));
}

function groupCompletions(a: Analysis, replace: Completion['replace']): Completion[] {
  // A group named only by the word being typed is not one to offer.
  const here = (r: { start: number; end: number }) => r.start <= replace.end && replace.end <= r.end;
  const typedOnly = (g: string) =>
    here(a.symbols!.groups.get(g)!.keyRange) && a.symbols!.groupRefs.every((r) => r.name !== g || here(r.range));
  return [...(a.symbols?.groups.keys() ?? [])]
    .filter((g) => !typedOnly(g))
    .map((g) => {
      const members = [...(a.symbols?.taskGroups ?? [])].filter(([, x]) => x === g || x.startsWith(`${g}.`)).length;
      return { label: g, kind: 'group', detail: `group of ${members} task(s)`, insertText: g, replace };
    });
}

/** The `context` written beside the cursor's `dockerfile` (a task's build, or an `images` entry). */
function buildContextAt(a: Analysis, path: readonly string[]): string | undefined {
  if (path[0] === 'images') return a.dag?.images.get(path[1] ?? '')?.context;
  return a.dag?.tasks.find((t) => t.id === path[1])?.build?.context;
}

function ownerTask(path: readonly string[]): string | undefined {
  return path[0] === 'tasks' ? path[1] : undefined;
}

function taskImage(a: Analysis, id: string): string | undefined {
  return a.dag?.tasks.find((t) => t.id === id)?.image;
}

function keyCompletions(
  spec: Extract<Spec, { kind: 'object' }>,
  present: ReadonlySet<string>,
  replace: Completion['replace'],
): Completion[] {
  return Object.entries(spec.fields)
    .filter(([k]) => !present.has(k))
    .map(([k, f]) => {
      const block = f.kind === 'object' || f.kind === 'map';
      const list = f.kind === 'list';
      return {
        label: k,
        kind: 'key' as const,
        detail: kindLabel(f),
        documentation: f.doc,
        insertText: block ? `${k}:\n  $0` : list ? `${k}: [$0]` : `${k}: $0`,
        snippet: true,
        replace,
      };
    });
}

function valueCompletions(key: string, spec: Spec | undefined, replace: Completion['replace']): Completion[] {
  if (!spec) return [];
  if (key === 'schedule') {
    return KNOWN_PRESETS.map((p) => ({ label: p, kind: 'enum' as const, insertText: `"${p}"`, replace }));
  }
  if (spec.kind === 'string' && spec.enum) {
    return spec.enum.map((v) => ({ label: v, kind: 'enum' as const, insertText: v, replace, documentation: spec.doc }));
  }
  if (spec.kind === 'boolean') {
    return ['true', 'false'].map((v) => ({ label: v, kind: 'enum' as const, insertText: v, replace }));
  }
  return [];
}

function templateCompletions(a: Analysis, expr: string, offset: number): Completion[] {
  const pipe = expr.lastIndexOf('|');
  if (pipe >= 0) {
    const word = /[A-Za-z_]*$/.exec(expr)![0];
    const replace = { start: offset - word.length, end: offset };
    return Object.entries(TEMPLATE_FILTERS).map(([name, f]) => ({
      label: name,
      kind: 'filter' as const,
      documentation: f.doc,
      insertText: f.args.length ? `${name}(${f.args[0] === 'string' ? '"$1"' : '$1'})` : name,
      snippet: true,
      replace,
    }));
  }
  const word = /[A-Za-z0-9_.-]*$/.exec(expr)![0];
  const replace = { start: offset - word.length, end: offset };
  const dataflow = dataflowCompletions(a, offset, replace);
  if (word.startsWith('tasks.') || word.startsWith('item.'))
    return dataflow.filter((c) => c.label.startsWith(word.slice(0, word.indexOf('.') + 1)));
  if (word.startsWith('params.')) {
    const params = a.symbols ? [...a.symbols.params.keys()] : [];
    return params.map((p) => ({
      label: `params.${p}`,
      kind: 'param' as const,
      insertText: `params.${p}`,
      detail: JSON.stringify(a.dag?.params[p]),
      replace,
    }));
  }
  const names = Object.entries(TEMPLATE_NAMES).map(([name, n]) => ({
    label: name,
    kind: 'template' as const,
    documentation: n.deprecated ? `${n.doc}\n\n${n.deprecated}` : n.doc,
    insertText: name,
    replace,
    ...(n.deprecated ? { deprecated: true } : {}),
  }));
  const params = (a.symbols ? [...a.symbols.params.keys()] : []).map((p) => ({
    label: `params.${p}`,
    kind: 'param' as const,
    documentation: TEMPLATE_NAMESPACES.params,
    insertText: `params.${p}`,
    replace,
  }));
  return [
    ...names,
    ...params,
    ...dataflow,
    { label: 'env.', kind: 'template', documentation: TEMPLATE_NAMESPACES.env, insertText: 'env.', replace },
  ];
}

/**
 * In the task at `offset`: the outputs of its upstream tasks (`tasks.ID.outputs.NAME`, only those
 * that exist when it runs) and, in a task with `expand`, its variables (`item.VAR`).
 */
function dataflowCompletions(a: Analysis, offset: number, replace: OffsetRange): Completion[] {
  const s = a.symbols;
  const owner = s && [...s.tasks.values()].find((d) => offset >= d.range.start && offset <= d.range.end)?.name;
  if (!s || !owner) return [];
  const upstream = upstreamOf(s)(owner);
  const outputs = [...s.outputs.keys()]
    .map((k) => [k.slice(0, k.lastIndexOf('.')), k.slice(k.lastIndexOf('.') + 1)] as const)
    .filter(([task]) => upstream.has(task))
    .map(([task, name]) => ({
      label: `tasks.${task}.outputs.${name}`,
      kind: 'template' as const,
      documentation: `Output \`${name}\` of the upstream task \`${task}\`: what it wrote to $CDAG_OUTPUT (a mapped task's: the list of its instances' values).`,
      insertText: `tasks.${task}.outputs.${name}`,
      replace,
    }));
  const items = [...(s.expandVars.get(owner)?.keys() ?? [])].map((v) => ({
    label: `item.${v}`,
    kind: 'template' as const,
    documentation: `This instance's value of the expand variable \`${v}\`.`,
    insertText: `item.${v}`,
    replace,
  }));
  return [...outputs, ...items];
}
