import type { RunRecord } from '../protocol/runRecord';
import type { RunSink } from './runOptions';

/**
 * Writes a run's record through its sink and notices when the runs folder stops taking writes (a
 * full disk, a read-only remount, a removed folder). The first failure is reported once; the final
 * record is then tried again until the folder takes it or the patience runs out, so a run whose
 * disk filled up still ends with its true state once room is made.
 */
export class RecordWriter {
  /** The system error code of the first failed write, if any. */
  failure: string | undefined;

  constructor(
    private readonly sink: RunSink,
    private readonly onFailure: (code: string) => void,
    private readonly patienceMs = 60_000,
    private readonly retryEveryMs = 500,
  ) {}

  /** When the last write ended, and how long it took: a large record (a 1,000-instance fan-out) is written less often. */
  private lastEnd = 0;
  private lastCost = 0;
  private pending: RunRecord | undefined;
  private timer: NodeJS.Timeout | undefined;

  /**
   * Writes now, unless writing has been taking more than a tenth of the time: then the latest
   * record is written once that much time has passed (a small record is always written at once).
   * A failure is remembered and reported, never thrown.
   */
  save(r: RunRecord): boolean {
    const wait = this.lastEnd + this.lastCost * 10 - performance.now();
    if (wait > 0) {
      this.pending = r;
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        const latest = this.pending;
        this.pending = undefined;
        if (latest && !this.failure) this.write(latest);
      }, wait);
      return true;
    }
    return this.write(r);
  }

  /** Writes now, with nothing left waiting: the run's last record. */
  saveNow(r: RunRecord): boolean {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = undefined;
    return this.write(r);
  }

  private write(r: RunRecord): boolean {
    const t0 = performance.now();
    try {
      this.sink.record(r);
      return true;
    } catch (e) {
      this.failed(e);
      return false;
    } finally {
      this.lastEnd = performance.now();
      this.lastCost = this.lastEnd - t0;
    }
  }

  /** A log or record write that failed elsewhere (a log stream's `error` event). */
  failed(e: unknown): void {
    if (this.failure) return;
    this.failure = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    this.onFailure(this.failure);
  }

  /** The last record: written now, or retried until it is or the patience is spent; says which. */
  async saveFinal(r: RunRecord): Promise<boolean> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = undefined;
    if (this.write(r)) return true;
    const until = Date.now() + this.patienceMs;
    while (Date.now() < until) {
      await new Promise((res) => setTimeout(res, this.retryEveryMs));
      try {
        this.sink.record(r);
        return true;
      } catch {
        // Still no room: try again.
      }
    }
    return false;
  }
}
