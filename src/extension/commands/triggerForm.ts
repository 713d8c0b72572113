import { own } from '../../util/dict';
import * as vscode from 'vscode';
import { parseDate } from '../../dag/dates';
import type { Dag } from '../../dag/model';
import { defaultLogicalDate, intervalAt } from '../../dag/schedule';
import type { BackendKind } from '../../protocol/runRecord';
import type { DataInterval } from '../../dag/schedule';

/** What the trigger form gathers before a run, as Airflow's "Trigger DAG w/ config" does. */
export interface Trigger {
  readonly interval: DataInterval;
  readonly params: Record<string, string>;
  readonly backend: BackendKind;
  readonly maxActiveTasks: number;
}

/**
 * "Run DAG with Parameters…": the logical date (the last complete interval by default), every param
 * with its default and type, the backend and the tasks at once, one step each (Escape cancels, the
 * form's title counts the steps). Values are passed as `cdag run --param NAME=VALUE` passes them: text.
 */
export async function triggerForm(dag: Dag, backend: BackendKind, maxActive: number): Promise<Trigger | undefined> {
  const names = Object.keys(dag.params);
  const steps = 3 + names.length;
  const title = (n: number) => `Run ${dag.id} with Parameters (${n}/${steps})`;
  const dateText = await vscode.window.showInputBox({
    title: title(1),
    prompt: 'Logical date (YYYY-MM-DD or ISO date-time, UTC); the default is the last complete interval',
    value: defaultLogicalDate(dag.schedule, new Date()),
    validateInput: (v) => {
      const d = parseDate(v);
      return d.succeeded ? undefined : d.error;
    },
    ignoreFocusOut: true,
  });
  const date = dateText === undefined ? undefined : parseDate(dateText);
  if (!date?.succeeded) return undefined;
  const params: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [i, name] of names.entries()) {
    const def = own(dag.params, name);
    const shown = typeof def === 'string' ? def : JSON.stringify(def);
    const value = await vscode.window.showInputBox({
      title: title(2 + i),
      prompt: `params.${name} (${typeOf(def)}; default ${shown || '""'})`,
      value: shown ?? '',
      validateInput: (v) =>
        typeof def === 'number' && v.trim() !== '' && !Number.isFinite(Number(v))
          ? `params.${name} is a number.`
          : undefined,
      ignoreFocusOut: true,
    });
    if (value === undefined) return undefined;
    // Only what differs from the default is passed, so the record shows what was overridden.
    if (value !== shown) params[name] = value;
  }
  const where = await vscode.window.showQuickPick(
    [
      { label: 'Docker', description: backend === 'docker' ? 'the current choice' : '', backend: 'docker' as const },
      {
        label: 'Kubernetes',
        description: backend === 'kubernetes' ? 'the current choice' : '',
        backend: 'kubernetes' as const,
      },
    ].sort((a, b) => Number(b.backend === backend) - Number(a.backend === backend)),
    { title: title(steps - 1), placeHolder: 'Where the tasks run', ignoreFocusOut: true },
  );
  if (!where) return undefined;
  const max = await vscode.window.showInputBox({
    title: title(steps),
    prompt: 'Tasks of this run at once (max_active_tasks)',
    value: String(maxActive),
    validateInput: (v) => (/^[1-9]\d{0,2}$/.test(v.trim()) ? undefined : 'A whole number from 1 to 999.'),
    ignoreFocusOut: true,
  });
  if (max === undefined) return undefined;
  return {
    interval: intervalAt(dag.schedule, date.result),
    params,
    backend: where.backend,
    maxActiveTasks: Number(max),
  };
}

function typeOf(v: unknown): string {
  if (Array.isArray(v)) return 'list';
  if (v === null) return 'null';
  return typeof v === 'object' ? 'mapping' : typeof v === 'string' ? 'text' : typeof v;
}
