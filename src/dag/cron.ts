/** A parsed 5-field cron expression (minute hour day-of-month month day-of-week), evaluated in UTC. */
export interface Cron {
  readonly minute: readonly boolean[];
  readonly hour: readonly boolean[];
  readonly dayOfMonth: readonly boolean[];
  readonly month: readonly boolean[];
  readonly dayOfWeek: readonly boolean[];
  readonly dayOfMonthAny: boolean;
  readonly dayOfWeekAny: boolean;
}

export interface CronError {
  /** Which of the five fields is wrong (0-based), so the editor can underline just it. */
  readonly field: number;
  readonly message: string;
}

const FIELDS = [
  { name: 'minute', min: 0, max: 59, names: [] as string[] },
  { name: 'hour', min: 0, max: 23, names: [] },
  { name: 'day of month', min: 1, max: 31, names: [] },
  {
    name: 'month',
    min: 1,
    max: 12,
    names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'],
  },
  { name: 'day of week', min: 0, max: 7, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
] as const;

/** The most days each month (index 1–12) can have; February 29 comes in leap years. */
const MONTH_DAYS = [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function parseCron(expr: string): { cron: Cron } | { error: CronError } {
  const parts = expr.trim().split(/\s+/);
  if (parts.length !== 5) {
    return {
      error: {
        field: Math.min(parts.length, 4),
        message: `A cron expression has 5 fields (minute hour day-of-month month day-of-week); this one has ${parts.length}.`,
      },
    };
  }
  const sets: boolean[][] = [];
  for (let i = 0; i < 5; i++) {
    const r = parseField(parts[i]!, i);
    if (typeof r === 'string') return { error: { field: i, message: r } };
    sets.push(r);
  }
  const dow = sets[4]!;
  if (dow[7]) dow[0] = true;
  const dayOfMonthAny = parts[2] === '*' || parts[2] === '?';
  const dayOfWeekAny = parts[4] === '*' || parts[4] === '?';
  // With any weekday, only the day of month decides: `0 0 30 2 *` (30 February) never comes.
  if (
    !dayOfMonthAny &&
    dayOfWeekAny &&
    !sets[3]!.some((on, m) => on && sets[2]!.some((d, day) => d && day <= MONTH_DAYS[m]!))
  ) {
    return {
      error: {
        field: 2,
        message: `Day of month ${parts[2]} never falls in month ${parts[3]}: this schedule would never fire. Pick a day that month has.`,
      },
    };
  }
  return {
    cron: {
      minute: sets[0]!,
      hour: sets[1]!,
      dayOfMonth: sets[2]!,
      month: sets[3]!,
      dayOfWeek: dow,
      dayOfMonthAny,
      dayOfWeekAny,
    },
  };
}

function parseField(text: string, index: number): boolean[] | string {
  const f = FIELDS[index]!;
  const set = new Array<boolean>(f.max + 1).fill(false);
  const value = (s: string): number | undefined => {
    if (/^\d+$/.test(s)) return Number(s);
    const i = (f.names as readonly string[]).indexOf(s.toLowerCase());
    return i < 0 ? undefined : i + (f.name === 'month' ? 1 : 0);
  };
  const allowed = `${f.min}-${f.max}${f.names.length ? ` or ${f.names[0]}-${f.names[f.names.length - 1]}` : ''}`;
  for (const item of text.split(',')) {
    const [range, stepText, extra] = item.split('/');
    if (extra !== undefined) return `"${item}" has two steps; write a single "/N".`;
    let step = 1;
    if (stepText !== undefined) {
      if (!/^\d+$/.test(stepText) || Number(stepText) === 0) return `Step "/${stepText}" must be a positive number.`;
      step = Number(stepText);
    }
    let lo: number;
    let hi: number;
    if (range === '*' || (range === '?' && (index === 2 || index === 4))) {
      lo = f.min;
      hi = f.name === 'day of week' ? 6 : f.max;
    } else {
      const [a, b, more] = (range ?? '').split('-');
      if (more !== undefined) return `"${range}" is not a range; write A-B.`;
      const va = value(a ?? '');
      if (va === undefined) return `"${a}" is not a valid ${f.name}; allowed: ${allowed}.`;
      lo = va;
      hi = b === undefined ? (stepText !== undefined ? f.max : va) : (value(b) ?? NaN);
      if (Number.isNaN(hi)) return `"${b}" is not a valid ${f.name}; allowed: ${allowed}.`;
    }
    if (lo < f.min || hi > f.max || lo > hi) {
      return `${f.name} "${range}" is out of range; allowed: ${allowed}.`;
    }
    for (let v = lo; v <= hi; v += step) set[v] = true;
  }
  return set;
}

const MINUTE = 60_000;

function dayMatches(c: Cron, d: Date): boolean {
  const dom = c.dayOfMonth[d.getUTCDate()]!;
  const dow = c.dayOfWeek[d.getUTCDay()]!;
  // Vixie cron: when both day fields are restricted, either may match.
  if (!c.dayOfMonthAny && !c.dayOfWeekAny) return dom || dow;
  return dom && dow;
}

/** How far a search may look before giving up (an expression like `0 0 31 2 *` never fires). */
const SEARCH_LIMIT = 50_000;

/** The first fire time strictly after `after`. */
export function cronNext(c: Cron, after: Date): Date | undefined {
  let t = new Date(Math.floor(after.getTime() / MINUTE) * MINUTE + MINUTE);
  for (let i = 0; i < SEARCH_LIMIT; i++) {
    if (!c.month[t.getUTCMonth() + 1]) {
      t = new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth() + 1, 1));
    } else if (!dayMatches(c, t)) {
      t = new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate() + 1));
    } else if (!c.hour[t.getUTCHours()]) {
      t = new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate(), t.getUTCHours() + 1));
    } else if (!c.minute[t.getUTCMinutes()]) {
      t = new Date(t.getTime() + MINUTE);
    } else return t;
  }
  return undefined;
}

/** The last fire time strictly before `before`. */
export function cronPrev(c: Cron, before: Date): Date | undefined {
  let t = new Date(Math.ceil(before.getTime() / MINUTE) * MINUTE - MINUTE);
  for (let i = 0; i < SEARCH_LIMIT; i++) {
    if (!c.month[t.getUTCMonth() + 1]) {
      t = new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), 1) - MINUTE);
    } else if (!dayMatches(c, t)) {
      t = new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate()) - MINUTE);
    } else if (!c.hour[t.getUTCHours()]) {
      t = new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate(), t.getUTCHours()) - MINUTE);
    } else if (!c.minute[t.getUTCMinutes()]) {
      t = new Date(t.getTime() - MINUTE);
    } else return t;
  }
  return undefined;
}
