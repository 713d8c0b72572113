import type { TaskState } from '../protocol/runRecord';

/** One glyph per state, so a state never depends on colour alone. */
export const STATE_ICONS: Readonly<Record<TaskState, string>> = {
  queued: '◌',
  running: '▶',
  success: '✔',
  failed: '✘',
  up_for_retry: '↻',
  upstream_failed: '⊘',
  skipped: '↷',
  cancelled: '■',
  no_status: '',
};
