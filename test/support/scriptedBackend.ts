import { analyzeDag } from '../../src/dag/analyze';
import type { Dag } from '../../src/dag/model';
import { AsyncQueue } from '../../src/runner/asyncQueue';
import type {
  AttemptHandle,
  AttemptSpec,
  Backend,
  LogLine,
  OutputFile,
  PreparedAttempt,
} from '../../src/runner/backend';
import type { Errorable } from '../../src/util/errorable';
import type { RunSink } from '../../src/runner/runOptions';

/** What a scripted container does: its exit code, how long it runs, what it prints and leaves at $CDAG_OUTPUT. */
export interface Script {
  code: number;
  ms: number;
  lines?: string[];
  output?: OutputFile;
}
import { fail, ok } from '../../src/util/errorable';

/**
 * A backend whose containers are scripted: each task's command's first word is an exit code, the
 * second a duration in ms. The engine's logic is what is under test here; tests/integration runs
 * the same engine on a real Docker Engine.
 */
export class ScriptedBackend implements Backend {
  readonly kind = 'docker' as const;
  running = 0;
  maxRunning = 0;
  starts: string[] = [];
  killed: string[] = [];
  constructor(private readonly script: (spec: AttemptSpec) => Script | string) {}

  startDelayMs = 0;

  /** Attempts (`task#try`) a runner that died left running; reattach finds only these. */
  alive = new Set<string>();
  reattached: string[] = [];
  collected: Array<{ runs: string[]; keep: string[] }> = [];

  /** Containers created ahead (`prepare`), started from there, and removed unused; `undefined`: no `prepare`. */
  ahead?: { prepared: string[]; startedAhead: string[]; discarded: string[] };
  /** What `cleanup` does, per attempt (`task#try`): by default it resolves at once. */
  cleanupOf: (key: string) => Promise<void> = async () => undefined;
  cleanedUp: string[] = [];

  /** Gives this backend `prepare`, as Docker has. */
  preparing(): this {
    this.ahead = { prepared: [], startedAhead: [], discarded: [] };
    this.prepare = async (spec: AttemptSpec): Promise<Errorable<PreparedAttempt>> => {
      const key = `${spec.rendered.task.id}#${spec.tryNumber}`;
      this.ahead!.prepared.push(key);
      return ok({
        start: (signal) => {
          this.ahead!.startedAhead.push(key);
          return this.start(spec, signal);
        },
        discard: async () => void this.ahead!.discarded.push(key),
      });
    };
    return this;
  }

  prepare?: (spec: AttemptSpec, signal: AbortSignal) => Promise<Errorable<PreparedAttempt>>;

  async start(spec: AttemptSpec, signal: AbortSignal) {
    if (this.startDelayMs) await new Promise((r) => setTimeout(r, this.startDelayMs));
    const s = this.script(spec);
    if (typeof s === 'string') return fail(s);
    this.starts.push(`${spec.rendered.task.id}#${spec.tryNumber}`);
    const handle = this.handle(spec, s);
    if (signal.aborted) void handle.kill(0);
    return ok(handle);
  }

  async reattach(spec: AttemptSpec) {
    const key = `${spec.rendered.task.id}#${spec.tryNumber}`;
    if (!this.alive.has(key)) return ok(undefined);
    this.reattached.push(key);
    const s = this.script(spec);
    return ok(this.handle(spec, typeof s === 'string' ? { code: 1, ms: 1 } : s));
  }

  async collect(runIds: ReadonlySet<string>, keep: ReadonlySet<string> = new Set()) {
    this.collected.push({ runs: [...runIds], keep: [...keep] });
    return ok(0);
  }

  private handle(spec: AttemptSpec, s: Script): AttemptHandle {
    this.running++;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    const logs = new AsyncQueue<LogLine>();
    for (const line of s.lines ?? []) logs.push({ stream: 'stdout', line: spec.mask(line) });
    let finish!: (code: number) => void;
    const exited = new Promise<number>((r) => (finish = r));
    const timer = setTimeout(() => finish(s.code), s.ms);
    const handle: AttemptHandle = {
      id: `c-${spec.rendered.task.id}-${spec.tryNumber}`,
      logs,
      wait: async () => {
        const code = await exited;
        this.running--;
        logs.end();
        return { exitCode: code, ...(s.output ? { output: s.output } : {}) };
      },
      kill: async () => {
        this.killed.push(spec.rendered.task.id);
        clearTimeout(timer);
        finish(137);
      },
      cleanup: async () => {
        const key = `${spec.rendered.task.id}#${spec.tryNumber}`;
        await this.cleanupOf(key);
        this.cleanedUp.push(key);
      },
    };
    return handle;
  }
}

/** A run sink that keeps nothing: for engine tests that read the record the engine returns. */
export const discardingSink: RunSink = {
  record: () => undefined,
  openLog: (task, tryNumber) => ({
    path: `${task}#${tryNumber}`,
    write: (_l: LogLine) => undefined,
    close: async () => undefined,
  }),
};

/** The interval of logical date 2024-01-02 of a daily DAG. */
export const DAY_INTERVAL = { start: new Date('2024-01-02T00:00:00Z'), end: new Date('2024-01-03T00:00:00Z') };

/** A DAG from YAML that must be valid (the test fails with its problems otherwise). */
export function dagOf(yaml: string): Dag {
  const a = analyzeDag(yaml);
  if (a.hasErrors) throw new Error(`invalid test DAG: ${JSON.stringify(a.problems)}`);
  return a.dag!;
}

/** A scripted task's exit code and duration: the first two words of its command (`[0, 30]`). */
export const scriptedCode = (spec: AttemptSpec) => Number(spec.rendered.command?.[0] ?? 0);
export const scriptedMs = (spec: AttemptSpec) => Number(spec.rendered.command?.[1] ?? 5);
