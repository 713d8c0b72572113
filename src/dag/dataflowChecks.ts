import { isSeq, type YAMLMap } from 'yaml';
import { problem, type Problem } from './problem';
import { didYouMean } from './suggest';
import { membersOf } from './structureSymbols';
import type { SymbolIndex } from './symbols';
import { exprType, scanTemplates } from './template';
import { truthy } from './templateRender';
import { entry, isMap, isScalar, mapAt, pairs, rangeOf, stringValue } from './yamlNodes';

/** Airflow's `max_map_length` default: more instances than this fail the task. */
export const MAX_EXPAND_ITEMS = 1024;

/**
 * What values between tasks need to be true before a run: an output read exists, is declared, and
 * comes from upstream (else it does not exist yet when the task runs); `item.VAR` is read only in
 * a task whose `expand` has VAR; an `expand` list is not over the limit; a `when` can be true.
 */
export function checkDataflow(root: YAMLMap, text: string, symbols: SymbolIndex, out: Problem[]): void {
  const upstream = upstreamOf(symbols);
  const taskIds = [...symbols.tasks.keys()];
  for (const ref of symbols.outputTaskRefs) {
    if (!symbols.tasks.has(ref.name)) {
      const guess = didYouMean(ref.name, taskIds);
      out.push(
        problem(
          'unknown-output',
          'error',
          `Unknown task "${ref.name}".${guess ? ` Did you mean "${guess}"?` : ''}`,
          ref.range,
          guess ? { fixes: [{ title: `Change to "${guess}"`, range: ref.range, newText: guess }] } : {},
        ),
      );
      continue;
    }
    if (ref.owner && ref.owner !== ref.name && !upstream(ref.owner).has(ref.name))
      out.push(
        problem(
          'output-not-upstream',
          'error',
          `"${ref.name}" is not upstream of "${ref.owner}": its outputs do not exist yet when "${ref.owner}" runs. Add "${ref.name}" to depends_on (directly or through another task).`,
          ref.range,
        ),
      );
    else if (ref.owner === ref.name)
      out.push(
        problem(
          'output-not-upstream',
          'error',
          `A task cannot read its own outputs: they exist only after it ends.`,
          ref.range,
        ),
      );
  }
  for (const ref of symbols.outputRefs) {
    const dot = ref.name.lastIndexOf('.');
    const task = ref.name.slice(0, dot);
    const name = ref.name.slice(dot + 1);
    if (!symbols.tasks.has(task) || symbols.outputs.has(ref.name)) continue;
    const declared = [...symbols.outputs.keys()]
      .filter((k) => k.startsWith(`${task}.`))
      .map((k) => k.slice(task.length + 1));
    const guess = didYouMean(name, declared);
    out.push(
      problem(
        'unknown-output',
        'error',
        declared.length
          ? `Task "${task}" declares no output "${name}" (it has: ${declared.join(', ')}).${guess ? ` Did you mean "${guess}"?` : ''}`
          : `Task "${task}" declares no outputs: add "outputs: [${name}]" to it, and write {"${name}": …} to $CDAG_OUTPUT.`,
        ref.range,
        guess ? { fixes: [{ title: `Change to "${guess}"`, range: ref.range, newText: guess }] } : {},
      ),
    );
  }
  for (const ref of symbols.itemRefs) {
    if (!ref.owner) continue;
    const vars = symbols.expandVars.get(ref.owner);
    if (!vars) {
      out.push(
        problem(
          'unknown-item',
          'error',
          `${ref.name === 'map_index' ? 'map_index' : `item.${ref.name}`} has a value only in a task with "expand"; "${ref.owner}" has none.`,
          ref.range,
        ),
      );
    } else if (ref.name !== 'map_index' && !vars.has(ref.name)) {
      const guess = didYouMean(ref.name, [...vars.keys()]);
      out.push(
        problem(
          'unknown-item',
          'error',
          `"${ref.owner}" expands over ${[...vars.keys()].join(', ')}, not "${ref.name}".${guess ? ` Did you mean "${guess}"?` : ''}`,
          ref.range,
          guess ? { fixes: [{ title: `Change to "${guess}"`, range: ref.range, newText: guess }] } : {},
        ),
      );
    }
  }
  const tasks = mapAt(root, 'tasks');
  if (tasks) for (const p of pairs(tasks)) if (isMap(p.value)) checkTask(p.value, text, out);
}

/** One task's `expand` and `when`, where what they give is known before the run. */
function checkTask(task: YAMLMap, text: string, out: Problem[]): void {
  const expand = entry(task, 'expand');
  if (expand && isMap(expand.value)) {
    let product = 1;
    for (const v of pairs(expand.value)) {
      if (isSeq(v.value)) {
        const n = v.value.items.length;
        product *= n;
        if (n > MAX_EXPAND_ITEMS)
          out.push(
            problem(
              'expand-too-large',
              'error',
              `${n} items: a task expands to at most ${MAX_EXPAND_ITEMS} instances (Airflow's max_map_length). Split the list, or batch items per instance.`,
              rangeOf(v.value),
            ),
          );
      } else if (isScalar(v.value) && typeof v.value.value === 'string') {
        const scanned = scanTemplates(v.value.value);
        const only = scanned.exprs.length === 1 ? scanned.exprs[0] : undefined;
        const type = only ? exprType(only) : 'string';
        if (!scanned.issues.length && type !== 'list' && type !== 'unknown')
          out.push(
            problem(
              'expand-not-list',
              'error',
              `This gives ${type === 'string' ? 'text' : `a ${type}`}, not a list: expand over a YAML list or a template giving one, such as "{{ tasks.ID.outputs.NAME }}".`,
              rangeOf(v.value),
            ),
          );
      }
    }
    if (
      product > MAX_EXPAND_ITEMS &&
      pairs(expand.value).every((v) => isSeq(v.value)) &&
      pairs(expand.value).length > 1
    )
      out.push(
        problem(
          'expand-too-large',
          'error',
          `Every combination of these lists is ${product} instances, more than ${MAX_EXPAND_ITEMS}.`,
          rangeOf(expand.key),
        ),
      );
  }
  const when = entry(task, 'when');
  const condition =
    when && isScalar(when.value) && typeof when.value.value === 'string' ? stringValue(when.value, text) : undefined;
  if (when && condition !== undefined && !condition.includes('{{')) {
    if (!truthy(condition))
      out.push(
        problem(
          'when-never-true',
          'warning',
          `when: "${condition}" is always false, so this task is always skipped. Write a template such as "{{ tasks.ID.outputs.NAME | gt(0) }}", or remove the task.`,
          rangeOf(when.value),
        ),
      );
  }
}

/** Each task's upstream tasks, directly or transitively, from `depends_on` (cycles are another check's). */
export function upstreamOf(symbols: SymbolIndex): (task: string) => ReadonlySet<string> {
  const direct = new Map<string, string[]>();
  for (const r of symbols.taskRefs) if (r.owner) direct.set(r.owner, [...(direct.get(r.owner) ?? []), r.name]);
  // A group in depends_on brings every task of it upstream.
  for (const r of symbols.groupDependencies)
    if (r.owner) direct.set(r.owner, [...(direct.get(r.owner) ?? []), ...membersOf(r.name, symbols.taskGroups)]);
  const memo = new Map<string, Set<string>>();
  return (task) => {
    const cached = memo.get(task);
    if (cached) return cached;
    const seen = new Set<string>();
    const stack = [...(direct.get(task) ?? [])];
    while (stack.length) {
      const t = stack.pop()!;
      if (seen.has(t)) continue;
      seen.add(t);
      stack.push(...(direct.get(t) ?? []));
    }
    memo.set(task, seen);
    return seen;
  };
}
