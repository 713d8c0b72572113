import type { Node } from 'web-tree-sitter';
import { dottedName, shortName, type Scope } from '../python/values';
import type { ImportContext } from './importContext';
import { isOperatorClass } from './statementWalk';

export const SHIFT = new Set(['>>', '<<']);
export const DEPENDENCY_CALL = /(^|\.)(set_upstream|set_downstream|chain|cross_downstream)$/;

/** Operators made where the walk does not go (tuples, lists, functions, walrus): said, by line. */
export function reportUnreadOperators(
  root: Node,
  consumed: ReadonlySet<number>,
  scope: Scope,
  ctx: ImportContext,
): void {
  for (const c of root.descendantsOfType('call')) {
    if (!c || consumed.has(c.startIndex)) continue;
    const fn = c.childForFieldName('function');
    const name = fn ? dottedName(fn) : undefined;
    if (!name || !isOperatorClass(shortName(scope.qualify(name)))) continue;
    ctx.report(
      c,
      'warning',
      'unsupported-statement',
      `${shortName(name)}(…) is made where the import does not follow it (a tuple, list, function or expression); it was not translated.`,
    );
  }
}

/**
 * Dependencies stated where the walk does not go (a function, a while loop, an expression it does
 * not read): each is said on its line, never dropped silently.
 */
export function reportUnreadDependencies(root: Node, read: ReadonlySet<number>, ctx: ImportContext): void {
  const deps = [
    ...root
      .descendantsOfType('binary_operator')
      .filter((b) => b && SHIFT.has(b.childForFieldName('operator')?.text ?? '')),
    ...root.descendantsOfType('call').filter((c) => {
      const fn = c?.childForFieldName('function');
      const name = fn ? (dottedName(fn) ?? '') : '';
      return DEPENDENCY_CALL.test(name);
    }),
  ].filter((n): n is Node => !!n && !read.has(n.startIndex));
  for (const n of deps) {
    // One report per statement: the outermost unread dependency.
    if (deps.some((o) => o !== n && o.startIndex <= n.startIndex && o.endIndex >= n.endIndex)) continue;
    ctx.report(
      n,
      'warning',
      'dependency-not-read',
      `This dependency (${n.text.replace(/\s+/g, ' ').slice(0, 60)}) is where the import does not follow the file (a function, a loop over something not written out, an expression); it was not translated.`,
    );
  }
}
