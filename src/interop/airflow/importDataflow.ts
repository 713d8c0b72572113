import type { Node } from 'web-tree-sitter';
import { dottedName, evaluate, shortName, type Kwargs, type PyValue, type Scope } from '../python/values';
import { isOperatorClass } from './statementWalk';
import { OUTPUT_NAME_PATTERN } from '../../dag/dataflowSchema';
import { dict } from '../../util/dict';
import type { Doc, DocMap, ImportContext } from './importContext';
import type { OutputRef } from './templates';

/**
 * Format v2 read from an Airflow task: `depends_on_past`, `skip_on_exit_code`, and what `cdag
 * export` writes (`cdag_outputs`, `cdag_when`, the `cdag_item` a mapped task is expanded over), and
 * `partial().expand()` over the operators' own arguments: a literal list per argument, or an
 * upstream task's XCom. Read before the operator's own arguments, which then no longer see them.
 */

/** Arguments this reads; the operator mappings skip them. */
export const DATAFLOW_ARGS = new Set([
  'depends_on_past',
  'skip_on_exit_code',
  'cdag_outputs',
  'cdag_when',
  'cdag_item_var',
  'cdag_return',
]);

export function dataflowFields(kwargs: Kwargs, ctx: ImportContext, task: DocMap): void {
  const past = ctx.bool(kwargs.get('depends_on_past'), 'depends_on_past');
  if (past) task.depends_on_past = true;
  const skip = kwargs.get('skip_on_exit_code');
  if (skip?.kind === 'num') task.skip_on_exit_code = [skip.value];
  else if (skip?.kind === 'list' && skip.items.every((x) => x.kind === 'num'))
    task.skip_on_exit_code = skip.items.map((x) => (x as PyValue & { kind: 'num' }).value);
  else if (skip && skip.kind !== 'none') ctx.computed(skip, 'skip_on_exit_code');
  const outputs = kwargs.get('cdag_outputs');
  if (outputs?.kind === 'list' && outputs.items.every((x) => x.kind === 'str'))
    task.outputs = outputs.items.map((x) => (x as PyValue & { kind: 'str' }).value);
  const when = ctx.text(kwargs.get('cdag_when'), 'when');
  if (when !== undefined) task.when = when;
}

/** What `.expand(…)` gives: the `expand` field, and arguments for the operator that read the items. */
export interface Expansion {
  readonly expand: DocMap;
  /** Operator arguments replaced by templates over the item (`command=["echo", "{{ item.command }}"]`). */
  readonly kwargs: ReadonlyMap<string, PyValue>;
  /** Airflow's bound on the instances that run at once in one DAG run. */
  readonly maxActive?: number;
}

/** An expansion read, or why not; either way, the XComs it maps over (Airflow's implicit upstream tasks). */
export interface ReadExpansion {
  readonly expansion?: Expansion;
  readonly refs: readonly OutputRef[];
}

const VAR_NAME = new RegExp(OUTPUT_NAME_PATTERN);

/** `X.output` (the XCom return value of the task in variable X). */
const OUTPUT_OF = /^([A-Za-z_]\w*)\.output$/;

/**
 * Reads `.expand(ARG=…)`. `taskOf` names the task a variable holds; `returned` gives the output a
 * task of `cdag export` returns (its `cdag_return`), else the XCom return value is the output
 * `return_value`.
 */
export function readExpansion(
  expandKwargs: Kwargs,
  partial: Kwargs,
  ctx: ImportContext,
  taskOf: (variable: string) => string | undefined,
  returned: (task: string) => string | undefined,
): ReadExpansion {
  const refs: OutputRef[] = [];
  const read = readArguments(expandKwargs, partial, ctx, (v) => {
    const m = OUTPUT_OF.exec(v.node.text.replace(/\s/g, ''));
    const task = m ? taskOf(m[1]!) : undefined;
    if (!task) return undefined;
    const output = returned(task) ?? 'return_value';
    refs.push({ task, output });
    return `{{ tasks.${task}.outputs.${output} }}`;
  });
  if (!read) return { refs };
  const max = ctx.int(partial.get('max_active_tis_per_dagrun'), 'max_active_tis_per_dagrun');
  return { expansion: { ...read, ...(max !== undefined ? { maxActive: max } : {}) }, refs };
}

function readArguments(
  expandKwargs: Kwargs,
  partial: Kwargs,
  ctx: ImportContext,
  fromXcom: (v: PyValue) => string | undefined,
): { expand: DocMap; kwargs: Map<string, PyValue> } | undefined {
  const expand: DocMap = dict<Doc>();
  const kwargs = new Map<string, PyValue>();
  for (const [arg, v] of expandKwargs) {
    if (arg === 'cdag_item') {
      // What `cdag export` wrote: the item of one variable over an upstream output, or crossed literal lists.
      const name = partial.get('cdag_item_var');
      const over = fromXcom(v);
      if (name?.kind === 'str' && VAR_NAME.test(name.value) && over) expand[name.value] = over;
      else if (v.kind === 'list' && crossed(v, expand)) continue;
      else return unsupported(ctx, v.node, 'cdag_item is neither an upstream output nor crossed literal lists');
      continue;
    }
    const over = fromXcom(v);
    if (over) {
      expand[arg] = over;
      kwargs.set(arg, itemText(v.node, arg));
      continue;
    }
    if (v.kind !== 'list') return unsupported(ctx, v.node, `expand(${arg}=…) over ${v.node.text.slice(0, 40)}`);
    const items = v.items;
    if (items.every((x) => x.kind === 'str' || x.kind === 'num')) {
      expand[arg] = items.map((x) => (x as { value: string | number }).value);
      kwargs.set(arg, itemText(v.node, arg));
      continue;
    }
    const column = varyingColumn(items);
    if (!column) return unsupported(ctx, v.node, `expand(${arg}=…): lists that differ in more than one place`);
    expand[arg] = column.values;
    kwargs.set(arg, {
      kind: 'list',
      node: v.node,
      items: column.template.map((x) =>
        x === undefined ? itemText(v.node, arg) : { kind: 'str', value: x, node: v.node },
      ),
    });
  }
  return { expand, kwargs };
}

function itemText(node: Node, name: string): PyValue {
  return { kind: 'str', value: `{{ item.${name} }}`, node };
}

function unsupported(ctx: ImportContext, node: Node, what: string): undefined {
  ctx.report(node, 'warning', 'unsupported-argument', `${what} has no equivalent; the task is imported unmapped.`);
  return undefined;
}

/**
 * Lists of strings of one length that differ in one place (`["echo", "1"]`, `["echo", "2"]`): the
 * shared parts and, per list, the value in that place. One place only: `expand` crosses variables.
 */
function varyingColumn(
  items: readonly PyValue[],
): { template: Array<string | undefined>; values: string[] } | undefined {
  const rows = items.map((x) =>
    x.kind === 'list' && x.items.every((y) => y.kind === 'str')
      ? x.items.map((y) => (y as { value: string }).value)
      : undefined,
  );
  if (!rows.length || rows.some((r) => !r || r.length !== rows[0]!.length)) return undefined;
  const first = rows[0]!;
  const differing = first.map((_, i) => rows.some((r) => r![i] !== first[i]));
  if (differing.filter(Boolean).length > 1) return undefined;
  const at = differing.indexOf(true);
  if (at < 0) return undefined;
  return { template: first.map((x, i) => (i === at ? undefined : x)), values: rows.map((r) => r![at]!) };
}

/** `[{"a": 1, "b": "x"}, {"a": 1, "b": "y"}, …]` read back as `a: [1, …], b: [x, …]` when it is their cross product. */
function crossed(v: PyValue & { kind: 'list' }, expand: DocMap): boolean {
  const rows: Array<Map<string, Doc>> = [];
  for (const item of v.items) {
    if (item.kind !== 'dict') return false;
    const row = new Map<string, Doc>();
    for (const e of item.entries) {
      if (e.key.kind !== 'str' || (e.value.kind !== 'str' && e.value.kind !== 'num' && e.value.kind !== 'bool'))
        return false;
      row.set(e.key.value, e.value.value);
    }
    rows.push(row);
  }
  const names = rows.length ? [...rows[0]!.keys()] : [];
  if (!names.every((n) => VAR_NAME.test(n))) return false;
  const lists = names.map((n) => [...new Set(rows.map((r) => r.get(n)))]);
  let product: Doc[][] = [[]];
  for (const l of lists) product = product.flatMap((p) => l.map((x) => [...p, x as Doc]));
  if (product.length !== rows.length || product.some((p, i) => p.some((x, j) => rows[i]!.get(names[j]!) !== x)))
    return false;
  names.forEach((n, j) => (expand[n] = lists[j] as Doc[]));
  return true;
}

/** `CDAG_OUTPUT` in an exported task's environment is where cdag export pointed it; cdag sets it itself. */
export function withoutOutputVariable(task: DocMap): void {
  const env = task.env as Record<string, Doc> | undefined;
  if (!env || !('CDAG_OUTPUT' in env)) return;
  const rest = Object.fromEntries(Object.entries(env).filter(([k]) => k !== 'CDAG_OUTPUT'));
  if (Object.keys(rest).length) task.env = rest;
  else delete task.env;
}

/**
 * Each output a template or expansion reads is declared on its task. An Airflow task's XCom return
 * value (its last log line, or /airflow/xcom/return.json in a pod) becomes the output
 * `return_value`, which its container now writes to $CDAG_OUTPUT: said, since the image must change.
 */
export function declareReadOutputs(
  tasks: ReadonlyMap<string, { readonly node: Node; readonly task?: DocMap }>,
  ctx: ImportContext,
): void {
  const seen = new Set<string>();
  for (const ref of ctx.outputRefs) {
    const entry = tasks.get(ref.task);
    if (!entry?.task || seen.has(`${ref.task}\0${ref.output}`)) continue;
    seen.add(`${ref.task}\0${ref.output}`);
    const outputs = (entry.task.outputs as string[] | undefined) ?? [];
    if (outputs.includes(ref.output)) continue;
    entry.task.outputs = [...outputs, ref.output];
    ctx.report(
      entry.node,
      'warning',
      'xcom-output',
      `Another task reads the XCom ${ref.output === 'return_value' ? 'return value' : `"${ref.output}"`} of ${ref.task}: it is the output "${ref.output}" here, which the container writes as JSON to $CDAG_OUTPUT ({"${ref.output}": …}) instead of ${ref.output === 'return_value' ? 'its last log line or /airflow/xcom/return.json' : 'an XCom'}.`,
    );
  }
}

/** `Operator.partial(…).expand(…)`: the two calls, or undefined for any other call. */
export function mappedCallOf(node: Node, scope: Scope): { partial: Node; expand: Node } | undefined {
  const fn = node.childForFieldName('function');
  if (fn?.type !== 'attribute' || fn.childForFieldName('attribute')?.text !== 'expand') return undefined;
  const partial = fn.childForFieldName('object');
  const pfn = partial?.type === 'call' ? partial.childForFieldName('function') : undefined;
  if (pfn?.type !== 'attribute' || pfn.childForFieldName('attribute')?.text !== 'partial') return undefined;
  const cls = dottedName(pfn.childForFieldName('object')!);
  return partial && cls && isOperatorClass(shortName(scope.qualify(cls))) ? { partial, expand: node } : undefined;
}

/** The keywords of `….expand(…)`, whose callee is a call's attribute, which evaluate() does not name. */
export function expandKwargsOf(expandCall: Node, scope: Scope, ctx: ImportContext): Map<string, PyValue> {
  const kwargs = new Map<string, PyValue>();
  for (const a of expandCall.childForFieldName('arguments')?.namedChildren ?? []) {
    const name = a?.type === 'keyword_argument' ? a.childForFieldName('name')?.text : undefined;
    const value = a?.childForFieldName('value');
    if (name && value) kwargs.set(name, evaluate(value, scope));
    else if (a && a.type !== 'comment')
      ctx.report(a, 'warning', 'unsupported-argument', 'expand() takes keyword arguments; this one was not read.');
  }
  return kwargs;
}
