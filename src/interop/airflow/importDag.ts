import {
  DATAFLOW_ARGS,
  dataflowFields,
  declareReadOutputs,
  expandKwargsOf,
  mappedCallOf,
  readExpansion,
  withoutOutputVariable,
} from './importDataflow';
import type { Node, Tree } from 'web-tree-sitter';
import { fail, ok, type Errorable } from '../../util/errorable';
import { parsePython } from '../python/parser';
import { dottedName, evaluate, shortName, type PyValue } from '../python/values';
import { airflowDefaultsOf, dagFields, paramsOf } from './dagCall';
import { DEPENDENCY_CALL, reportUnreadDependencies, reportUnreadOperators, SHIFT } from './unreadStatements';
import type { TaskParams } from './taskParams';
import { taskReport, type TaskReport } from './fidelityReport';
import type { DagWish } from './dagWish';
import { chainCall, DependencyGraph, shiftExpression } from './dependencies';
import { dockerTask } from './dockerTask';
import { type DocMap, type InteropProblem } from './importContext';
import { isOperatorClass, StatementWalk } from './statementWalk';
import { writeDagFile } from './writeDag';
import { podTask } from './podTask';
import { VolumeRegistry } from './volumes';

export interface ImportResult {
  /** The DAG file, ready to save as `<dag>.dag.yaml`. Empty when no DAG was found. */
  readonly yaml: string;
  readonly dagId: string;
  /** About the Python file: what was not translated, by line. Sorted by position. */
  readonly problems: readonly InteropProblem[];
  /** Per operator, what of its arguments was carried, approximated or left out (`cdag import --report`). */
  readonly report: readonly TaskReport[];
  /** Where each imported task is made in the Python file (offsets), for the graph preview. */
  readonly taskRanges: Readonly<Record<string, { readonly start: number; readonly end: number }>>;
}

const OPERATORS = { DockerOperator: dockerTask, KubernetesPodOperator: podTask } as const;

/**
 * An Airflow DAG file (DockerOperator, KubernetesPodOperator) → an equivalent DAG file. The Python is
 * read, never run: literals, module constants and environment reads are understood; anything else is
 * a problem naming its line.
 */
export async function importAirflowDag(
  text: string,
  fileName = 'dag.py',
  options: { readonly airflow?: 2 | 3 } = {},
): Promise<Errorable<ImportResult>> {
  const tree = await parsePython(text);
  if (!tree.succeeded) return fail(tree.error);
  try {
    return ok(new Importer(fileName, options.airflow).run(tree.result));
  } catch (e) {
    // A bug of ours, or a file beyond what it was made for: said, never thrown at the caller.
    return fail(
      `The import stopped on something it does not handle (${(e as Error).message}); please report it with the file.`,
    );
  } finally {
    tree.result.delete();
  }
}

interface TaskEntry {
  readonly id: string;
  readonly node: Node;
  /** Undefined for operators that were not translated (kept only for their dependencies). */
  readonly task?: DocMap;
}

class Importer extends StatementWalk {
  private readonly volumes = new VolumeRegistry();
  private readonly graph = new DependencyGraph();
  private readonly tasks = new Map<string, TaskEntry>();
  private readonly wishes: DagWish[] = [];
  private readonly taskParams: TaskParams[] = [];
  private readonly reports: TaskReport[] = [];
  /** Dependency expressions and calls read (by start offset): any other is reported at the end. */
  private readonly readDeps = new Set<number>();
  /** The output a task of `cdag export` returns (`cdag_return`), by task: what tasks mapped over its XCom read. */
  private readonly returns = new Map<string, string>();
  /** TaskGroup tooltips, by group path: written under `groups`. */
  private readonly groupDescriptions = new Map<string, string>();
  private dag?: { fields: DocMap; defaultArgs: ReadonlyMap<string, PyValue>; node: Node; variable?: string };

  constructor(
    private readonly fileName: string,
    private readonly airflow?: 2 | 3,
  ) {
    super();
  }

  run(tree: Tree): ImportResult {
    this.syntaxErrors(tree.rootNode);
    this.block(tree.rootNode.namedChildren.filter((c): c is Node => !!c));
    reportUnreadOperators(tree.rootNode, this.consumed, this.scope, this.ctx);
    reportUnreadDependencies(tree.rootNode, this.readDeps, this.ctx);
    const dagId = String(this.dag?.fields.dag ?? this.fallbackId());
    if (!this.dag) {
      this.ctx.report(
        tree.rootNode,
        'error',
        'no-dag',
        'No DAG(...) was found: write `with DAG(...) as dag:` or `dag = DAG(...)`.',
      );
      return this.result('', dagId);
    }
    return this.result(this.write(), dagId);
  }

  private fallbackId(): string {
    const base = this.fileName.replace(/\\/g, '/').split('/').pop() ?? 'dag';
    return base.replace(/\.py$/, '').replace(/[^A-Za-z0-9_.-]/g, '_') || 'dag';
  }

  private result(yaml: string, dagId: string): ImportResult {
    const problems = [...this.ctx.problems].sort((a, b) => a.range.start - b.range.start);
    const taskRanges: Record<string, { start: number; end: number }> = {};
    for (const t of this.tasks.values())
      if (t.task) taskRanges[t.id] = { start: t.node.startIndex, end: t.node.endIndex };
    return { yaml, dagId, problems, taskRanges, report: this.reports };
  }

  /** Whether this is the DAG the file's tasks go to. */
  protected defineDag(call: PyValue & { kind: 'call' }, variable?: string): boolean {
    if (this.dag) {
      this.ctx.report(
        call.node,
        'warning',
        'several-dags',
        'A second DAG in this file was not imported: a DAG file holds one DAG; import each into its own file.',
      );
      return false;
    }
    const airflow = airflowDefaultsOf(call, [...this.scope.imports.values()], this.airflow);
    const { fields, defaultArgs } = dagFields(call, this.ctx, this.fallbackId(), airflow);
    this.dag = { fields, defaultArgs, node: call.node, variable };
    return true;
  }

  protected expression(e: Node): void {
    if (e.type === 'assignment') return this.assignment(e);
    if (e.type === 'binary_operator') {
      const op = e.childForFieldName('operator')?.text;
      if (op === '>>' || op === '<<') this.shift(e);
      return;
    }
    if (e.type === 'call') return this.callStatement(e);
    // `(a >> b >> c)`, `a >> b, c >> d`, `[a >> b, c >> d]`: each part is a statement of its own.
    if (
      e.type === 'parenthesized_expression' ||
      e.type === 'tuple' ||
      e.type === 'list' ||
      e.type === 'expression_list'
    )
      for (const c of e.namedChildren) if (c && c.type !== 'comment') this.expression(c);
  }

  /** A `>>`/`<<` expression, read and marked as read (with every shift inside it). */
  private shift(e: Node): string[] {
    this.markRead(e);
    return shiftExpression(e, this.graph, (n) => this.operand(n), this.ctx);
  }

  private markRead(e: Node): void {
    this.readDeps.add(e.startIndex);
    for (const b of e.descendantsOfType('binary_operator')) if (b) this.readDeps.add(b.startIndex);
  }

  private assignment(a: Node): void {
    const left = a.childForFieldName('left');
    const right = a.childForFieldName('right');
    if (!left || !right) return;
    const name = left.type === 'identifier' ? left.text : undefined;
    if (right.type === 'call') {
      if (this.mappedCall(right)) {
        const id = this.operatorCall(right);
        if (id && name) this.taskVars.set(name, [id]);
        return;
      }
      const fn = right.childForFieldName('function');
      const callee = fn ? shortName(this.scope.qualify(dottedName(fn) ?? '')) : '';
      if (callee === 'DAG') {
        const v = evaluate(right, this.scope);
        if (v.kind === 'call') this.defineDag(v, name);
        return;
      }
      if (isOperatorClass(callee)) {
        const id = this.operatorCall(right);
        if (id && name) this.taskVars.set(name, [id]);
        return;
      }
    }
    if (right.type === 'binary_operator' && SHIFT.has(right.childForFieldName('operator')?.text ?? '')) {
      const tasks = this.shift(right);
      // `x = a >> b` names b, as Airflow returns the right side.
      if (name && tasks.length) this.taskVars.set(name, tasks);
      return;
    }
    if (right.type === 'call' && DEPENDENCY_CALL.test(dottedName(right.childForFieldName('function')!) ?? '')) {
      this.callStatement(right);
      return;
    }
    // `group = [a, b]` names tasks for later dependencies.
    const tasks = right.type === 'list' || right.type === 'tuple' ? this.operand(right) : undefined;
    if (name && tasks) this.taskVars.set(name, tasks);
    else if (name) this.scope.values.set(name, evaluate(right, this.scope));
  }

  private callStatement(c: Node): void {
    if (this.mappedCall(c)) {
      this.operatorCall(c);
      return;
    }
    const fn = c.childForFieldName('function');
    const args = (c.childForFieldName('arguments')?.namedChildren ?? []).filter(
      (x): x is Node => !!x && x.type !== 'comment',
    );
    const name = fn ? dottedName(fn) : undefined;
    if (!name) return;
    const qualified = this.scope.qualify(name);
    const method = /\.(set_upstream|set_downstream)$/.exec(name);
    if (method || /^(chain|cross_downstream)$/.test(shortName(qualified))) this.readDeps.add(c.startIndex);
    if (method) {
      const self = this.operand(fn!.childForFieldName('object')!);
      const other = args[0] ? this.operand(args[0]) : undefined;
      if (!self || !other) {
        this.ctx.report(
          c,
          'warning',
          'unknown-task',
          `${name}(…): a task here is not one this import knows; not translated.`,
        );
        return;
      }
      if (method[1] === 'set_upstream') this.graph.addAll(other, self);
      else this.graph.addAll(self, other);
      return;
    }
    if (shortName(qualified) === 'chain') return chainCall(args, this.graph, (n) => this.operand(n), this.ctx);
    if (shortName(qualified) === 'cross_downstream' && args.length === 2) {
      const from = this.operand(args[0]!);
      const to = this.operand(args[1]!);
      if (from && to) this.graph.addAll(from, to);
      else
        this.ctx.report(
          c,
          'warning',
          'unknown-task',
          'cross_downstream of tasks this import does not know; not translated.',
        );
      return;
    }
    if (isOperatorClass(shortName(qualified))) this.operatorCall(c);
  }

  /** The tasks an expression in a dependency names, or undefined when it is not tasks. */
  protected operand(n: Node): string[] | undefined {
    if (n.type === 'identifier') {
      const tasks = this.taskVars.get(n.text);
      return tasks ? [...tasks] : undefined;
    }
    if (n.type === 'list' || n.type === 'tuple') {
      const all: string[] = [];
      for (const c of n.namedChildren) {
        if (!c || c.type === 'comment') continue;
        const t = this.operand(c);
        if (!t) return undefined;
        all.push(...t);
      }
      return all;
    }
    if (n.type === 'call') {
      if (this.mappedCall(n)) {
        const id = this.operatorCall(n);
        return id ? [id] : undefined;
      }
      const fn = n.childForFieldName('function');
      const name = fn ? dottedName(fn) : undefined;
      const calls = name !== undefined ? this.taskflow.get(name) : undefined;
      if (name !== undefined && calls !== undefined) {
        // Airflow names a @task function's tasks after it: f, f__1, f__2…
        const id = calls === 0 ? name : `${name}__${calls}`;
        this.taskflow.set(name, calls + 1);
        this.consumed.add(n.startIndex);
        if (!this.tasks.has(id)) this.tasks.set(id, { id, node: n });
        return [id];
      }
      if (name && isOperatorClass(shortName(this.scope.qualify(name)))) {
        const id = this.operatorCall(n);
        return id ? [id] : undefined;
      }
    }
    if (n.type === 'parenthesized_expression') {
      const inner = n.namedChildren.find((c) => c && c.type !== 'comment');
      return inner ? this.operand(inner) : undefined;
    }
    return undefined;
  }

  /** Makes the task of an operator call; returns its id (also for untranslated operators, for dependencies). */
  private operatorCall(node: Node): string | undefined {
    this.consumed.add(node.startIndex);
    const mapped = this.mappedCall(node);
    if (mapped) this.consumed.add(mapped.partial.startIndex);
    const v = evaluate(mapped?.partial ?? node, this.scope);
    if (v.kind !== 'call') return undefined;
    const callee = mapped ? v.callee.replace(/\.partial$/, '') : v.callee;
    const cls = this.subclasses.get(shortName(callee)) ?? shortName(callee);
    const idValue =
      v.kwargs.get('task_id') ?? (cls === 'DockerOperator' || cls === 'KubernetesPodOperator' ? undefined : v.args[0]);
    if (idValue?.kind !== 'str') {
      this.ctx.report(
        node,
        'warning',
        'computed-value',
        `${cls}(…) has no literal task_id; the task was not translated.`,
      );
      return undefined;
    }
    const dagArg = v.kwargs.get('dag');
    if (dagArg?.kind === 'ref' && this.dag?.variable && dagArg.name !== this.scope.qualify(this.dag.variable)) {
      this.ctx.report(
        node,
        'warning',
        'several-dags',
        `${cls} "${idValue.value}" belongs to another DAG (dag=${dagArg.name}); not imported.`,
      );
      return undefined;
    }
    const id = [...this.groups, idValue.value].join('__');
    if (this.tasks.has(id)) {
      this.ctx.report(
        node,
        'warning',
        'unknown-task',
        `A second task with the id "${id}" was not imported (Airflow refuses duplicates too).`,
      );
      return id;
    }
    const mapper = OPERATORS[cls as keyof typeof OPERATORS];
    if (!mapper) {
      this.ctx.report(
        node,
        'warning',
        'unsupported-operator',
        `${cls} "${id}" is not a container operator (DockerOperator, KubernetesPodOperator); it was left out, dependencies through it kept.`,
      );
      this.tasks.set(id, { id, node });
      this.reports.push(taskReport(id, cls, node.startPosition.row + 1, v.kwargs, undefined, []));
      return id;
    }
    const kwargs = new Map(this.dag?.defaultArgs ?? []);
    for (const [k, val] of v.kwargs) kwargs.set(k, val);
    for (const [i, a] of v.args.entries())
      this.ctx.report(
        a.node,
        'warning',
        'unsupported-argument',
        `Positional argument ${i + 1} of ${cls}: write it as a keyword.`,
      );
    const allKwargs = new Map(kwargs);
    const params = kwargs.get('params');
    kwargs.delete('params');
    const own = paramsOf(params, this.ctx);
    if (own && params) this.taskParams.push({ taskId: id, node: params.node, params: own });
    const before = this.ctx.problems.length;
    const dataflow: DocMap = {};
    dataflowFields(kwargs, this.ctx, dataflow);
    for (const k of DATAFLOW_ARGS) kwargs.delete(k);
    const read = mapped && this.expansion(mapped.expand, allKwargs);
    const expansion = read ? read.expansion : undefined;
    for (const [k, val] of expansion?.kwargs ?? []) kwargs.set(k, val);
    kwargs.delete('max_active_tis_per_dagrun');
    const translated = mapper(kwargs, this.ctx, this.volumes);
    // The same object: the operator's wishes (a network to lift, say) point at it.
    const task: DocMap = Object.assign(
      translated.task,
      dataflow,
      expansion ? { expand: expansion.expand } : {},
      expansion?.maxActive !== undefined ? { expand_max_active: expansion.maxActive } : {},
    );
    withoutOutputVariable(task);
    if (this.groups.length) task.group = this.groups.join('.');
    const ret = allKwargs.get('cdag_return');
    if (ret?.kind === 'str') this.returns.set(id, ret.value);
    const used = new Set([...translated.used, ...DATAFLOW_ARGS, ...(own && params ? ['params'] : [])]);
    const line = node.startPosition.row + 1;
    this.reports.push(taskReport(id, cls, line, allKwargs, used, this.ctx.problems.slice(before)));
    this.wishes.push(...translated.wishes);
    this.tasks.set(id, { id, node, task });
    // Airflow makes a task mapped over another's XCom its downstream, mapped here or not; outputs
    // are declared only for an expansion that was read.
    for (const ref of read ? read.refs : []) this.graph.addAll([ref.task], [id]);
    if (expansion && read) this.ctx.outputRefs.push(...read.refs);
    return id;
  }

  /** A TaskGroup's variable names its tasks (`extract >> load`); its tooltip is the group's description. */
  protected override groupRead(path: string, alias: string | undefined, tooltip: PyValue | undefined): void {
    const members = [...this.tasks.values()]
      .filter(
        (t) => typeof t.task?.group === 'string' && (t.task.group === path || t.task.group.startsWith(`${path}.`)),
      )
      .map((t) => t.id);
    if (alias) this.taskVars.set(alias, members);
    if (tooltip?.kind === 'str') this.groupDescriptions.set(path, tooltip.value);
  }

  private mappedCall(node: Node): { partial: Node; expand: Node } | undefined {
    return mappedCallOf(node, this.scope);
  }

  /** The `expand` of a mapped task, and the XComs it maps over. */
  private expansion(expandCall: Node, partial: ReadonlyMap<string, PyValue>) {
    return readExpansion(
      expandKwargsOf(expandCall, this.scope, this.ctx),
      partial,
      this.ctx,
      (variable: string) => this.taskVars.get(variable)?.[0],
      (task: string) => this.returns.get(task),
    );
  }

  // ------------------------------------------------------------ output

  private write(): string {
    declareReadOutputs(this.tasks, this.ctx);
    if (this.groupDescriptions.size && this.dag)
      this.dag.fields.groups = Object.fromEntries(
        [...this.groupDescriptions].map(([path, description]) => [path, { description }]),
      );
    return writeDagFile(
      {
        dag: this.dag!,
        tasks: [...this.tasks.values()],
        graph: this.graph,
        volumes: this.volumes,
        wishes: this.wishes,
        taskParams: this.taskParams,
        fileName: this.fileName,
        fallbackId: this.fallbackId(),
      },
      this.ctx,
    );
  }
}
