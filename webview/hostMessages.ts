import type { HostToPage } from '../src/protocol/graphMessages';

/** The task states a page draws (a task a run did not select has none: it is left out). */
export const STATES: ReadonlySet<string> = new Set([
  'queued',
  'running',
  'success',
  'failed',
  'up_for_retry',
  'upstream_failed',
  'skipped',
  'cancelled',
]);
const SERVICE_STATES = new Set(['starting', 'ready', 'failed', 'stopped']);
export const isObject = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && !Array.isArray(x);

/** The page checks what the host sends as the host checks the page: shape first, then act. */
export function isHostMessage(m: unknown): m is HostToPage {
  if (!isObject(m)) return false;
  switch (m.type) {
    case 'graph': {
      const g = m.graph;
      return (
        typeof m.uri === 'string' &&
        isObject(g) &&
        typeof g.dag === 'string' &&
        Array.isArray(g.nodes) &&
        Array.isArray(g.edges) &&
        g.nodes.every((n) => isObject(n) && typeof n.id === 'string' && typeof n.image === 'string') &&
        g.edges.every((e) => isObject(e) && typeof e.from === 'string' && typeof e.to === 'string')
      );
    }
    case 'highlight':
      return typeof m.taskId === 'string' || m.taskId === null;
    case 'states':
      return (
        (typeof m.runId === 'string' || m.runId === null) &&
        typeof m.label === 'string' &&
        isObject(m.tasks) &&
        Object.values(m.tasks).every((t) => isObject(t) && STATES.has(t.state as string)) &&
        (m.services === undefined ||
          (isObject(m.services) &&
            Object.values(m.services).every((s) => isObject(s) && SERVICE_STATES.has(s.state as string))))
      );
    case 'images':
      return Array.isArray(m.stale) && m.stale.every((t) => typeof t === 'string');
    case 'toolbar': {
      const t = m.toolbar;
      return isObject(t) && typeof t.date === 'string' && Array.isArray(t.backends) && typeof t.canRun === 'boolean';
    }
    default:
      return false;
  }
}
