import type { Dag } from '../dag/model';
import type { DataInterval } from '../dag/schedule';
import type { RunRecord } from '../protocol/runRecord';
import type { Backend, ImageBuilder, LogLine } from './backend';

/** Where a run's record and logs go; the run store implements it, tests may keep them in memory. */
export interface RunSink {
  /** Called after every state change with the whole record; the sink decides how to persist it. */
  record(r: RunRecord): void;
  /** Opens the log of one attempt; returns the log's path relative to the run's folder. */
  openLog(
    taskId: string,
    tryNumber: number,
    onError?: (e: Error) => void,
  ): { path: string; write(line: LogLine): void; close(): Promise<void> };
}

export interface RunOptions {
  readonly dag: Dag;
  readonly runId: string;
  readonly interval: DataInterval;
  readonly backend: Backend;
  readonly sink: RunSink;
  readonly params?: Readonly<Record<string, unknown>>;
  /** The host environment, for `{{ env.NAME }}`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Secret name → value, resolved before the run. */
  readonly secretValues?: Readonly<Record<string, string>>;
  readonly mask?: (line: string) => string;
  readonly maxActiveTasks?: number;
  /** Run only these tasks (their upstream tasks are taken as succeeded). */
  readonly only?: ReadonlySet<string>;
  /** A previous run of the same DAG and date: its successful tasks are kept ("clear" of the rest). */
  readonly previous?: RunRecord;
  /**
   * The ended run this one goes on in (Airflow's Clear; `runId` is its id): the selected tasks get a
   * new try, numbered after their earlier ones, which stay in the record with their logs.
   */
  readonly clearing?: RunRecord;
  readonly file?: string;
  readonly fileHash?: string;
  /** SIGTERM → SIGKILL grace for cancel and timeouts (10 s). */
  readonly graceMs?: number;
  /**
   * A run whose runner died: it goes on under the same id; its running attempts are reattached
   * (or, when their container is gone, fail and follow their retry policy).
   */
  readonly resume?: RunRecord;
  /** Keep containers of failed attempts for inspection. */
  readonly keepFailed?: boolean;
  /** For tests: how retry delays are waited. */
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** How long the final record is retried when the runs folder stops taking writes (default 60 s). */
  readonly storePatienceMs?: number;
  /**
   * For `depends_on_past`: whether this task may run, given its instance for the previous logical
   * date (the launcher looks in the run store, or waits for a run of that date going on).
   */
  readonly past?: (taskId: string) => Promise<PastVerdict>;
  /** Builds the images of tasks with `build` before they start; absent: images run as written (`--no-build`). */
  readonly builds?: ImageBuilder;
}

/** Whether a task's instance for the previous logical date lets it run; why not, otherwise. */
export type PastVerdict = { readonly ok: true } | { readonly ok: false; readonly reason: string };

export const DEFAULT_MAX_ACTIVE_TASKS = 4;
export const DEFAULT_GRACE_MS = 10_000;
