/** Task states, as Airflow names them. */
export type TaskState =
  | 'queued'
  | 'running'
  | 'success'
  | 'failed'
  | 'up_for_retry'
  | 'upstream_failed'
  | 'skipped'
  | 'cancelled'
  /** Not selected for this run (`--task`, Run Task…): Airflow's "no status"; it never ran in it. */
  | 'no_status';

export type RunState = 'queued' | 'running' | 'success' | 'failed' | 'cancelled';

export type BackendKind = 'docker' | 'kubernetes';

/** One attempt of one task. Times are ISO 8601. Never holds a secret's value. */
export interface AttemptRecord {
  try: number;
  state: TaskState;
  started_at?: string;
  ended_at?: string;
  exit_code?: number;
  /** Why it ended other than with exit 0: `exit code 2`, `timeout after 10s`, `OOMKilled`, … */
  reason?: string;
  container_id?: string;
  image?: string;
  image_digest?: string;
  /** The command and arguments the container got, rendered (secret values masked). */
  command?: string[];
  args?: string[];
  /** For a task whose image is built: the built image's id, and whether this attempt built it. */
  image_id?: string;
  built?: boolean;
  /**
   * Before its container runs: `building` its image, or `pending` (created, not started: a pod that
   * is not scheduled or pulls its image), with the cluster's reason. Removed once it runs.
   */
  phase?: 'building' | 'pending';
  /** Why a pending attempt waits (`Unschedulable: 0/1 nodes are available…`, `ContainerCreating`). */
  pending_reason?: string;
  /** Relative to the run's folder. */
  log_file?: string;
  /** What a successful attempt wrote to `$CDAG_OUTPUT` (secret values masked). */
  outputs?: Record<string, unknown>;
  /** Set when its container or pod could not be removed after it ended (it is left; the message says which). */
  cleanup_error?: string;
}

export interface TaskRecord {
  state: TaskState;
  tries: number;
  exit_code?: number;
  reason?: string;
  started_at?: string;
  ended_at?: string;
  attempts: AttemptRecord[];
  /** The outputs of its successful attempt, which downstream tasks read (secret values masked). */
  outputs?: Record<string, unknown>;
  /** A task with `expand`: how many instances it made (each is a task record of its own, `ID[i]`). */
  instances?: number;
  /** An instance of a mapped task: the task, its index and its values of the `expand` variables. */
  mapped_from?: string;
  map_index?: number;
  item?: Record<string, unknown>;
}

/** What the run store keeps for one run, and what `cdag run --json` prints. */
export interface RunRecord {
  version: 1;
  run_id: string;
  dag: string;
  file?: string;
  file_hash?: string;
  logical_date: string;
  data_interval_end: string;
  backend: BackendKind;
  params: Record<string, unknown>;
  state: RunState;
  /** Why the run ended other than through its tasks (its runs folder stopped taking writes). */
  reason?: string;
  /** Set when the process that ran it died before the end (found on the next start). */
  interrupted?: boolean;
  /** Where a Kubernetes run's pods are, for describing them later. */
  cluster?: { context: string; namespace: string };
  /** The process running it, so another one can tell a live run from one whose runner died. */
  owner?: RunOwner;
  /** When a later process took the run over after its runner died, reattaching its containers. */
  resumed_at?: string[];
  /**
   * When some of its tasks were cleared (Airflow's Clear): they ran again in this run, a new try
   * each, their earlier attempts kept; `started_at`/`ended_at` are those of the latest pass.
   */
  cleared_at?: string[];
  started_at?: string;
  ended_at?: string;
  tasks: Record<string, TaskRecord>;
  /** The DAG's task groups: their tasks (inner groups' included) and the state that follows from theirs. */
  groups?: Record<string, GroupRecord>;
  /** The run-scoped services it started, by name. */
  services?: Record<string, ServiceRecord>;
}

/** A service's life in one run: started for its first task, stopped after its last or at the end. */
export type ServiceState = 'starting' | 'ready' | 'failed' | 'stopped';

export interface ServiceRecord {
  state: ServiceState;
  /** The tasks that need it. */
  tasks: string[];
  started_at?: string;
  ready_at?: string;
  ended_at?: string;
  /** Set when its container exited by itself. */
  exit_code?: number;
  /** Why it failed: did not start, exited, not ready in time (secret values masked). */
  reason?: string;
  /** Container id or pod name. */
  container_id?: string;
  /** Relative to the run's folder. */
  log_file?: string;
}

export interface GroupRecord {
  state: TaskState;
  tasks: string[];
}

export interface RunOwner {
  pid: number;
  host: string;
}
