import type { Dag } from '../dag/model';
import type { RunEvent } from '../protocol/runEvents';
import type { Io } from './io';

/** One line per task or service state change; on a terminal, with symbols. Logs stay in the log files. */
export function progressPrinter(io: Io, dag: Dag, enabled: boolean): (e: RunEvent) => void {
  const tty = io.errIsTTY ?? false;
  const icon: Readonly<Record<string, string>> = tty
    ? { running: '▶', success: '✔', failed: '✘', up_for_retry: '↻', upstream_failed: '⊘', skipped: '↷', cancelled: '■' }
    : {};
  return (e) => {
    if (enabled && e.type === 'note') {
      io.err(`${new Date().toISOString().slice(11, 19)}   ${e.taskId ? `${dag.id}.${e.taskId}: ` : ''}${e.message}\n`);
      return;
    }
    if (enabled && e.type === 'service-state') {
      const when = new Date().toISOString().slice(11, 19);
      io.err(`${when}   ${dag.id} service ${e.service}: ${e.state}${e.reason ? ` (${e.reason})` : ''}\n`);
      return;
    }
    if (!enabled || e.type !== 'task-state' || e.state === 'queued') return;
    const when = new Date().toISOString().slice(11, 19);
    const mark = Object.prototype.hasOwnProperty.call(icon, e.state) ? `${icon[e.state]} ` : '';
    io.err(`${when} ${mark}${dag.id}.${e.taskId} try ${e.tryNumber}: ${e.state}${e.reason ? ` (${e.reason})` : ''}\n`);
  };
}
