import { fail, ok, type Errorable } from '../util/errorable';

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** A date (`2019-01-01`, midnight UTC) or ISO date-time (UTC unless an offset is given) → a Date. */
export function parseDate(text: string): Errorable<Date> {
  const t = text.trim();
  const d = DATE.exec(t);
  if (d) return checked(t, Date.UTC(+d[1]!, +d[2]! - 1, +d[3]!), +d[2]!, +d[3]!);
  const dt = DATE_TIME.exec(t);
  if (dt) {
    const [, y, mo, da, h, mi, s, zone] = dt;
    let ms = Date.UTC(+y!, +mo! - 1, +da!, +h!, +mi!, +(s ?? 0));
    if (+h! > 23 || +mi! > 59 || +(s ?? 0) > 59) return fail(`"${t}" has an hour, minute or second out of range.`);
    if (zone && zone !== 'Z') {
      const sign = zone[0] === '-' ? -1 : 1;
      const digits = zone.slice(1).replace(':', '');
      ms -= sign * (+digits.slice(0, 2) * 60 + +digits.slice(2)) * 60_000;
    }
    return checked(t, ms, +mo!, +da!);
  }
  return fail(`"${t}" is not a date: write YYYY-MM-DD or an ISO date-time such as 2019-01-01T06:00:00Z.`);
}

function checked(text: string, ms: number, month: number, day: number): Errorable<Date> {
  const date = new Date(ms);
  if (month < 1 || month > 12 || day < 1 || day > 31 || Number.isNaN(ms)) return fail(`"${text}" is not a real date.`);
  // Date.UTC rolls 2019-02-30 over to March: reject what it had to roll.
  const probe = new Date(Date.UTC(date.getUTCFullYear(), month - 1, day));
  if (probe.getUTCMonth() !== month - 1) return fail(`"${text}" is not a real date.`);
  return ok(date);
}

/** YYYY-MM-DD of a Date in UTC. */
export function isoDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** ISO 8601 with an explicit +00:00 offset, as Airflow renders `ts`. */
export function isoTimestamp(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

export function addDays(d: Date, n: number): Date {
  return new Date(d.getTime() + n * 86_400_000);
}

const DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTH_NAMES = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** strftime for the directives Airflow users put in `ds_format`, in UTC. */
export function strftime(d: Date, format: string): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return format.replace(/%([a-zA-Z%])/g, (whole, c: string) => {
    switch (c) {
      case 'Y':
        return String(d.getUTCFullYear());
      case 'y':
        return p(d.getUTCFullYear() % 100);
      case 'm':
        return p(d.getUTCMonth() + 1);
      case 'd':
        return p(d.getUTCDate());
      case 'H':
        return p(d.getUTCHours());
      case 'M':
        return p(d.getUTCMinutes());
      case 'S':
        return p(d.getUTCSeconds());
      case 'j': {
        const start = Date.UTC(d.getUTCFullYear(), 0, 1);
        return p(Math.floor((d.getTime() - start) / 86_400_000) + 1, 3);
      }
      case 'a':
        return DAY_NAMES[d.getUTCDay()]!.slice(0, 3);
      case 'A':
        return DAY_NAMES[d.getUTCDay()]!;
      case 'b':
        return MONTH_NAMES[d.getUTCMonth()]!.slice(0, 3);
      case 'B':
        return MONTH_NAMES[d.getUTCMonth()]!;
      case 'w':
        return String(d.getUTCDay());
      case 'z':
        return '+0000';
      case 'Z':
        return 'UTC';
      case '%':
        return '%';
      default:
        return whole;
    }
  });
}

export const STRFTIME_DIRECTIVES = 'YymdHMSjaAbBwzZ%';
