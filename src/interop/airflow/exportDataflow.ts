import { MAX_EXPAND_ITEMS } from '../../dag/dataflowChecks';
import type { Task } from '../../dag/model';
import { scanTemplates } from '../../dag/template';
import { raw, type Py } from './python';

/**
 * A task's `expand` as Airflow's `partial().expand()`: the operator is expanded over `cdag_item`,
 * which templates read as `task.cdag_item`. Literal lists are crossed here, in the engine's order
 * (key order, the last varying fastest, as Airflow crosses several expanded arguments), and passed
 * as a list of items; one variable over an upstream output is expanded over that XCom, each value
 * named by `cdag_item_var`.
 */
export type MappedArgument =
  { readonly partial: Readonly<Record<string, Py>>; readonly over: Py } | { readonly problem: string };

export function mappedArgument(
  t: Task,
  variable: (taskId: string) => string | undefined,
  returned: ReadonlyMap<string, string>,
): MappedArgument | undefined {
  if (!t.expand) return undefined;
  const vars = [...t.expand];
  const partial: Record<string, Py> = {};
  // Airflow's bound on the instances of one mapped task that run at once in a DAG run.
  if (t.expandMaxActive !== undefined) partial.max_active_tis_per_dagrun = t.expandMaxActive;
  if (vars.every(([, s]) => s.kind === 'items')) {
    let items: Array<Record<string, unknown>> = [{}];
    for (const [name, s] of vars)
      if (s.kind === 'items') items = items.flatMap((c) => s.items.map((x) => ({ ...c, [name]: x })));
    if (items.length > MAX_EXPAND_ITEMS) return { problem: `expand makes ${items.length} instances` };
    return { partial, over: items as Py };
  }
  const [only] = vars;
  if (vars.length === 1 && only && only[1].kind === 'template') {
    const ref = outputReference(only[1].template);
    const upstream = ref && variable(ref.task);
    if (ref && upstream && returned.get(ref.task) === ref.output)
      return { partial: { ...partial, cdag_item_var: only[0] }, over: raw(`${upstream}.output`) };
    if (ref && upstream)
      return {
        problem: `expand.${only[0]} is over ${ref.task}'s output ${ref.output}, but another task expands over ${ref.task}'s output ${returned.get(ref.task) ?? '?'}; Airflow maps over one value per task (its return_value)`,
      };
  }
  return {
    problem:
      vars.length > 1
        ? 'expand crosses a list from a template with other lists; Airflow expands one XCom per argument, so it is not mapped'
        : `expand.${only![0]} is a template that is not one upstream output ({{ tasks.ID.outputs.NAME }}); it is not mapped`,
  };
}

/**
 * Airflow maps only over a task's `return_value`: each upstream output a task is expanded over
 * becomes its task's return value (the first one asked for, by task order), pushed besides the
 * XCom of each output name.
 */
export function returnedOutputs(tasks: readonly Task[]): Map<string, string> {
  const returned = new Map<string, string>();
  for (const t of tasks) {
    const vars = [...(t.expand ?? [])];
    const only = vars.length === 1 ? vars[0]![1] : undefined;
    const ref = only?.kind === 'template' ? outputReference(only.template) : undefined;
    if (ref && !returned.has(ref.task)) returned.set(ref.task, ref.output);
  }
  return returned;
}

/** `{{ tasks.ID.outputs.NAME }}` alone, without filters: the task and output it names. */
function outputReference(template: string): { task: string; output: string } | undefined {
  const { exprs, issues } = scanTemplates(template);
  const e = exprs.length === 1 && issues.length === 0 ? exprs[0]! : undefined;
  if (!e || e.filters.length || template.slice(0, e.span.start).trim() || template.slice(e.span.end).trim())
    return undefined;
  const m = /^tasks\.(.+)\.outputs\.([^.]+)$/.exec(e.name);
  return m ? { task: m[1]!, output: m[2]! } : undefined;
}
