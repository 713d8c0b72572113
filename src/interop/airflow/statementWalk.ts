import type { Node } from 'web-tree-sitter';
import { dottedName, evaluate, Scope, shortName, type PyValue } from '../python/values';
import { ImportContext } from './importContext';

/** The operators whose tasks are translated (subclasses of them are read as them). */
export const TRANSLATED_OPERATORS: ReadonlySet<string> = new Set(['DockerOperator', 'KubernetesPodOperator']);

/** Python classes whose call makes an Airflow task. */
export function isOperatorClass(name: string): boolean {
  return /(Operator|Sensor)$/.test(name) || name === 'EmptyOperator';
}

/**
 * The walk over an Airflow DAG file's statements, as far as they can be read without running it:
 * imports, `with DAG(...)`/`TaskGroup` blocks, `if` (every branch), `for` over a literal (unrolled),
 * operator subclasses; what depends on running the file is said by line. What an expression or
 * operator call means is the importer's (the abstract members).
 */
export abstract class StatementWalk {
  protected readonly ctx = new ImportContext();
  protected readonly scope = new Scope();
  /** Python variable → task id. */
  protected readonly taskVars = new Map<string, readonly string[]>();
  /** `@task` functions → how many tasks their calls have made so far. */
  protected readonly taskflow = new Map<string, number>();
  /** Operator subclasses defined in the file → the operator they extend. */
  protected readonly subclasses = new Map<string, string>();
  /** Operator calls read or reported: any other is reported at the end, never dropped silently. */
  protected readonly consumed = new Set<number>();
  /** TaskGroup ids around the statement being read, outermost first. */
  protected readonly groups: string[] = [];

  /** An expression statement: a dependency, an operator call, a call that connects tasks. */
  protected abstract expression(e: Node): void;
  /** The tasks an expression names, or undefined when it is not tasks. */
  protected abstract operand(n: Node): string[] | undefined;
  /** Whether this `DAG(...)` is the DAG the file's tasks go to. */
  protected abstract defineDag(call: PyValue & { kind: 'call' }, variable?: string): boolean;

  protected syntaxErrors(root: Node): void {
    if (!root.hasError) return;
    const visitNode = (n: Node): void => {
      if (n.isError || n.isMissing) {
        this.ctx.report(
          n,
          'error',
          'python-syntax',
          n.isMissing ? `Python syntax: "${n.type}" is missing.` : 'Python syntax error.',
        );
        return;
      }
      for (const c of n.children) if (c?.hasError || c?.isMissing) visitNode(c);
    };
    visitNode(root);
  }

  protected block(statements: readonly Node[]): void {
    for (const s of statements) this.statement(s);
  }

  protected statement(s: Node): void {
    switch (s.type) {
      case 'import_statement':
        for (const c of s.namedChildren) {
          if (c?.type === 'dotted_name') this.scope.imports.set(c.text.split('.')[0]!, c.text.split('.')[0]!);
          else if (c?.type === 'aliased_import')
            this.scope.imports.set(c.childForFieldName('alias')!.text, c.childForFieldName('name')!.text);
        }
        return;
      case 'import_from_statement': {
        const module = s.childForFieldName('module_name')?.text ?? '';
        for (const c of s.childrenForFieldName('name')) {
          if (c?.type === 'dotted_name') this.scope.imports.set(c.text, `${module}.${c.text}`);
          else if (c?.type === 'aliased_import')
            this.scope.imports.set(
              c.childForFieldName('alias')!.text,
              `${module}.${c.childForFieldName('name')!.text}`,
            );
        }
        return;
      }
      case 'expression_statement':
        for (const e of s.namedChildren) if (e) this.expression(e);
        return;
      case 'with_statement':
        return this.withStatement(s);
      case 'if_statement':
        return this.ifStatement(s);
      case 'for_statement':
        return this.forStatement(s);
      case 'while_statement':
      case 'try_statement':
        return this.notFollowed(s, `a ${s.type.replace('_statement', '')} statement`);
      case 'class_definition':
        return this.classDefinition(s);
      case 'decorated_definition': {
        const decorators = s.namedChildren.filter((c) => c?.type === 'decorator').map((d) => d!.text);
        const flat = decorators.map((d) => d.replace(/\s/g, ''));
        if (flat.some((d) => /^@(dag|task)\b|^@\w+\.(dag|task)\b/.test(d))) {
          // A @task function's calls are tasks of the DAG: left out, but kept for the dependencies through them.
          const name = s.childForFieldName('definition')?.childForFieldName('name')?.text;
          if (name && flat.some((d) => /^@(\w+\.)?task\b/.test(d))) this.taskflow.set(name, 0);
          this.ctx.report(
            s,
            'warning',
            'unsupported-statement',
            'TaskFlow (@dag/@task) functions run Python inside Airflow; they have no container to translate to. Dependencies through their tasks are kept.',
          );
        }
        return;
      }
      default:
        return;
    }
  }

  /**
   * `class X(DockerOperator)`: tasks of X are read as tasks of its base. What the class changes is not
   * followed, so it is said — except for the subclass `cdag export` writes, which only renders more fields.
   */
  protected classDefinition(s: Node): void {
    const name = s.childForFieldName('name')?.text;
    const bases = (s.childForFieldName('superclasses')?.namedChildren ?? [])
      .map((b) => (b ? dottedName(b) : undefined))
      .filter((b): b is string => !!b)
      .map((b) => shortName(this.scope.qualify(b)));
    const base = bases.map((b) => this.subclasses.get(b) ?? b).find((b) => TRANSLATED_OPERATORS.has(b));
    if (!name || !base) return;
    this.subclasses.set(name, base);
    if (name !== 'ContainerDagsDockerOperator' && name !== 'ContainerDagsPodOperator')
      this.ctx.report(
        s,
        'info',
        'unsupported-statement',
        `Tasks of ${name} are read as ${base} tasks; what the class changes is not translated.`,
      );
  }

  /**
   * `if` at module level: the condition is not evaluated (it may read the environment or the date),
   * so every branch is read, and that is said. `if __name__ == "__main__":` is a script's, not the DAG's.
   */
  protected ifStatement(s: Node): void {
    const cond = s.childForFieldName('condition');
    if (/^__name__==["']__main__["']$/.test(cond?.text.replace(/\s/g, '') ?? '')) return this.consumeAll(s);
    const branches = [s.childForFieldName('consequence'), ...s.childrenForFieldName('alternative')]
      .map((b) => (b?.type === 'block' ? b : (b?.childForFieldName('body') ?? b?.childForFieldName('consequence'))))
      .filter((b): b is Node => !!b);
    this.ctx.report(
      cond ?? s,
      'warning',
      'condition-not-evaluated',
      `The condition "${(cond?.text ?? '').slice(0, 60)}" was not evaluated: the tasks and dependencies of every branch were read.`,
    );
    for (const b of branches) this.block(b.namedChildren.filter((c): c is Node => !!c));
  }

  /**
   * `for t in [a, b, c]: start >> t` — a loop over a literal list or tuple is unrolled: its body is
   * read once per item, the loop variable standing for that task (or value). Any other loop depends
   * on running the file: what it makes and connects is said, by line.
   */
  protected forStatement(s: Node): void {
    const left = s.childForFieldName('left');
    const right = s.childForFieldName('right');
    const body = s.childForFieldName('body');
    const items = right?.type === 'list' || right?.type === 'tuple' ? right.namedChildren : undefined;
    if (left?.type !== 'identifier' || !items || !body || s.childForFieldName('alternative'))
      return this.notFollowed(s, 'a for statement');
    const name = left.text;
    const savedTask = this.taskVars.get(name);
    const savedValue = this.scope.values.get(name);
    for (const item of items) {
      if (!item || item.type === 'comment') continue;
      const tasks = this.operand(item);
      this.taskVars.delete(name);
      this.scope.values.delete(name);
      if (tasks) this.taskVars.set(name, tasks);
      else this.scope.values.set(name, evaluate(item, this.scope));
      this.block(body.namedChildren.filter((c): c is Node => !!c));
    }
    this.taskVars.delete(name);
    this.scope.values.delete(name);
    if (savedTask !== undefined) this.taskVars.set(name, savedTask);
    if (savedValue !== undefined) this.scope.values.set(name, savedValue);
  }

  /** Statements whose effect depends on running them: operators made there are reported, not guessed. */
  protected notFollowed(s: Node, what: string): void {
    const calls = s.descendantsOfType('call').filter((c): c is Node => !!c);
    const makesTasks = calls.some((c) => {
      const fn = c.childForFieldName('function');
      const name = fn ? dottedName(fn) : undefined;
      return !!name && isOperatorClass(shortName(name));
    });
    this.consumeAll(s);
    if (makesTasks)
      this.ctx.report(
        s,
        'warning',
        'unsupported-statement',
        `Tasks made inside ${what} depend on running the file; they were not translated.`,
      );
  }

  protected withStatement(s: Node): void {
    const clause = s.namedChildren.find((c) => c?.type === 'with_clause');
    const items = (clause?.namedChildren ?? []).filter((c): c is Node => c?.type === 'with_item');
    const body = s.childForFieldName('body');
    let groups = 0;
    const opened: Array<{ path: string; alias: string | undefined; tooltip: PyValue | undefined }> = [];
    for (const item of items) {
      const value = item.childForFieldName('value');
      const call = value?.type === 'as_pattern' ? value.namedChildren[0] : value;
      const alias = value?.type === 'as_pattern' ? value.childForFieldName('alias')?.text : undefined;
      if (!call) continue;
      const v = evaluate(call, this.scope);
      if (v.kind === 'call' && shortName(v.callee) === 'DAG') {
        // A second DAG is not imported, nor is anything made in its body.
        if (!this.defineDag(v, alias)) return this.consumeAll(s);
      } else if (v.kind === 'call' && shortName(v.callee) === 'TaskGroup') {
        const id = v.kwargs.get('group_id') ?? v.args[0];
        const prefix = v.kwargs.get('prefix_group_id');
        if (id?.kind !== 'str') {
          this.ctx.computed(id ?? v, 'the TaskGroup’s group_id');
          continue;
        }
        if (prefix?.kind === 'bool' && !prefix.value) continue;
        this.groups.push(id.value);
        groups++;
        opened.push({ path: this.groups.join('.'), alias, tooltip: v.kwargs.get('tooltip') });
        this.ctx.report(
          call,
          'info',
          'ignored-argument',
          `Airflow names the tasks of TaskGroup "${id.value}" ${id.value}.ID; task ids here have no dots, so they are ${id.value}__ID, in group ${this.groups.join('.')}.`,
        );
      }
    }
    if (body) this.block(body.namedChildren.filter((c): c is Node => !!c));
    this.groups.splice(this.groups.length - groups, groups);
    for (const g of opened) this.groupRead(g.path, g.alias, g.tooltip);
  }

  /** A TaskGroup block was read: its dotted path, the variable naming it, its tooltip. */
  protected groupRead(_path: string, _alias: string | undefined, _tooltip: PyValue | undefined): void {}

  /** Operator calls inside a node that is not followed are accounted for (reported once, there). */
  protected consumeAll(node: Node): void {
    for (const c of node.descendantsOfType('call')) if (c) this.consumed.add(c.startIndex);
  }
}
