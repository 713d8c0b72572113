import { isoDay, isoTimestamp } from '../dag/dates';
import { iterateIntervals, type DataInterval, type Schedule } from '../dag/schedule';
import type { RunRecord } from '../protocol/runRecord';

/**
 * Which dates of a backfill that already have a run run again — Airflow 3's `reprocess_behavior`:
 * none (only dates without a run), failed (also those whose newest run did not succeed), completed
 * (every date). A date whose run is still going on never runs twice.
 */
export type Reprocess = 'none' | 'failed' | 'completed';
export const REPROCESS: readonly Reprocess[] = ['none', 'failed', 'completed'];

/** What the newest run of a date says about it. */
export type DateHistory = 'none' | 'success' | 'failed' | 'live';

export interface BackfillPlan {
  /** Dates in the range (at most `cap` are looked at). */
  readonly total: number;
  /** The range has more dates than `cap`: narrow it. */
  readonly capped: boolean;
  /** The dates that will run, in order. */
  readonly intervals: readonly DataInterval[];
  /** Dates of the range per what their newest run says. */
  readonly history: Readonly<Record<DateHistory, number>>;
  /** Of those, how many run again under this behaviour. */
  readonly rerun: number;
}

/** Looked at once, at most: a preview of more dates than this is a range to narrow. */
export const BACKFILL_PREVIEW_CAP = 100_000;

/** The newest run of each logical date of this DAG file: what a backfill would find there. */
export function newestRunByDate(runs: readonly RunRecord[], file: string): Map<string, RunRecord> {
  const byDate = new Map<string, RunRecord>();
  for (const r of runs) {
    if (r.file !== file) continue;
    const seen = byDate.get(r.logical_date);
    if (!seen || (r.started_at ?? '') > (seen.started_at ?? '')) byDate.set(r.logical_date, r);
  }
  return byDate;
}

function historyOf(r: RunRecord | undefined, isLive: (r: RunRecord) => boolean): DateHistory {
  if (!r) return 'none';
  if (r.ended_at === undefined) return r.interrupted || !isLive(r) ? 'failed' : 'live';
  return r.state === 'success' ? 'success' : 'failed';
}

/** Whether a date with this history runs under the behaviour. */
export function runsAgain(h: DateHistory, reprocess: Reprocess): boolean {
  if (h === 'none') return true;
  if (h === 'live') return false;
  return reprocess === 'completed' || (reprocess === 'failed' && h === 'failed');
}

/** The dates of `from..to` a backfill runs under a reprocess behaviour, and what the range holds already. */
export function planBackfill(
  schedule: Schedule,
  from: Date,
  to: Date,
  byDate: ReadonlyMap<string, RunRecord>,
  reprocess: Reprocess,
  isLive: (r: RunRecord) => boolean,
  cap = BACKFILL_PREVIEW_CAP,
): BackfillPlan {
  const history: Record<DateHistory, number> = { none: 0, success: 0, failed: 0, live: 0 };
  const intervals: DataInterval[] = [];
  let total = 0;
  let rerun = 0;
  for (const interval of iterateIntervals(schedule, from, to)) {
    if (total === cap) return { total, capped: true, intervals, history, rerun };
    total++;
    const h = historyOf(byDate.get(isoTimestamp(interval.start)), isLive);
    history[h]++;
    if (!runsAgain(h, reprocess)) continue;
    intervals.push(interval);
    if (h !== 'none') rerun++;
  }
  return { total, capped: false, intervals, history, rerun };
}

/** A day, or a day and time for a schedule within the day. */
function dateLabel(d: Date): string {
  const iso = d.toISOString();
  return iso.endsWith('T00:00:00.000Z') ? isoDay(d) : `${iso.slice(0, 16).replace('T', ' ')}Z`;
}

/** `12 runs: 2024-01-01 … 2024-01-14`, or `no run`. */
export function planSummary(p: BackfillPlan): string {
  const n = p.intervals.length;
  if (n === 0) return 'no run';
  const first = dateLabel(p.intervals[0]!.start);
  const last = dateLabel(p.intervals[n - 1]!.start);
  return `${n} run${n === 1 ? '' : 's'}: ${first}${n > 1 ? ` … ${last}` : ''}`;
}
