import { triggerForm } from './triggerForm';
import { backfillForm, withBackfillProgress } from './backfillForm';
import * as vscode from 'vscode';
import {
  downstreamOf,
  keepOutside,
  latestEndedRun,
  failedSelection,
  unknownInstance,
  widenSelection,
  withGroupsExpanded,
} from '../../runner/rerunSelection';
import { analyzeDag } from '../../dag/analyze';
import { parseDate } from '../../dag/dates';
import type { Dag } from '../../dag/model';
import { defaultLogicalDate, intervalAt, latestCompleteInterval } from '../../dag/schedule';
import type { RunRecord } from '../../protocol/runRecord';
import type { RunController } from '../runs/runController';
import { serviceLogId, type RunsNode } from '../runs/runsTree';
import { own } from '../../util/dict';
import { buildImagesOf } from '../runs/imageBuilds';

const SECRET_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?(\/[-._a-zA-Z0-9]+)?$/;

async function dagDocument(arg?: unknown): Promise<{ doc: vscode.TextDocument; dag: Dag } | undefined> {
  // A Uri from a lens or a menu, or a DAGs view item carrying one.
  const given = (arg as { uri?: unknown } | undefined)?.uri;
  const uri = arg instanceof vscode.Uri ? arg : given instanceof vscode.Uri ? given : undefined;
  const doc = uri ? await vscode.workspace.openTextDocument(uri) : vscode.window.activeTextEditor?.document;
  if (!doc || doc.languageId !== 'container-dag') {
    void vscode.window.showWarningMessage('Open a .dag.yaml file first.');
    return undefined;
  }
  const a = analyzeDag(doc.getText(), doc.uri.fsPath);
  if (!a.dag || a.hasErrors) {
    void vscode.window.showErrorMessage('This DAG has errors; fix them (see Problems) before running it.');
    return undefined;
  }
  return { doc, dag: a.dag };
}

async function askDate(prompt: string, value: string): Promise<Date | undefined> {
  const text = await vscode.window.showInputBox({
    prompt,
    value,
    validateInput: (v) => {
      const d = parseDate(v);
      return d.succeeded ? undefined : d.error;
    },
  });
  if (text === undefined) return undefined;
  const d = parseDate(text);
  return d.succeeded ? d.result : undefined;
}

function recordOf(controller: RunController, node: unknown): RunRecord | undefined {
  const n = node as RunsNode | undefined;
  if (n && (n.kind === 'run' || n.kind === 'task')) return n.record;
  return controller.runs()[0];
}

/** The DAG file a run record names, open and free of errors. */
async function dagOfRecord(r: RunRecord): Promise<{ doc: vscode.TextDocument; dag: Dag } | undefined> {
  if (!r.file) return undefined;
  return dagDocument(vscode.Uri.file(r.file));
}

/** Airflow's Clear: the selected tasks run again inside the ended run, on its backend, a new try each. */
async function clearIn(c: RunController, r: RunRecord, only: ReadonlySet<string>): Promise<void> {
  const d = await dagOfRecord(r);
  if (!d) return;
  const start = new Date(r.logical_date);
  await c.run({
    document: d.doc,
    dag: d.dag,
    intervals: [{ start, end: new Date(r.data_interval_end) }],
    only,
    clear: r,
    backend: r.backend,
  });
}

/** A run asked for by the graph's toolbar or context menu, for one logical date. */
export async function runFromGraph(
  c: RunController,
  uri: vscode.Uri,
  date: string,
  what: { task?: string; downstream?: boolean; backend?: 'docker' | 'kubernetes' } = {},
): Promise<void> {
  const d = await dagDocument(uri);
  const day = parseDate(date);
  if (!d || !day.succeeded) return;
  // A group stands for its tasks; an instance for itself.
  const only = what.task
    ? what.downstream
      ? downstreamOf(d.dag, what.task)
      : withGroupsExpanded(d.dag, new Set([what.task]))
    : undefined;
  const interval = intervalAt(d.dag.schedule, day.result);
  // A re-run keeps what the newest run of that date did outside the selection (Airflow's "clear"):
  // the selected tasks read their upstream outputs, and an instance its item, from that run.
  const previous = what.task ? latestEndedRun(c.runs(), uri.fsPath, interval.start) : undefined;
  const missing = only && unknownInstance(d.dag, only, previous);
  if (missing) {
    void vscode.window.showWarningMessage(
      `${missing.id} cannot run alone: no ended run of ${date} made ${missing.made === undefined ? 'the instances of' : `more than ${missing.made} instance(s) of`} ${missing.task}. Run the DAG for that date first.`,
    );
    return;
  }
  await c.run({
    document: d.doc,
    dag: d.dag,
    intervals: [interval],
    ...(only ? { only } : {}),
    // Inside that run, as Airflow's Clear: a new try of the selection, the rest as it was; on another
    // backend than that run's, a new run that keeps what it did.
    ...(previous && only
      ? (what.backend ?? c.backend()) === previous.backend
        ? { clear: previous }
        : { previous: keepOutside(d.dag, previous, only) }
      : {}),
    ...(what.backend ? { backend: what.backend } : {}),
  });
}

/** The run commands as a table of factories: id → handler. */
export function runCommands(c: RunController): Record<string, (...args: unknown[]) => unknown> {
  return {
    'containerDags.runDag': async (uri?: unknown) => {
      const d = await dagDocument(uri as vscode.Uri | undefined);
      if (d)
        await c.run({ document: d.doc, dag: d.dag, intervals: [latestCompleteInterval(d.dag.schedule, new Date())] });
    },
    'containerDags.runWithParams': async (uri?: unknown) => {
      const d = await dagDocument(uri as vscode.Uri | undefined);
      if (!d) return;
      const t = await triggerForm(d.dag, c.backend(), c.maxActiveTasks(d.dag));
      if (t)
        await c.run({
          document: d.doc,
          dag: d.dag,
          intervals: [t.interval],
          params: t.params,
          backend: t.backend,
          maxActiveTasks: t.maxActiveTasks,
        });
    },
    'containerDags.runDagForDate': async (uri?: unknown) => {
      const d = await dagDocument(uri as vscode.Uri | undefined);
      if (!d) return;
      const date = await askDate(
        'Logical date (YYYY-MM-DD or ISO date-time, UTC)',
        // The date Run DAG and the graph use: the last complete interval's.
        defaultLogicalDate(d.dag.schedule, new Date()),
      );
      if (date) await c.run({ document: d.doc, dag: d.dag, intervals: [intervalAt(d.dag.schedule, date)] });
    },
    'containerDags.backfill': async (uri?: unknown) => {
      const d = await dagDocument(uri as vscode.Uri | undefined);
      if (!d) return;
      const b = await backfillForm(d.dag, d.doc.uri.fsPath, c.runs(), (r) => c.launcher.isLive(r));
      if (!b) return;
      await withBackfillProgress(d.dag.id, b.plan.intervals.length, (signal, ended) =>
        c.run({
          document: d.doc,
          dag: d.dag,
          intervals: b.plan.intervals,
          backfill: true,
          maxRuns: b.maxRuns,
          signal,
          onEnded: ended,
        }),
      );
    },
    'containerDags.runTask': async (uri?: unknown, taskId?: unknown) => {
      const d = await dagDocument(uri as vscode.Uri | undefined);
      if (!d) return;
      const id =
        typeof taskId === 'string'
          ? taskId
          : (await vscode.window.showQuickPick(d.dag.tasks.map((t) => ({ label: t.id, description: t.image }))))?.label;
      if (id)
        await c.run({
          document: d.doc,
          dag: d.dag,
          intervals: [latestCompleteInterval(d.dag.schedule, new Date())],
          only: new Set([id]),
        });
    },
    'containerDags.buildImages': async (uri?: unknown, taskId?: unknown) => {
      const d = await dagDocument(uri as vscode.Uri | undefined);
      if (d)
        await buildImagesOf(
          d.doc,
          d.dag,
          c.dockerHost(d.dag),
          c.outputChannel(d.dag.id),
          typeof taskId === 'string' ? new Set([taskId]) : undefined,
        );
    },
    'containerDags.rerunFailed': async (node?: unknown) => {
      const r = recordOf(c, node);
      const only = r && failedSelection(r);
      if (!r?.file || !r.ended_at || !only?.size) {
        void vscode.window.showWarningMessage('No finished run with failed tasks to re-run.');
        return;
      }
      await clearIn(c, r, only);
    },
    'containerDags.clearTask': async (node?: unknown) => {
      const n = node as RunsNode | undefined;
      if (n?.kind !== 'task' || !n.record.ended_at) return;
      const d = await dagOfRecord(n.record);
      if (!d) return;
      const picked = await vscode.window.showQuickPick(
        [
          { label: 'This task', widen: { downstream: false, upstream: false } },
          { label: 'With downstream', widen: { downstream: true, upstream: false } },
          { label: 'With upstream', widen: { downstream: false, upstream: true } },
          { label: 'With upstream and downstream', widen: { downstream: true, upstream: true } },
        ].map((x) => {
          const only = widenSelection(d.dag, [n.taskId], x.widen);
          return { ...x, only, description: `${only.size} task(s): ${[...only].join(', ')}` };
        }),
        { title: `Clear ${n.taskId} in run ${n.record.run_id}: a new try, in the same run` },
      );
      if (picked) await clearIn(c, n.record, picked.only);
    },
    'containerDags.cancelRun': (node?: unknown) => {
      const r = recordOf(c, node);
      c.cancel(r?.state === 'running' ? r.run_id : undefined);
    },
    'containerDags.showTaskLog': async (arg?: unknown, taskId?: unknown) => {
      const n = arg as RunsNode | undefined;
      // True when a log was opened (the walkthrough's step completes on it).
      if (n && n.kind === 'service') {
        await c.openLog(n.record, serviceLogId(n.name), 1);
        return true;
      }
      if (n && n.kind === 'task') {
        const a = n.task.attempts.at(-1);
        if (a) await c.openLog(n.record, n.taskId, a.try);
        return a !== undefined;
      }
      // From a CodeLens: the newest run of this file that ran the task.
      const file = (arg as vscode.Uri | undefined)?.fsPath;
      const r = c
        .runs()
        .find((x) => (!file || x.file === file) && typeof taskId === 'string' && own(x.tasks, taskId)?.attempts.length);
      if (!r || typeof taskId !== 'string') {
        void vscode.window.showInformationMessage('This task has not run yet. Use "Run task" above it.');
        return;
      }
      await c.openLog(r, taskId, own(r.tasks, taskId)!.attempts.at(-1)!.try);
      return true;
    },
    'containerDags.setSecret': async () => {
      const name = await vscode.window.showInputBox({
        prompt: 'Secret name, as written under "secrets" in the DAG (e.g. movielens-password)',
        validateInput: (v) =>
          SECRET_NAME.test(v) ? undefined : 'Lowercase letters, digits, "-" and "." (optionally /key).',
      });
      if (!name) return;
      const value = await vscode.window.showInputBox({ prompt: `Value of ${name}`, password: true });
      if (value === undefined) return;
      await c.storeSecret(name, value);
      void vscode.window.showInformationMessage(`Secret ${name} saved in VS Code's secret storage.`);
    },
  };
}
