import * as vscode from 'vscode';
import { parseDate } from '../../dag/dates';
import type { Dag } from '../../dag/model';
import { BACKFILL_CONFIRM_ABOVE, defaultLogicalDate } from '../../dag/schedule';
import type { RunRecord } from '../../protocol/runRecord';
import {
  BACKFILL_PREVIEW_CAP,
  newestRunByDate,
  planBackfill,
  planSummary,
  type BackfillPlan,
  type Reprocess,
} from '../../runner/backfillPlan';

/** What the backfill form decided: the dates to run (already filtered) and how many at once. */
export interface Backfill {
  readonly plan: BackfillPlan;
  readonly reprocess: Reprocess;
  readonly maxRuns: number;
}

const CHOICES: ReadonlyArray<{ reprocess: Reprocess; label: string }> = [
  { reprocess: 'failed', label: 'Run failed dates again, skip succeeded ones' },
  { reprocess: 'none', label: 'Skip every date that has a run' },
  { reprocess: 'completed', label: 'Run every date again' },
];

/** Runs at once a backfill may ask for here (the CLI's --max-runs has no upper bound). */
const MAX_RUNS = 16;

/**
 * Airflow's backfill dialog as a step-by-step form: the range, a preview of the dates per reprocess
 * behaviour (how many run, first and last, which already have runs), parallelism, then confirmation.
 */
export async function backfillForm(
  dag: Dag,
  file: string,
  runs: readonly RunRecord[],
  isLive: (r: RunRecord) => boolean,
): Promise<Backfill | undefined> {
  const title = (n: number) => `Backfill ${dag.id} (${n}/4)`;
  const asDate = (v: string) => {
    const d = parseDate(v);
    return d.succeeded ? undefined : d.error;
  };
  const fromText = await vscode.window.showInputBox({
    title: title(1),
    prompt: 'From (logical date, YYYY-MM-DD or ISO date-time, UTC)',
    value: dag.startDate?.toISOString().slice(0, 10) ?? defaultLogicalDate(dag.schedule, new Date()),
    validateInput: asDate,
    ignoreFocusOut: true,
  });
  const from = fromText === undefined ? undefined : parseDate(fromText);
  if (!from?.succeeded) return undefined;
  const toText = await vscode.window.showInputBox({
    title: title(2),
    prompt: 'To (inclusive)',
    value: dag.endDate?.toISOString().slice(0, 10) ?? defaultLogicalDate(dag.schedule, new Date()),
    validateInput: (v) => {
      const t = parseDate(v);
      if (!t.succeeded) return t.error;
      return t.result < from.result ? 'To is before From.' : undefined;
    },
    ignoreFocusOut: true,
  });
  const to = toText === undefined ? undefined : parseDate(toText);
  if (!to?.succeeded) return undefined;

  const byDate = newestRunByDate(runs, file);
  const plans = CHOICES.map((c) => ({
    ...c,
    plan: planBackfill(dag.schedule, from.result, to.result, byDate, c.reprocess, isLive),
  }));
  const whole = plans[0]!.plan;
  if (whole.capped) {
    void vscode.window.showWarningMessage(
      `${fromText}..${toText} has more than ${BACKFILL_PREVIEW_CAP.toLocaleString('en')} logical dates: give a narrower range.`,
    );
    return undefined;
  }
  if (whole.total === 0) {
    void vscode.window.showWarningMessage('No logical date of this schedule falls in that range.');
    return undefined;
  }
  const h = whole.history;
  const held = [
    h.success && `${h.success} succeeded`,
    h.failed && `${h.failed} failed`,
    h.live && `${h.live} running (never run twice)`,
    h.none && `${h.none} never run`,
  ].filter(Boolean);
  const picked = await vscode.window.showQuickPick(
    plans.map((p) => ({
      label: p.label,
      description: planSummary(p.plan),
      detail:
        p.plan.rerun > 0
          ? `${p.plan.rerun} of them already had a run`
          : p.plan.intervals.length > 0
            ? 'only dates without a run'
            : 'nothing to run',
      reprocess: p.reprocess,
      plan: p.plan,
    })),
    {
      title: title(3),
      placeHolder: `${whole.total} logical date(s) from ${fromText} to ${toText}: ${held.join(', ')}. Which run?`,
      ignoreFocusOut: true,
    },
  );
  if (!picked) return undefined;
  if (picked.plan.intervals.length === 0) {
    void vscode.window.showInformationMessage(`Nothing to backfill: ${picked.label.toLowerCase()} leaves no date.`);
    return undefined;
  }
  const maxText = await vscode.window.showInputBox({
    title: title(4),
    prompt: `Runs at once (1 to ${MAX_RUNS}); each run keeps its own max_active_tasks`,
    value: '1',
    validateInput: (v) =>
      /^\d+$/.test(v.trim()) && +v >= 1 && +v <= MAX_RUNS ? undefined : `A whole number from 1 to ${MAX_RUNS}.`,
    ignoreFocusOut: true,
  });
  if (maxText === undefined) return undefined;
  const maxRuns = Number(maxText.trim());
  const n = picked.plan.intervals.length;
  const start = `Start ${n} Run${n === 1 ? '' : 's'}`;
  const ok = await vscode.window.showWarningMessage(
    `Backfill ${dag.id}: ${planSummary(picked.plan)}, ${maxRuns} at once.${n > BACKFILL_CONFIRM_ABOVE ? ` That is more than ${BACKFILL_CONFIRM_ABOVE} runs.` : ''}`,
    {
      modal: true,
      detail: `${picked.label}. Containers start on the chosen backend; Cancel in the progress notification stops them.`,
    },
    start,
  );
  return ok === start ? { plan: picked.plan, reprocess: picked.reprocess, maxRuns } : undefined;
}

/**
 * One notification for the whole backfill, counting runs as they end, with Cancel; one summary at
 * the end instead of a message per run.
 */
export function withBackfillProgress(
  dagId: string,
  total: number,
  start: (signal: AbortSignal, ended: (r: RunRecord) => void) => Promise<RunRecord[] | undefined>,
): Thenable<void> {
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Backfill ${dagId}`, cancellable: true },
    async (progress, token) => {
      const stop = new AbortController();
      token.onCancellationRequested(() => stop.abort());
      let done = 0;
      let failed = 0;
      progress.report({ message: `0 of ${total} runs` });
      const records = await start(stop.signal, (r) => {
        done++;
        if (r.state !== 'success') failed++;
        progress.report({
          increment: 100 / total,
          message: `${done} of ${total} runs${failed ? ` · ${failed} not succeeded` : ''}`,
        });
      });
      if (!records) return;
      const ok = records.filter((r) => r.state === 'success').length;
      const text = `Backfill ${dagId}: ${records.length} of ${total} runs${stop.signal.aborted ? ' (cancelled)' : ''}, ${ok} succeeded${records.length - ok ? `, ${records.length - ok} not` : ''}.`;
      if (ok === records.length && !stop.signal.aborted) void vscode.window.showInformationMessage(text);
      else void vscode.window.showWarningMessage(text);
    },
  );
}
