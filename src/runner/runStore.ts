import {
  createWriteStream,
  existsSync,
  rmdirSync,
  rmSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import type { RunRecord } from '../protocol/runRecord';
import type { LogLine } from './backend';
import type { RunSink } from './runOptions';
import { ownerAlive } from './owner';
import { asRunRecord } from './runRecordShape';
import { acquireRunLock, lockDirFor, type RunLock } from './runLock';

/** Why the runs folder cannot take a run: a coded failure each front end phrases. */
export interface StoreUnwritable {
  readonly code: 'runs-folder-unwritable';
  readonly folder: string;
  /** `ENOSPC`, `EROFS`, `ENOTDIR`, `EACCES`, … */
  readonly cause: string;
}

/**
 * One folder per run: `record.json`, written atomically (temp file + rename, so a crash leaves the
 * old or the new record, never half of one), and one log file per task attempt.
 */
export class RunStore {
  /** Run folders whose record could not be read, with why: skipped, never fatal. */
  readonly skipped = new Map<string, string>();

  constructor(readonly root: string) {}

  runDir(runId: string): string {
    return join(this.root, runId.replace(/[^A-Za-z0-9_.-]/g, '_'));
  }

  /**
   * Whether a run can be written here, tried before the first task starts: creates the folder and
   * writes and removes a small file, so a full disk, a read-only mount or a file in the way is
   * found before any container runs.
   */
  checkWritable(): StoreUnwritable | undefined {
    const probe = join(this.root, `.probe.${process.pid}.tmp`);
    try {
      mkdirSync(this.root, { recursive: true });
      writeFileSync(probe, 'x'.repeat(4096));
      unlinkSync(probe);
      return undefined;
    } catch (e) {
      try {
        unlinkSync(probe);
      } catch {
        // Never written.
      }
      return { code: 'runs-folder-unwritable', folder: this.root, cause: this.mkdirCause() ?? errnoOf(e) };
    }
  }

  /**
   * A recursive mkdir reports ENOENT for what is really EROFS or EACCES: the first missing folder,
   * made on its own, tells the real cause.
   */
  private mkdirCause(): string | undefined {
    let missing = this.root;
    while (!existsSync(dirname(missing)) && dirname(missing) !== missing) missing = dirname(missing);
    if (existsSync(missing)) return undefined;
    try {
      mkdirSync(missing);
      rmdirSync(missing);
      return undefined;
    } catch (e) {
      return errnoOf(e);
    }
  }

  save(r: RunRecord): void {
    const dir = this.runDir(r.run_id);
    mkdirSync(dir, { recursive: true });
    const tmp = join(dir, `.record.${process.pid}.tmp`);
    try {
      writeFileSync(tmp, JSON.stringify(r, null, 2));
      renameSync(tmp, join(dir, 'record.json'));
    } catch (e) {
      // A full disk leaves the old record whole; the partial temp file must not take more room.
      try {
        unlinkSync(tmp);
      } catch {
        // Never created.
      }
      throw e;
    }
  }

  load(runId: string): RunRecord | undefined {
    return this.read(this.runDir(runId));
  }

  private read(dir: string): RunRecord | undefined {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(join(dir, 'record.json'), 'utf8'));
    } catch (e) {
      const code = errnoOf(e);
      // A folder without a record yet (a run just starting) is not worth a warning.
      if (code !== 'ENOENT') this.skipped.set(dir, code === 'EISDIR' ? 'record.json is a folder' : code);
      return undefined;
    }
    const record = asRunRecord(parsed);
    if (typeof record === 'string') {
      this.skipped.set(dir, record);
      return undefined;
    }
    return record;
  }

  /** Every readable record, newest first; unreadable ones are skipped (see `skipped`), not fatal. */
  list(): RunRecord[] {
    let names: string[];
    try {
      names = readdirSync(this.root);
    } catch {
      return [];
    }
    return names
      .filter((n) => !n.startsWith('.'))
      .map((n) => this.read(join(this.root, n)))
      .filter((r): r is RunRecord => r !== undefined)
      .sort((a, b) => (b.started_at ?? '').localeCompare(a.started_at ?? ''));
  }

  /** Runs left `running` or `queued` by a process that is gone (its owner is not alive). */
  unfinished(isLive: (r: RunRecord) => boolean = (r) => ownerAlive(r.owner)): RunRecord[] {
    return this.list().filter((r) => (r.state === 'running' || r.state === 'queued') && !isLive(r));
  }

  /**
   * The lock that makes a run the only one of its DAG and logical date (see `acquireRunLock`): with
   * the DAG file, shared by every front end and run store on this machine; without, this store's own.
   */
  lock(dagId: string, logicalDate: string, runId: string, dagFile?: string): RunLock {
    return acquireRunLock(dagFile ? lockDirFor(dagFile) : join(this.root, '.locks'), dagId, logicalDate, runId);
  }

  /** Whether a live process holds this run's lock (is taking it over right now); the lock is tried and given back. */
  lockHeld(r: RunRecord): boolean {
    const lock = this.lock(r.dag, r.logical_date, r.run_id, r.file);
    if (!lock.acquired) return 'holder' in lock;
    lock.release();
    return false;
  }

  /**
   * Deletes a finished run's folder (record and logs). A run still going on, here or in another
   * process, is refused: its runner would write into a folder that is gone.
   */
  remove(runId: string, isLive: (r: RunRecord) => boolean): 'removed' | 'live' | 'missing' | 'failed' {
    const dir = this.runDir(runId);
    const r = this.read(dir);
    if (!r) return existsSync(dir) ? 'failed' : 'missing';
    if ((r.state === 'running' || r.state === 'queued') && !r.interrupted && (isLive(r) || ownerAlive(r.owner)))
      return 'live';
    try {
      rmSync(dir, { recursive: true, force: true });
      return 'removed';
    } catch {
      return 'failed';
    }
  }

  /** Marks a run whose runner died as interrupted, so the UI never shows it as live. */
  markInterrupted(r: RunRecord): void {
    r.interrupted = true;
    r.state = 'failed';
    for (const t of Object.values(r.tasks)) {
      if (t.state === 'running' || t.state === 'queued' || t.state === 'up_for_retry') {
        t.state = 'failed';
        t.reason = 'interrupted: the runner stopped before the task ended';
      }
    }
    // Its services were removed with its containers (or are, by the collection that follows).
    for (const svc of Object.values(r.services ?? {}))
      if (svc.state === 'starting' || svc.state === 'ready') {
        svc.state = 'stopped';
        svc.ended_at ??= new Date().toISOString();
      }
    r.ended_at ??= new Date().toISOString();
    this.save(r);
  }

  sink(runId: string): RunSink {
    return {
      record: (r) => this.save(r),
      openLog: (taskId, tryNumber, onError) => {
        const rel = join(taskId, `${tryNumber}.log`);
        const dir = join(this.runDir(runId), taskId);
        mkdirSync(dir, { recursive: true });
        const stream = createWriteStream(join(this.runDir(runId), rel), { flags: 'w' });
        // A full disk or a removed folder surfaces here, asynchronously: reported once, never thrown.
        let failed = false;
        stream.on('error', (e) => {
          if (failed) return;
          failed = true;
          onError?.(e);
        });
        // Lines are batched: one write per 64 KiB or per 100 ms, not one per line (100 MB of log
        // is a million lines); the timer keeps a followed log fresh.
        let pending: string[] = [];
        let size = 0;
        let timer: NodeJS.Timeout | undefined;
        const flush = () => {
          if (timer) clearTimeout(timer);
          timer = undefined;
          if (pending.length && !failed) stream.write(pending.join(''));
          pending = [];
          size = 0;
        };
        return {
          path: rel,
          write: (l: LogLine) => {
            if (failed) return;
            const text = `${l.stream === 'stderr' ? 'E ' : '  '}${l.line}\n`;
            pending.push(text);
            size += text.length;
            if (size >= 64 * 1024) flush();
            else timer ??= setTimeout(flush, 100);
          },
          close: () => {
            flush();
            if (failed || stream.destroyed) return Promise.resolve();
            return new Promise<void>((res) => {
              stream.once('error', () => res());
              stream.end(res);
            });
          },
        };
      },
    };
  }
}

function errnoOf(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? (e as Error).message;
}
