import type { BackendKind, RunState, TaskState } from './runRecord';

/** A row of the History grid: a task group, a task, or an instance of a mapped task. */
export interface HistoryRow {
  /** The group's, task's or instance's id (`fetch[2]`). */
  readonly id: string;
  readonly kind: 'group' | 'task' | 'instance';
  /** What the row shows: a group's last name, a task's id, an instance's `[i]`. */
  readonly label: string;
  readonly depth: number;
  /** The group or mapped task the row folds into. */
  readonly parent?: string;
  /** A task with `expand`: it opens into its instances. */
  readonly mapped?: boolean;
}

export interface HistoryAttempt {
  readonly try: number;
  readonly state: TaskState;
  readonly startedAt?: string;
  readonly endedAt?: string;
  readonly exitCode?: number;
  readonly reason?: string;
}

/** One task (group, instance) in one run, as the grid colours it and its details tell it. */
export interface HistoryCell {
  readonly state: TaskState;
  readonly tries: number;
  readonly exitCode?: number;
  readonly reason?: string;
  /** Masked as in the run record. */
  readonly outputs?: Readonly<Record<string, unknown>>;
  /** A mapped task: how many instances it made. */
  readonly instances?: number;
  readonly attempts: readonly HistoryAttempt[];
}

export interface HistoryRun {
  readonly runId: string;
  readonly logicalDate: string;
  readonly state: RunState;
  readonly interrupted?: boolean;
  readonly backend: BackendKind;
  readonly startedAt?: string;
  readonly endedAt?: string;
  readonly cells: Readonly<Record<string, HistoryCell>>;
}

export type HostToHistory =
  /** The whole grid: rows in topological order, the last `limit` runs oldest first (newest right). */
  | {
      readonly type: 'history';
      readonly dag: string;
      readonly rows: readonly HistoryRow[];
      readonly edges: ReadonlyArray<{ readonly from: string; readonly to: string }>;
      readonly runs: readonly HistoryRun[];
      readonly limit: number;
    }
  /** One run changed (live): its column is replaced, or added at the right. */
  | { readonly type: 'run'; readonly run: HistoryRun };

export type PageToHistory =
  | { readonly type: 'ready' }
  | { readonly type: 'showLog'; readonly runId: string; readonly taskId: string; readonly tryNumber: number }
  /** Colour the graph with this run. */
  | { readonly type: 'selectRun'; readonly runId: string }
  | { readonly type: 'limit'; readonly limit: number };

/** How many runs the grid can show; the page offers these. */
export const HISTORY_LIMITS: readonly number[] = [25, 50, 100];
