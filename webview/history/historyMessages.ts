import type { HostToHistory } from '../../src/protocol/historyMessages';
import { isObject, STATES } from '../hostMessages';

const TASK_STATES = new Set([...STATES, 'no_status']);
const RUN_STATES = new Set(['queued', 'running', 'success', 'failed', 'cancelled']);
const KINDS = new Set(['group', 'task', 'instance']);
const isString = (x: unknown): x is string => typeof x === 'string';

function isRun(r: unknown): boolean {
  return (
    isObject(r) &&
    isString(r.runId) &&
    isString(r.logicalDate) &&
    isString(r.state) &&
    RUN_STATES.has(r.state) &&
    isObject(r.cells) &&
    Object.values(r.cells).every(
      (c) =>
        isObject(c) &&
        isString(c.state) &&
        TASK_STATES.has(c.state) &&
        typeof c.tries === 'number' &&
        Array.isArray(c.attempts),
    )
  );
}

/** The page checks what the host sends, as the host checks the page: shape first, then act. */
export function isHistoryMessage(m: unknown): m is HostToHistory {
  if (!isObject(m)) return false;
  if (m.type === 'run') return isRun(m.run);
  if (m.type !== 'history') return false;
  return (
    isString(m.dag) &&
    typeof m.limit === 'number' &&
    Array.isArray(m.rows) &&
    m.rows.every(
      (r) =>
        isObject(r) &&
        isString(r.id) &&
        isString(r.label) &&
        KINDS.has(r.kind as string) &&
        typeof r.depth === 'number',
    ) &&
    Array.isArray(m.edges) &&
    m.edges.every((e) => isObject(e) && isString(e.from) && isString(e.to)) &&
    Array.isArray(m.runs) &&
    m.runs.every(isRun)
  );
}
