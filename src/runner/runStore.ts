import { createWriteStream, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunRecord } from '../protocol/runRecord';
import type { LogLine } from './backend';
import type { RunSink } from './engine';
import { ownerAlive } from './owner';

/**
 * One folder per run: `record.json`, written atomically (temp file + rename, so a crash leaves the
 * old or the new record, never half of one), and one log file per task attempt.
 */
export class RunStore {
  constructor(readonly root: string) {}

  runDir(runId: string): string {
    return join(this.root, runId.replace(/[^A-Za-z0-9_.-]/g, '_'));
  }

  save(r: RunRecord): void {
    const dir = this.runDir(r.run_id);
    mkdirSync(dir, { recursive: true });
    const tmp = join(dir, `.record.${process.pid}.tmp`);
    writeFileSync(tmp, JSON.stringify(r, null, 2));
    renameSync(tmp, join(dir, 'record.json'));
  }

  load(runId: string): RunRecord | undefined {
    try {
      return JSON.parse(readFileSync(join(this.runDir(runId), 'record.json'), 'utf8')) as RunRecord;
    } catch {
      return undefined;
    }
  }

  /** Every readable record, newest first; unreadable ones are skipped, not fatal. */
  list(): RunRecord[] {
    let names: string[];
    try {
      names = readdirSync(this.root);
    } catch {
      return [];
    }
    return names
      .map((n) => this.load(n))
      .filter((r): r is RunRecord => r !== undefined)
      .sort((a, b) => (b.started_at ?? '').localeCompare(a.started_at ?? ''));
  }

  /** Runs left `running` or `queued` by a process that is gone (its owner is not alive). */
  unfinished(isLive: (r: RunRecord) => boolean = (r) => ownerAlive(r.owner)): RunRecord[] {
    return this.list().filter((r) => (r.state === 'running' || r.state === 'queued') && !isLive(r));
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
    r.ended_at ??= new Date().toISOString();
    this.save(r);
  }

  sink(runId: string): RunSink {
    return {
      record: (r) => this.save(r),
      openLog: (taskId, tryNumber) => {
        const rel = join(taskId, `${tryNumber}.log`);
        const dir = join(this.runDir(runId), taskId);
        mkdirSync(dir, { recursive: true });
        const stream = createWriteStream(join(this.runDir(runId), rel), { flags: 'w' });
        // Lines are batched: one write per 64 KiB or per 100 ms, not one per line (100 MB of log
        // is a million lines); the timer keeps a followed log fresh.
        let pending: string[] = [];
        let size = 0;
        let timer: NodeJS.Timeout | undefined;
        const flush = () => {
          if (timer) clearTimeout(timer);
          timer = undefined;
          if (pending.length) stream.write(pending.join(''));
          pending = [];
          size = 0;
        };
        return {
          path: rel,
          write: (l: LogLine) => {
            const text = `${l.stream === 'stderr' ? 'E ' : '  '}${l.line}\n`;
            pending.push(text);
            size += text.length;
            if (size >= 64 * 1024) flush();
            else timer ??= setTimeout(flush, 100);
          },
          close: () => {
            flush();
            return new Promise<void>((res) => stream.end(res));
          },
        };
      },
    };
  }
}
