import type { Errorable } from '../util/errorable';
import type { Service } from '../dag/model';
import type { BuildSpec } from '../dag/buildImages';
import type { RenderedTask } from './renderTask';

export interface LogLine {
  readonly stream: 'stdout' | 'stderr';
  /** One line without its newline; secret values already masked. */
  readonly line: string;
}

export interface AttemptExit {
  /** Meaningless (-1) when `neverStarted`: the record then has no exit code. */
  readonly exitCode: number;
  /** The container never ran (a pod that could not be scheduled, pull, or start): there is no exit code to tell. */
  readonly neverStarted?: boolean;
  /** Set when the cause is not just the exit code (OOMKilled, killed for a timeout, image pull). */
  readonly reason?: string;
  /**
   * What the container left at `$CDAG_OUTPUT`, read after a successful exit of a task that declares
   * outputs (`rendered.task.outputs`): each backend gives the container that variable.
   */
  readonly output?: OutputFile;
}

/** The output file as a backend found it; the engine checks what it holds (`outputs.ts`). */
export type OutputFile =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'missing' }
  | { readonly kind: 'too-large'; readonly bytes: number }
  | { readonly kind: 'unreadable'; readonly why: string };

/** A running attempt. Status comes from the container or pod, never from the log stream ending. */
export interface AttemptHandle {
  /** Container id or pod name, for the run record and for finding it again. */
  readonly id: string;
  readonly imageDigest?: string;
  /** Every line, in order per stream, ending when the container has exited and its log is drained. */
  readonly logs: AsyncIterable<LogLine>;
  wait(): Promise<AttemptExit>;
  /** SIGTERM, then SIGKILL after the grace period. Safe to call more than once or after exit. */
  kill(graceMs: number): Promise<void>;
  /** Removes what the attempt created; 404 and 409 count as done. */
  cleanup(keep: boolean): Promise<void>;
}

export interface AttemptSpec {
  readonly dagId: string;
  readonly runId: string;
  readonly tryNumber: number;
  readonly rendered: RenderedTask;
  /** Env var → value; passed only as environment. */
  readonly secrets: Readonly<Record<string, string>>;
  readonly mask: (line: string) => string;
  /** What the backend learns on the way that the user should see now (a pod's pending reason). */
  readonly note?: (message: string) => void;
  /** The attempt exists but its container does not run yet (`reason` from the cluster), or runs now (`undefined`). */
  readonly pending?: (reason: string | undefined) => void;
  /** Services the task needs, already started and ready: the attempt must reach them by name. */
  readonly services?: readonly string[];
}

/** A service to start for a run: its container, rendered like a task's, and its readiness check. */
export interface ServiceSpec {
  readonly dagId: string;
  readonly runId: string;
  readonly service: Service;
  /** Env var → value; passed only as environment (Kubernetes passes `service.secrets` as references). */
  readonly secrets: Readonly<Record<string, string>>;
  readonly mask: (line: string) => string;
  /** What the backend learns on the way that the user should see now (a pod's pending reason). */
  readonly note?: (message: string) => void;
}

/** A started service; its logs are kept from the start, for a failure's message and the run folder. */
export interface ServiceHandle {
  readonly id: string;
  readonly logs: AsyncIterable<LogLine>;
  /** Resolves when the readiness check passes; a failure says why (exited, not ready in time). */
  ready(signal: AbortSignal): Promise<Errorable<void>>;
  /** Set once the container has exited, with its exit code. */
  exited(): number | undefined;
  /** Stops and removes the container. Safe to call more than once. */
  stop(): Promise<void>;
}

/** What a backend that runs services offers the engine (Docker: containers on a per-run network; Kubernetes: a Pod and a Service). */
export interface ServiceBackend {
  startService(spec: ServiceSpec, signal: AbortSignal): Promise<Errorable<ServiceHandle>>;
  /** Removes what the run's services left (their network); called once the last service stopped. */
  endServices(runId: string): Promise<void>;
}

/** An image built (or found built) for a task: the content tag to run, and the image's id. */
export interface BuiltImage {
  readonly image: string;
  readonly id: string;
  /** False when an image of that content was there already (nothing was sent to the engine). */
  readonly built: boolean;
}

/** Builds task images from their folders before they run (Docker Compose's `build:`). */
export interface ImageBuilder {
  /** `args` rendered; `onLine` gets the build's output as it comes. */
  ensure(
    build: BuildSpec,
    args: Readonly<Record<string, string>>,
    onLine: (line: string) => void,
    signal: AbortSignal,
  ): Promise<Errorable<BuiltImage>>;
}

/**
 * An attempt whose container exists but has not started: created while its upstream task runs, so
 * that it starts the moment that task succeeds (`Backend.prepare`).
 */
export interface PreparedAttempt {
  /** Starts the container: from here on the same as `Backend.start`. */
  start(signal: AbortSignal): Promise<Errorable<AttemptHandle>>;
  /** Removes the container: the task will not run with it. 404 and 409 count as done. */
  discard(): Promise<void>;
}

/** One contract per engine: Docker now, Kubernetes later; the run engine knows nothing else. */
export interface Backend {
  readonly kind: 'docker' | 'kubernetes';
  /** For Kubernetes: the context and namespace the pods go to (kept in the run record). */
  readonly cluster?: { readonly context: string; readonly namespace: string };
  /** A failure is a message naming the cause and the fix (no daemon, image missing, …). */
  start(spec: AttemptSpec, signal: AbortSignal): Promise<Errorable<AttemptHandle>>;
  /**
   * Everything of `start` but starting: where a backend can create an attempt ahead of its start
   * (Docker), the engine does so for a task whose upstream runs. The same checks and messages as `start`.
   */
  prepare?(spec: AttemptSpec, signal: AbortSignal): Promise<Errorable<PreparedAttempt>>;
  /**
   * Finds an attempt started by a runner that died (crash, reload) — by the id it recorded, else by
   * name and labels — and follows it again from its first log line; `undefined` when nothing is left.
   */
  reattach(spec: AttemptSpec, recordedId: string | undefined): Promise<Errorable<AttemptHandle | undefined>>;
  /** Removes what these runs left behind except the attempts in `keep` (see `attemptKey`); returns how many. */
  collect(runIds: ReadonlySet<string>, keep?: ReadonlySet<string>): Promise<Errorable<number>>;
  /** Run-scoped services, where this backend has them. */
  readonly services?: ServiceBackend;
}
