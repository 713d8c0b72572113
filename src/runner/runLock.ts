import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, realpathSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunOwner } from '../protocol/runRecord';
import { currentOwner, ownerAlive } from './owner';

/** Who holds the lock of a DAG and logical date: the run and the process running it. */
export interface LockHolder extends RunOwner {
  readonly run_id: string;
}

export type RunLock =
  | { readonly acquired: true; release(): void }
  | { readonly acquired: false; readonly holder: LockHolder }
  | { readonly acquired: false; readonly error: NodeJS.ErrnoException };

/** A breaker older than this was left by a process that died in the few milliseconds it is held. */
const STALE_BREAKER_MS = 10_000;

const safe = (s: string) => s.replace(/[^A-Za-z0-9_.-]/g, '_');

/**
 * Where the locks of one DAG file live: a folder per user and file (by the file's real path), so
 * the CLI and VS Code — whose run stores differ — see each other's runs of the same DAG.
 */
export function lockDirFor(dagFile: string): string {
  let real = dagFile;
  try {
    real = realpathSync(dagFile);
  } catch {
    // A file gone since it was read: its path still names it.
  }
  const user = typeof process.getuid === 'function' ? String(process.getuid()) : 'user';
  return join(
    tmpdir(),
    `container-dags-${user}`,
    'locks',
    createHash('sha256').update(real).digest('hex').slice(0, 16),
  );
}

/**
 * One run per DAG and logical date at a time (Airflow's rule), across processes: an exclusive
 * create of `<dir>/<dag>@<date>.lock`. A lock whose process is gone is broken by exactly one
 * contender: breaking needs a second exclusive file, and the lock is read again under it.
 */
export function acquireRunLock(
  dir: string,
  dagId: string,
  logicalDate: string,
  runId: string,
  isAlive: (o: RunOwner) => boolean = ownerAlive,
): RunLock {
  const path = join(dir, `${safe(dagId)}@${safe(logicalDate)}.lock`);
  const mine: LockHolder = { ...currentOwner(), run_id: runId };
  try {
    mkdirSync(dir, { recursive: true });
    for (let tries = 0; tries < 50; tries++) {
      if (createExclusive(path, JSON.stringify(mine))) return held(path, mine);
      const holder = readHolder(path);
      if (holder === 'gone') continue;
      if (holder && isAlive(holder)) return { acquired: false, holder };
      // The holder died (or wrote nothing readable): break the lock under a breaker file.
      const breaker = `${path}.break`;
      if (!createExclusive(breaker, JSON.stringify(mine))) {
        removeIfStale(breaker);
        sleepSync(20);
        continue;
      }
      try {
        const again = readHolder(path);
        if (again !== 'gone' && sameHolder(again, holder)) unlinkQuiet(path);
      } finally {
        unlinkQuiet(breaker);
      }
    }
    return { acquired: false, error: Object.assign(new Error('lock contention'), { code: 'EBUSY' }) };
  } catch (e) {
    return { acquired: false, error: e as NodeJS.ErrnoException };
  }
}

function held(path: string, mine: LockHolder): RunLock {
  let released = false;
  return {
    acquired: true,
    release: () => {
      if (released) return;
      released = true;
      // Only our own lock: a lock broken and taken by another process after ours stays theirs.
      const now = readHolder(path);
      if (now !== 'gone' && sameHolder(now, mine)) unlinkQuiet(path);
    },
  };
}

function createExclusive(path: string, text: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
  return true;
}

/** The holder, `undefined` for an unreadable lock (a crash between create and write), `gone` if removed meanwhile. */
function readHolder(path: string): LockHolder | undefined | 'gone' {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw e;
  }
  try {
    const x = JSON.parse(text) as Partial<LockHolder>;
    if (typeof x.pid === 'number' && typeof x.host === 'string' && typeof x.run_id === 'string')
      return { pid: x.pid, host: x.host, run_id: x.run_id };
  } catch {
    // Fall through: a half-written lock is treated as its holder having died.
  }
  // A lock just created and not yet written looks the same for a moment: give it that moment.
  try {
    if (Date.now() - statSync(path).mtimeMs < 2_000) {
      sleepSync(50);
      return readHolder(path);
    }
  } catch {
    return 'gone';
  }
  return undefined;
}

function sameHolder(a: LockHolder | undefined, b: LockHolder | undefined): boolean {
  return a?.pid === b?.pid && a?.host === b?.host && a?.run_id === b?.run_id;
}

function removeIfStale(path: string): void {
  try {
    if (Date.now() - statSync(path).mtimeMs > STALE_BREAKER_MS) unlinkQuiet(path);
  } catch {
    // Gone already.
  }
}

function unlinkQuiet(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already removed.
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
