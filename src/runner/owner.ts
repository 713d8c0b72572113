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
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to another user.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
