import type { DagGraph } from '../dag/graph';
import type { BackendKind, ServiceState, TaskState } from './runRecord';

/** One task's state in the run the graph shows: what the node's colour, icon and tooltip tell. */
/** How the graph is laid out: left to right, top down, or by the panel's shape. */
export type GraphDirection = 'AUTO' | 'RIGHT' | 'DOWN';

export interface TaskView {
  state: TaskState;
  /** A running task whose image is being built: drawn as building, not yet running. */
  building?: boolean;
  /** A task whose container does not run yet (a pending pod); `reason` says why. */
  pending?: boolean;
  tryNumber: number;
  startedAt?: string;
  endedAt?: string;
  exitCode?: number;
  reason?: string;
  /** What it wrote to `$CDAG_OUTPUT`, each value as short text (secrets already masked in the record). */
  outputs?: Record<string, string>;
  /** An instance of a mapped task: its values of the `expand` variables, as short text. */
  item?: Record<string, string>;
  /** A mapped task: how many instances it made, and how many are in each state. */
  instances?: number;
  counts?: Partial<Record<TaskState, number>>;
}

/** One service's state in the run the graph shows. */
export interface ServiceView {
  state: ServiceState;
  startedAt?: string;
  endedAt?: string;
  exitCode?: number;
  reason?: string;
}

/** The toolbar: what Run DAG would run. */
export interface ToolbarState {
  /** The logical date (YYYY-MM-DD) Run DAG uses; the user may change it. */
  date: string;
  backend: BackendKind;
  backends: BackendKind[];
  /** False in Restricted Mode or for a preview: the Run button is disabled, with the reason as its title. */
  canRun: boolean;
  /** Why it cannot run, when it cannot; the page says Restricted Mode otherwise. */
  runBlockedReason?: string;
  /** Layout direction; `AUTO` picks it from the panel's shape (top-down when it is narrow). */
  direction: GraphDirection;
}

/** Host → graph page. Both sides switch over `type` exhaustively; anything else is dropped. */
export type HostToPage =
  /** The graph to draw; `error` names the file's first error while the last good graph is shown. */
  | { type: 'graph'; uri: string; graph: DagGraph; error?: string }
  /** The task whose YAML holds the cursor, or null. */
  | { type: 'highlight'; taskId: string | null }
  /** States of the run shown (live while it runs); `runId` null clears them. */
  | {
      type: 'states';
      runId: string | null;
      label: string;
      tasks: Record<string, TaskView>;
      services?: Record<string, ServiceView>;
    }
  | { type: 'toolbar'; toolbar: ToolbarState }
  /** Tasks whose image the next run builds (its folder changed since, or it was never built). */
  | { type: 'images'; stale: string[] };

/** Graph page → host. Every task id is checked against the parsed DAG before anything acts on it. */
export type PageToHost =
  | { type: 'ready' }
  | { type: 'reveal'; taskId: string }
  | { type: 'run'; date: string; backend: BackendKind }
  | { type: 'runTask'; taskId: string; date: string; backend: BackendKind }
  | { type: 'rerunFrom'; taskId: string; date: string; backend: BackendKind }
  | { type: 'showLog'; taskId: string }
  /** A service's log in the run shown. */
  | { type: 'showServiceLog'; service: string }
  | { type: 'direction'; direction: GraphDirection }
  /** Open the DAG's History (Grid and Gantt). */
  | { type: 'showHistory' };

/** What the page keeps across reloads (the serializer restores the panel from it). */
export interface GraphPageState {
  uri: string;
  /** The mapped tasks opened into their instances in this panel. */
  expanded?: string[];
  /** The task groups folded into one node in this panel. */
  folded?: string[];
}
