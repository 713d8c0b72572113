import type { DagGraph } from '../dag/graph';

/** Host → graph page. Both sides switch over `type` exhaustively; anything else is dropped. */
export type HostToPage =
  /** The graph to draw; `error` names the file's first error while the last good graph is shown. */
  | { type: 'graph'; uri: string; graph: DagGraph; error?: string }
  /** The task whose YAML holds the cursor, or null. */
  | { type: 'highlight'; taskId: string | null };

/** Graph page → host. */
export type PageToHost = { type: 'ready' } | { type: 'reveal'; taskId: string };

/** What the page keeps across reloads (the serializer restores the panel from it). */
export interface GraphPageState {
  uri: string;
}
