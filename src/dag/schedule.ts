import { cronNext, cronPrev, parseCron, type Cron, type CronError } from './cron';
import { SCHEDULE_PRESETS } from './schema';

export type Schedule =
  | { readonly kind: 'manual' }
  | { readonly kind: 'once' }
  | { readonly kind: 'cron'; readonly text: string; readonly cron: Cron };

/** Airflow's presets, as cron. `@quarterly` is Airflow's too, though the brief does not list it. */
export const PRESET_CRON: Readonly<Record<string, string>> = {
  '@hourly': '0 * * * *',
  '@daily': '0 0 * * *',
  '@weekly': '0 0 * * 0',
  '@monthly': '0 0 1 * *',
  '@quarterly': '0 0 1 */3 *',
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
};

export const KNOWN_PRESETS: readonly string[] = [...SCHEDULE_PRESETS, '@quarterly', '@annually'];

export function parseSchedule(text: string | undefined): { schedule: Schedule } | { error: CronError } {
  if (text === undefined || text === '') return { schedule: { kind: 'manual' } };
  const t = text.trim();
  if (t === '@once') return { schedule: { kind: 'once' } };
  if (t.startsWith('@')) {
    const cron = PRESET_CRON[t];
    if (!cron) return { error: { field: -1, message: `Unknown schedule preset "${t}".` } };
    return fromCron(t, cron);
  }
  return fromCron(t, t);
}

function fromCron(text: string, expr: string): { schedule: Schedule } | { error: CronError } {
  const r = parseCron(expr);
  if ('error' in r) return r;
  return { schedule: { kind: 'cron', text, cron: r.cron } };
}

/** A run's data interval; its start is the logical date (Airflow 2 semantics). */
export interface DataInterval {
  readonly start: Date;
  readonly end: Date;
}

/** The interval whose logical date is the latest schedule tick at or before `date`. */
export function intervalAt(schedule: Schedule, date: Date): DataInterval {
  if (schedule.kind !== 'cron') return { start: date, end: date };
  const start = isTick(schedule.cron, date) ? date : (cronPrev(schedule.cron, date) ?? date);
  return { start, end: cronNext(schedule.cron, start) ?? start };
}

/** The most recent interval that has ended by `now`: what "Run DAG" runs. */
export function latestCompleteInterval(schedule: Schedule, now: Date): DataInterval {
  if (schedule.kind !== 'cron') {
    const day = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
    return { start: day, end: day };
  }
  const end = isTick(schedule.cron, now) ? now : (cronPrev(schedule.cron, now) ?? now);
  const start = cronPrev(schedule.cron, end) ?? end;
  return { start, end };
}

/**
 * The logical date every front end offers first (Run DAG, Run DAG for Date…, the trigger form, the
 * graph's toolbar): the last complete interval's start — a day, or a UTC date-time when the schedule
 * ticks within the day, so that running the text offered runs that very interval.
 */
export function defaultLogicalDate(schedule: Schedule, now: Date): string {
  const iso = latestCompleteInterval(schedule, now).start.toISOString();
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : `${iso.slice(0, 19)}Z`;
}

/** The logical date before this one, for `prev_ds`; the same date when there is no schedule. */
export function previousLogicalDate(schedule: Schedule, logical: Date): Date {
  return schedule.kind === 'cron' ? (cronPrev(schedule.cron, logical) ?? logical) : logical;
}

/** A backfill of more runs than this needs an explicit yes (`--yes`, a confirmation). */
export const BACKFILL_CONFIRM_ABOVE = 1_000;

/**
 * Every interval whose logical date falls in [from, to], in order, made one at a time: a range of
 * a minutely schedule over years is millions of dates, never held in memory at once.
 */
export function* iterateIntervals(schedule: Schedule, from: Date, to: Date): Generator<DataInterval> {
  if (schedule.kind !== 'cron') {
    for (let t = from.getTime(); t <= to.getTime(); t += 86_400_000) {
      yield { start: new Date(t), end: new Date(t) };
      if (schedule.kind === 'once') return;
    }
    return;
  }
  let start: Date | undefined = isTick(schedule.cron, from) ? from : cronNext(schedule.cron, from);
  while (start && start.getTime() <= to.getTime()) {
    const end = cronNext(schedule.cron, start);
    if (!end) return;
    yield { start, end };
    start = end;
  }
}

/** How many intervals [from, to] holds, counting no further than `cap` + 1 (enough to refuse). */
export function countIntervals(schedule: Schedule, from: Date, to: Date, cap = Infinity): number {
  let n = 0;
  for (const _ of iterateIntervals(schedule, from, to)) if (++n > cap) break;
  return n;
}

/** Every interval in [from, to] as a list: for ranges already known to be small. */
export function intervalsBetween(schedule: Schedule, from: Date, to: Date): DataInterval[] {
  return [...iterateIntervals(schedule, from, to)];
}

function isTick(c: Cron, d: Date): boolean {
  return (
    d.getUTCSeconds() === 0 &&
    d.getUTCMilliseconds() === 0 &&
    cronPrev(c, new Date(d.getTime() + 60_000))?.getTime() === d.getTime()
  );
}
