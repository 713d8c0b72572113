import type { Node } from 'web-tree-sitter';
import { Document, isScalar, visit } from 'yaml';
import { analyzeDag } from '../../dag/analyze';
import { LineIndex } from '../../dag/lineIndex';
import type { PyValue } from '../python/values';
import type { DagWish } from './dagWish';
import type { DependencyGraph } from './dependencies';
import type { Doc, DocMap, ImportContext } from './importContext';
import { commentText } from './python';
import type { VolumeRegistry } from './volumes';
import { mergeTaskParams, type TaskParams } from './taskParams';
import { dict } from '../../util/dict';

const TASK_KEY_ORDER = [
  'image',
  'command',
  'args',
  'env',
  'secrets',
  'working_dir',
  'user',
  'mounts',
  'depends_on',
  'expand',
  'expand_max_active',
  'when',
  'outputs',
  'trigger_rule',
  'skip_on_exit_code',
  'depends_on_past',
  'retries',
  'retry_delay',
  'retry_exponential_backoff',
  'timeout',
  'resources',
  'image_pull_policy',
  'network',
  'kubernetes',
];
/** Lifted into `defaults` when every task has the same value. */
const DEFAULTABLE = ['mounts', 'retries', 'retry_delay', 'retry_exponential_backoff', 'timeout', 'image_pull_policy'];

/** What the import read, ready to be written as a DAG file. */
export interface ImportedDag {
  readonly dag: { fields: DocMap; defaultArgs: ReadonlyMap<string, PyValue>; node: Node; variable?: string };
  /** Every operator in file order; `task` is absent for one that was left out (kept for its dependencies). */
  readonly tasks: readonly { readonly id: string; readonly node: Node; readonly task?: DocMap }[];
  readonly graph: DependencyGraph;
  readonly volumes: VolumeRegistry;
  readonly wishes: readonly DagWish[];
  readonly taskParams: readonly TaskParams[];
  readonly fileName: string;
  readonly fallbackId: string;
}

/**
 * The DAG file for what was imported, validated like any other: its problems are reported on the
 * Python lines of the tasks they come from, so a file with errors is never presented as a success.
 */
export function writeDagFile(d: ImportedDag, ctx: ImportContext): string {
  const lifted: DocMap = {};
  liftWishes(d.wishes, lifted, ctx, d.tasks.filter((t) => t.task).length);
  const kept = new Set(d.tasks.filter((t) => t.task).map((t) => t.id));
  const upstreams = d.graph.contracted(kept);
  const tasks = dict<DocMap>();
  for (const t of d.tasks) {
    if (!t.task) continue;
    const deps = upstreams.get(t.id) ?? [];
    const task: DocMap = { ...t.task, ...(deps.length ? { depends_on: deps } : {}) };
    tasks[t.id] = ordered(task, TASK_KEY_ORDER);
  }
  const defaults = liftDefaults(tasks);
  const doc: DocMap = { ...d.dag.fields };
  const params = mergeTaskParams(
    (d.dag.fields.params as DocMap | undefined) ?? {},
    d.taskParams,
    tasks,
    d.dag.node,
    ctx,
  );
  if (Object.keys(params).length) doc.params = params;
  const vols = d.volumes.toDoc();
  if (vols) doc.volumes = vols;
  if (defaults) doc.defaults = defaults;
  Object.assign(doc, lifted);
  doc.tasks = tasks;
  if (kept.size === 0)
    ctx.report(
      d.dag.node,
      'error',
      'unsupported-operator',
      'No task of this DAG could be translated (only DockerOperator and KubernetesPodOperator are).',
    );
  const yaml = render(doc, d.fileName);
  checkGenerated(yaml, d, ctx);
  return yaml;
}

function liftWishes(wishes: readonly DagWish[], doc: DocMap, ctx: ImportContext, taskCount: number): void {
  const byPath = new Map<string, DagWish[]>();
  for (const w of wishes) byPath.set(w.path, [...(byPath.get(w.path) ?? []), w]);
  for (const [path, list] of byPath) {
    const values = new Set(list.map((w) => JSON.stringify(w.value)));
    if (path === 'docker.network' && (values.size > 1 || list.length < taskCount)) {
      // Tasks have their own Docker network; the DAG-level one is only for what all of them share.
      for (const w of list) if (w.task) w.task.network = w.value;
      continue;
    }
    // One per DAG here: lifted only when every task agrees, else no task would run where Airflow runs it.
    if (values.size > 1 || list.length < taskCount) {
      ctx.report(
        list[values.size > 1 ? 1 : 0]!.node,
        'warning',
        'unsupported-argument',
        values.size > 1
          ? `Tasks differ in ${path}, which is one per DAG here; it was not set (import the tasks into a DAG per value, or set ${path} yourself).`
          : `Only some tasks set ${path}, which is one per DAG here; it was not set, so those tasks would not run where the others do (set ${path} yourself to make it every task's).`,
      );
      continue;
    }
    const [section, key] = path.split('.') as [string, string];
    const block = { ...((doc[section] as DocMap | undefined) ?? {}) };
    block[key] = list[0]!.value;
    doc[section] = block;
  }
}

/**
 * The written file is validated like any other. Each problem is reported where it came from: on
 * the Python line of the task whose part of the file it is in, else on the DAG's line.
 */
function checkGenerated(yaml: string, d: ImportedDag, ctx: ImportContext): void {
  const analysis = analyzeDag(yaml, `${d.fallbackId}.dag.yaml`);
  const index = new LineIndex(yaml);
  const taskLines = taskLinesOf(yaml, d);
  for (const p of analysis.problems) {
    if (p.severity === 'hint' || p.severity === 'info') continue;
    const line = index.positionAt(p.range.start).line;
    const from = [...taskLines].filter(([start]) => start <= line).at(-1)?.[1] ?? d.dag.node;
    ctx.report(
      from,
      p.severity === 'error' ? 'error' : 'warning',
      'generated-file',
      `The written DAG file, line ${line + 1}: ${p.message}`,
    );
  }
}

/** The line each task's block starts on in the written file → the Python node that made it. */
function taskLinesOf(yaml: string, d: ImportedDag): Array<[number, Node]> {
  const lines = yaml.split('\n');
  const tasksAt = lines.indexOf('tasks:');
  const out: Array<[number, Node]> = [];
  if (tasksAt < 0) return out;
  const byId = new Map(d.tasks.map((t) => [t.id, t.node]));
  for (let i = tasksAt + 1; i < lines.length; i++) {
    const m = /^ {2}(?:"([^"]+)"|([^\s:#][^:]*)):/.exec(lines[i]!);
    const node = m ? byId.get(m[1] ?? m[2]!) : undefined;
    if (node) out.push([i, node]);
  }
  return out;
}

function ordered(task: DocMap, order: readonly string[]): DocMap {
  const out: DocMap = {};
  for (const k of order) if (task[k] !== undefined) out[k] = task[k];
  for (const k of Object.keys(task)) if (!(k in out) && task[k] !== undefined) out[k] = task[k];
  return out;
}

function liftDefaults(tasks: Record<string, DocMap>): DocMap | undefined {
  const list = Object.values(tasks);
  if (list.length < 2) return undefined;
  const defaults: DocMap = {};
  for (const key of DEFAULTABLE) {
    const first = JSON.stringify(list[0]![key]);
    if (list[0]![key] !== undefined && list.every((t) => JSON.stringify(t[key]) === first)) {
      defaults[key] = list[0]![key];
      for (const t of list) delete t[key];
    }
  }
  return Object.keys(defaults).length ? defaults : undefined;
}

/** YAML as people write DAG files: short scalar lists inline, one blank line before tasks. */
function render(doc: DocMap, fileName: string): string {
  const d = new Document(doc as unknown as Doc);
  visit(d, {
    Seq(_, seq) {
      const scalars = seq.items.every((i) => isScalar(i));
      const width = seq.items.reduce<number>((n, i) => n + String(isScalar(i) ? i.value : '').length + 2, 0);
      if (scalars && width < 90) seq.flow = true;
    },
    Map(_, map) {
      if (map.items.length === 0) map.flow = true;
    },
  });
  const body = d.toString({ lineWidth: 110, flowCollectionPadding: false });
  const header = `# Imported from ${commentText(fileName.replace(/\\/g, '/').split('/').pop() ?? '')} by cdag import.\n`;
  return header + body.replace(/\ntasks:\n/, '\n\ntasks:\n');
}
