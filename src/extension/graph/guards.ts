import { MAX_EXPAND_ITEMS } from '../../dag/dataflowChecks';
import { parseInstanceId } from '../../dag/instanceIds';
import type { PageToHost } from '../../protocol/graphMessages';
import type { BackendKind } from '../../protocol/runRecord';

/** Larger messages are dropped unread: nothing the page legitimately sends comes near it. */
export const MAX_MESSAGE_CHARS = 4096;

/** A day, or a UTC date-time as the toolbar offers for a schedule within the day. */
const DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?Z)?$/;
const BACKENDS: ReadonlySet<string> = new Set<BackendKind>(['docker', 'kubernetes']);

/**
 * Validates a message from the page: allow-listed type, exact keys, checked values. A task id is
 * accepted only when the parsed DAG has it, so the page can never make the host act on something
 * the file does not contain (no image, path or command is ever taken from the page).
 */
export function parsePageMessage(
  raw: unknown,
  knownTasks: ReadonlySet<string>,
  mappedTasks: ReadonlySet<string> = new Set(),
  groups: ReadonlySet<string> = new Set(),
  services: ReadonlySet<string> = new Set(),
): PageToHost | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  let size: number;
  try {
    size = JSON.stringify(raw).length;
  } catch {
    return undefined;
  }
  if (size > MAX_MESSAGE_CHARS) return undefined;
  const m = raw as Record<string, unknown>;
  const keys = (...k: string[]) => Object.keys(m).length === k.length + 1 && k.every((x) => x in m);
  // An instance (`fetch[3]`) of a mapped task the file has is a task too, within the expand bound.
  const instance = (id: string) => {
    const i = parseInstanceId(id);
    return !!i && mappedTasks.has(i.task) && i.index < MAX_EXPAND_ITEMS;
  };
  const task = () => typeof m.taskId === 'string' && (knownTasks.has(m.taskId) || instance(m.taskId));
  // A folded group's node: revealed or run as its tasks (it has no log of its own).
  const taskOrGroup = () => task() || (typeof m.taskId === 'string' && groups.has(m.taskId));
  const date = () => typeof m.date === 'string' && DATE.test(m.date) && !Number.isNaN(Date.parse(m.date));
  const backend = () => typeof m.backend === 'string' && BACKENDS.has(m.backend);
  switch (m.type) {
    case 'ready':
      return keys() ? { type: 'ready' } : undefined;
    case 'showHistory':
      return keys() ? { type: 'showHistory' } : undefined;
    case 'reveal':
      return keys('taskId') && taskOrGroup() ? { type: m.type, taskId: m.taskId as string } : undefined;
    case 'showLog':
      return keys('taskId') && task() ? { type: m.type, taskId: m.taskId as string } : undefined;
    case 'showServiceLog':
      return keys('service') && typeof m.service === 'string' && services.has(m.service)
        ? { type: m.type, service: m.service }
        : undefined;
    case 'run':
      return keys('date', 'backend') && date() && backend()
        ? { type: 'run', date: m.date as string, backend: m.backend as BackendKind }
        : undefined;
    case 'runTask':
    case 'rerunFrom':
      return keys('taskId', 'date', 'backend') && taskOrGroup() && date() && backend()
        ? { type: m.type, taskId: m.taskId as string, date: m.date as string, backend: m.backend as BackendKind }
        : undefined;
    case 'direction':
      return keys('direction') && (m.direction === 'RIGHT' || m.direction === 'DOWN' || m.direction === 'AUTO')
        ? { type: 'direction', direction: m.direction }
        : undefined;
    default:
      return undefined;
  }
}
