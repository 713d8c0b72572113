import type { RunRecord } from '../protocol/runRecord';
import type { RunSink } from './engine';

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

  /** Tries once; a failure is remembered and reported, never thrown. */
  save(r: RunRecord): boolean {
    try {
      this.sink.record(r);
      return true;
    } catch (e) {
      this.failed(e);
      return false;
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
    if (this.save(r)) return true;
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
