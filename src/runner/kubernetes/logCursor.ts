/**
 * Where a followed Kubernetes log got to, so a dropped stream resumes without gaps or duplicates
 *. Lines come with RFC 3339 nanosecond timestamps (`timestamps=true`); `sinceTime` has
 * second precision, so a resumed stream replays part of a second: lines before the last one seen
 * are dropped, and at the last timestamp as many lines as were already taken.
 */
export class LogCursor {
  private last = '';
  private atLast = 0;
  private skip = 0;

  /** Splits `TIMESTAMP text` and says whether the line is new. */
  accept(raw: string): { take: boolean; text: string } {
    const sp = raw.indexOf(' ');
    const ts = sp > 0 ? raw.slice(0, sp) : '';
    const text = sp > 0 ? raw.slice(sp + 1) : raw;
    if (!/^\d{4}-\d\d-\d\dT/.test(ts)) return { take: true, text: raw };
    if (ts < this.last) return { take: false, text };
    if (ts === this.last) {
      if (this.skip > 0) {
        this.skip--;
        return { take: false, text };
      }
      this.atLast++;
      return { take: true, text };
    }
    this.last = ts;
    this.atLast = 1;
    this.skip = 0;
    return { take: true, text };
  }

  /** Call before reading again from `since()`: the lines already taken at the last timestamp are skipped. */
  resume(): void {
    this.skip = this.atLast;
  }

  /** The `sinceTime` to resume from: the last line's second (the API rounds down to seconds). */
  since(): string | undefined {
    return this.last ? `${this.last.slice(0, 19)}Z` : undefined;
  }
}
