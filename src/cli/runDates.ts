import { isoTimestamp, parseDate } from '../dag/dates';
import type { Dag } from '../dag/model';
import type { RunRecord } from '../protocol/runRecord';
import { BACKFILL_PREVIEW_CAP, newestRunByDate, planBackfill, type Reprocess } from '../runner/backfillPlan';
import {
  countIntervals,
  intervalAt,
  iterateIntervals,
  latestCompleteInterval,
  type DataInterval,
} from '../dag/schedule';

/** A backfill's size is counted this far; a larger range is "more than" this. */
export const MAX_COUNTED_RUNS = 1_000_000;

/** The logical dates a `cdag run` covers: re-iterable and lazy, counted without being held. */
export interface RunDates {
  readonly intervals: Iterable<DataInterval>;
  readonly count: number;
  /** Whether a record's logical date (ISO) is one of these runs. */
  includes(logicalDate: string): boolean;
}

export function pickDates(dag: Dag, date?: string, from?: string, to?: string): RunDates | string {
  if (from && to) {
    const f = parseDate(from);
    const t = parseDate(to);
    if (!f.succeeded) return `--from: ${f.error}`;
    if (!t.succeeded) return `--to: ${t.error}`;
    if (t.result < f.result) return '--to is before --from.';
    const count = countIntervals(dag.schedule, f.result, t.result, MAX_COUNTED_RUNS);
    if (count === 0) return `No logical date of schedule "${dag.scheduleText ?? 'manual'}" falls in ${from}..${to}.`;
    const lo = f.result.getTime();
    const hi = t.result.getTime();
    return {
      intervals: { [Symbol.iterator]: () => iterateIntervals(dag.schedule, f.result, t.result) },
      count,
      includes: (d: string) => {
        const at = Date.parse(d);
        return at >= lo && at <= hi && isoTimestamp(intervalAt(dag.schedule, new Date(at)).start) === d;
      },
    };
  }
  let one: DataInterval;
  if (date) {
    const d = parseDate(date);
    if (!d.succeeded) return `--date: ${d.error}`;
    one = intervalAt(dag.schedule, d.result);
  } else one = latestCompleteInterval(dag.schedule, new Date());
  const logical = isoTimestamp(one.start);
  return { intervals: [one], count: 1, includes: (d: string) => d === logical };
}

/**
 * The dates of a `--from/--to` range left to run under `--reprocess` (Airflow's reprocess behaviour),
 * given the runs already stored; how many dates with a run it skips.
 */
export function reprocessDates(
  dag: Dag,
  from: string,
  to: string,
  runs: readonly RunRecord[],
  file: string,
  reprocess: Reprocess,
  isLive: (r: RunRecord) => boolean,
): { dates: RunDates; skipped: number } | string {
  const f = parseDate(from);
  const t = parseDate(to);
  if (!f.succeeded || !t.succeeded) return '--from and --to take dates.';
  const plan = planBackfill(dag.schedule, f.result, t.result, newestRunByDate(runs, file), reprocess, isLive);
  if (plan.capped)
    return `--reprocess looks at ${BACKFILL_PREVIEW_CAP.toLocaleString('en')} dates at most: give a narrower range.`;
  const chosen = new Set(plan.intervals.map((i) => isoTimestamp(i.start)));
  return {
    dates: { intervals: plan.intervals, count: plan.intervals.length, includes: (d) => chosen.has(d) },
    skipped: plan.total - plan.intervals.length,
  };
}
