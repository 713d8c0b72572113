import type { PageToHost } from '../../protocol/graphMessages';

/** Larger messages are dropped unread: nothing the page legitimately sends comes near it (W3). */
export const MAX_MESSAGE_CHARS = 4096;

/**
 * Validates a message from the page. A task id is accepted only when the parsed DAG has it, so the
 * page can never make the host act on something the file does not contain.
 */
export function parsePageMessage(raw: unknown, knownTasks: ReadonlySet<string>): PageToHost | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  let size: number;
  try {
    size = JSON.stringify(raw).length;
  } catch {
    return undefined;
  }
  if (size > MAX_MESSAGE_CHARS) return undefined;
  const m = raw as Record<string, unknown>;
  switch (m.type) {
    case 'ready':
      return Object.keys(m).length === 1 ? { type: 'ready' } : undefined;
    case 'reveal':
      return typeof m.taskId === 'string' && knownTasks.has(m.taskId) && Object.keys(m).length === 2
        ? { type: 'reveal', taskId: m.taskId }
        : undefined;
    default:
      return undefined;
  }
}
