import { HISTORY_LIMITS, type PageToHistory } from '../../protocol/historyMessages';
import type { RunRecord } from '../../protocol/runRecord';
import { own } from '../../util/dict';
import { MAX_MESSAGE_CHARS } from '../graph/guards';

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/**
 * Validates a message from the History page as the graph's are: an allow-listed type, exact keys, a
 * run this panel shows, a task and try that run has. Anything else is dropped (undefined).
 */
export function parseHistoryMessage(raw: unknown, runs: readonly RunRecord[]): PageToHistory | undefined {
  if (!isObject(raw)) return undefined;
  if ((JSON.stringify(raw)?.length ?? Infinity) > MAX_MESSAGE_CHARS) return undefined;
  const keys = (...k: string[]) =>
    Object.keys(raw).length === k.length + 1 && k.every((x) => Object.prototype.hasOwnProperty.call(raw, x));
  const run = () => (typeof raw.runId === 'string' ? runs.find((r) => r.run_id === raw.runId) : undefined);
  switch (raw.type) {
    case 'ready':
      return keys() ? { type: 'ready' } : undefined;
    case 'limit':
      return keys('limit') && typeof raw.limit === 'number' && HISTORY_LIMITS.includes(raw.limit)
        ? { type: 'limit', limit: raw.limit }
        : undefined;
    case 'selectRun':
      return keys('runId') && run() ? { type: 'selectRun', runId: raw.runId as string } : undefined;
    case 'showLog': {
      const r = run();
      const task = typeof raw.taskId === 'string' && r ? own(r.tasks, raw.taskId) : undefined;
      const tryNumber = raw.tryNumber;
      return keys('runId', 'taskId', 'tryNumber') &&
        task &&
        typeof tryNumber === 'number' &&
        task.attempts.some((a) => a.try === tryNumber)
        ? { type: 'showLog', runId: r!.run_id, taskId: raw.taskId as string, tryNumber }
        : undefined;
    }
    default:
      return undefined;
  }
}
