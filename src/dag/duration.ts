import { fail, ok, type Errorable } from '../util/errorable';

const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1_000, ms: 1 } as const;
const DURATION = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+)s)?(?:(\d+)ms)?$/;

/** `90s`, `10m`, `1h30m`, `2d`, `500ms` → milliseconds. Units in descending order, as Go and Argo write them. */
export function parseDuration(text: string): Errorable<number> {
  const m = DURATION.exec(text.trim());
  if (!m || text.trim() === '') {
    return fail(
      `"${text}" is not a duration: write a number with a unit, largest first, e.g. 90s, 10m, 1h30m, 2d (units d, h, m, s, ms).`,
    );
  }
  const [, d, h, mi, s, ms] = m;
  if ([d, h, mi, s, ms].some((x) => x !== undefined && x.length > 12)) return fail(tooLong(text));
  const total =
    Number(d ?? 0) * UNIT_MS.d +
    Number(h ?? 0) * UNIT_MS.h +
    Number(mi ?? 0) * UNIT_MS.m +
    Number(s ?? 0) * UNIT_MS.s +
    Number(ms ?? 0);
  if (total > MAX_DURATION_MS) return fail(tooLong(text));
  return ok(total);
}

/** The longest duration a DAG may give (10 years); longer ones are certainly mistakes. */
export const MAX_DURATION_MS = 3650 * UNIT_MS.d;

function tooLong(text: string): string {
  return `"${text}" is longer than the maximum of 3650d (10 years).`;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  let s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s || (!h && !m) ? `${s}s` : ''}`;
}
