import type { Node } from 'web-tree-sitter';
import type { Doc, DocMap, ImportContext } from './importContext';
import { dict, own } from '../../util/dict';

/** A task's own `params={…}` (with `default_args`' params), as read. */
export interface TaskParams {
  readonly taskId: string;
  readonly node: Node;
  readonly params: DocMap;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const PARAM_REF = /\{\{\s*params\.([A-Za-z_]\w*)\b[^}]*\}\}/g;

/**
 * Task-level params the way Airflow merges them: a task sees the DAG's params updated with its own.
 * Here params are one map per DAG, so a task value no other source contradicts joins the DAG's
 * params; where the DAG or another task says otherwise, the task's value is written into its own
 * `{{ params.NAME }}` templates, and that is said. A name used in a template but declared nowhere
 * renders empty in Airflow: it is declared as "" (said too), so every reference resolves.
 */
export function mergeTaskParams(
  dagParams: DocMap,
  taskParams: readonly TaskParams[],
  tasks: Record<string, DocMap>,
  dagNode: Node,
  ctx: ImportContext,
): DocMap {
  const merged = dict<Doc>(Object.entries(dagParams).filter((e): e is [string, Doc] => e[1] !== undefined)) as DocMap;
  const values = new Map<string, Set<string>>();
  for (const t of taskParams)
    for (const [k, v] of Object.entries(t.params)) values.set(k, (values.get(k) ?? new Set()).add(JSON.stringify(v)));
  for (const [k, vs] of values) {
    if (own(merged, k) === undefined && vs.size === 1) merged[k] = JSON.parse([...vs][0]!) as Doc;
  }
  for (const t of taskParams) {
    const task = own(tasks, t.taskId);
    if (!task) continue;
    for (const [k, v] of Object.entries(t.params)) {
      if (own(merged, k) === undefined) merged[k] = v; // tasks disagree: the first one's value is the DAG's
      if (JSON.stringify(own(merged, k)) === JSON.stringify(v)) continue;
      const carried = carry(task, k, String(v));
      ctx.report(
        t.node,
        'warning',
        'unsupported-argument',
        carried.filtered
          ? `params["${k}"] of task "${t.taskId}" differs from the DAG's; "{{ params.${k} }}" was written as its value, but a reference with filters keeps the DAG's value.`
          : `params["${k}"] of task "${t.taskId}" differs from the DAG's (params are one map per DAG here); its value was written into the task's templates.`,
      );
    }
  }
  for (const name of referencedParams(tasks)) {
    if (own(merged, name) !== undefined) continue;
    merged[name] = '';
    ctx.report(
      dagNode,
      'warning',
      'unsupported-argument',
      `{{ params.${name} }} is used but no params declare it (Airflow renders it empty); it is declared here as "".`,
    );
  }
  return merged;
}

/** Replaces `{{ params.NAME }}` in every string of a task; says whether a filtered reference was left. */
function carry(task: DocMap, name: string, value: string): { filtered: boolean } {
  const exact = new RegExp(`\\{\\{\\s*params\\.${escape(name)}\\s*\\}\\}`, 'g');
  const any = new RegExp(`\\{\\{\\s*params\\.${escape(name)}\\b`);
  let filtered = false;
  const walk = (d: Doc): Doc => {
    if (typeof d === 'string') {
      const out = d.replace(exact, value);
      if (any.test(out)) filtered = true;
      return out;
    }
    if (Array.isArray(d)) return d.map(walk);
    if (d && typeof d === 'object') {
      const o: DocMap = {};
      for (const [k, v] of Object.entries(d)) if (v !== undefined) o[k] = walk(v as Doc);
      return o;
    }
    return d;
  };
  for (const [k, v] of Object.entries(task)) if (v !== undefined) task[k] = walk(v);
  return { filtered };
}

function referencedParams(tasks: Record<string, DocMap>): Set<string> {
  const out = new Set<string>();
  const walk = (d: Doc | undefined): void => {
    if (typeof d === 'string') for (const m of d.matchAll(PARAM_REF)) out.add(m[1]!);
    else if (Array.isArray(d)) d.forEach(walk);
    else if (d && typeof d === 'object') Object.values(d).forEach(walk);
  };
  Object.values(tasks).forEach(walk);
  return out;
}
