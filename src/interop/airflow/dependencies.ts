import type { Node } from 'web-tree-sitter';
import type { ImportContext } from './importContext';

/**
 * Task dependencies as Airflow states them: `a >> b`, `a << b`, lists on either side, chains,
 * `set_upstream`/`set_downstream`, `chain(...)` and `cross_downstream(...)`. Tasks of operators that
 * were not translated stay in the graph until `contracted`, so `start >> a` through an EmptyOperator
 * keeps a's other upstreams.
 */
export class DependencyGraph {
  /** downstream → its upstreams, in the order first stated. */
  private readonly upstreams = new Map<string, string[]>();

  add(up: string, down: string): void {
    const list = this.upstreams.get(down) ?? [];
    if (!list.includes(up)) list.push(up);
    this.upstreams.set(down, list);
  }

  addAll(ups: readonly string[], downs: readonly string[]): void {
    for (const d of downs) for (const u of ups) this.add(u, d);
  }

  /** Each translated task's upstreams among translated tasks, dependencies through the others kept. */
  contracted(kept: ReadonlySet<string>): Map<string, string[]> {
    const out = new Map<string, string[]>();
    const resolve = (id: string, seen: Set<string>): string[] => {
      if (kept.has(id)) return [id];
      if (seen.has(id)) return [];
      seen.add(id);
      return (this.upstreams.get(id) ?? []).flatMap((u) => resolve(u, seen));
    };
    for (const id of kept) {
      const ups = (this.upstreams.get(id) ?? []).flatMap((u) => resolve(u, new Set([id])));
      out.set(
        id,
        [...new Set(ups)].filter((u) => u !== id),
      );
    }
    return out;
  }
}

/** How a dependency expression names tasks: variables, inline operators, lists of them. */
export type Operand = (node: Node) => string[] | undefined;

/** `a >> [b, c] >> d`: returns the tasks the whole expression evaluates to (its right-most operand). */
export function shiftExpression(node: Node, graph: DependencyGraph, operand: Operand, ctx: ImportContext): string[] {
  const op = node.childForFieldName('operator')?.text;
  if (node.type === 'binary_operator' && (op === '>>' || op === '<<')) {
    const left = shiftExpression(node.childForFieldName('left')!, graph, operand, ctx);
    const right = shiftExpression(node.childForFieldName('right')!, graph, operand, ctx);
    if (op === '>>') graph.addAll(left, right);
    else graph.addAll(right, left);
    return right;
  }
  if (node.type === 'parenthesized_expression') {
    const inner = node.namedChildren.find((c) => c && c.type !== 'comment');
    if (inner) return shiftExpression(inner, graph, operand, ctx);
  }
  const tasks = operand(node);
  if (tasks === undefined) {
    ctx.report(
      node,
      'warning',
      'unknown-task',
      `A ${node.type.replace(/_/g, ' ')} here is not a task this import knows; its dependencies were not translated.`,
    );
    return [];
  }
  return tasks;
}

/** `chain(a, [b, c], [d, e], f)`: lists next to each other pair up element by element, as Airflow does. */
export function chainCall(args: readonly Node[], graph: DependencyGraph, operand: Operand, ctx: ImportContext): void {
  const groups = args.map((a) => ({ node: a, tasks: operand(a), isList: a.type === 'list' || a.type === 'tuple' }));
  for (const g of groups) {
    if (g.tasks === undefined)
      ctx.report(
        g.node,
        'warning',
        'unknown-task',
        `A ${g.node.type.replace(/_/g, ' ')} here is not a task this import knows; its dependencies were not translated.`,
      );
  }
  for (let i = 0; i + 1 < groups.length; i++) {
    const a = groups[i]!;
    const b = groups[i + 1]!;
    if (!a.tasks || !b.tasks) continue;
    if (a.isList && b.isList) {
      if (a.tasks.length !== b.tasks.length) {
        ctx.report(
          b.node,
          'warning',
          'unknown-task',
          'chain() of two lists of different lengths fails in Airflow; not translated.',
        );
        continue;
      }
      a.tasks.forEach((t, j) => graph.add(t, b.tasks![j]!));
    } else graph.addAll(a.tasks, b.tasks);
  }
}
