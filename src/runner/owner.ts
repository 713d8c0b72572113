import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { RunOwner } from '../protocol/runRecord';

export function currentOwner(): RunOwner {
  return { pid: process.pid, host: hostname() };
}

/**
 * Whether the process that owns a run is still alive. Only answerable on the same host; a run owned
 * elsewhere (a shared folder) counts as alive, so we never take over someone else's live run.
 */
export function ownerAlive(owner: RunOwner | undefined): boolean {
  if (!owner) return false;
  if (owner.host !== hostname()) return true;
  if (owner.pid === process.pid) return true;
  try {
    process.kill(owner.pid, 0);
  } catch (e) {
    // EPERM: the process exists but belongs to another user.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A killed runner can linger as a zombie until its parent reaps it (slowly, on some hosts):
  // signal 0 still succeeds then, but nothing runs.
  return !isZombie(owner.pid);
}

function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return false; // no /proc (macOS, Windows): signal 0 is the best there is
  }
}
