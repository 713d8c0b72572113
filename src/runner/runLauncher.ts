import { createHash, randomBytes } from 'node:crypto';
import { isoTimestamp } from '../dag/dates';
import type { Dag } from '../dag/model';
import type { DataInterval } from '../dag/schedule';
import type { RunRecord } from '../protocol/runRecord';
import { fail, ok, type Errorable } from '../util/errorable';
import type { Backend, ImageBuilder } from './backend';
import { connectBackend, type BackendChoice } from './backendConnection';
import { buildContextRequests, first, hasTemplatedHostPath, sensitiveRequests } from './consent';
import { dirname } from 'node:path';
import { Consent, type SensitiveRequest } from './hostAccess';
import { RunEngine } from './engine';
import type { LaunchFailure, RunNotStarted } from './launchFailure';
import { isLive } from './liveRuns';
import { pastVerdict } from './pastRuns';
import { keepOutside, selectedTasks } from './rerunSelection';
import { makeRunId } from './runId';
import type { RunStore } from './runStore';
import { makeMasker, unmaskableSecrets, type UnmaskableSecret } from './secretMasker';
import { abandonRuns, planTakeover } from './takeover';

/** What a front end asks for: runs of one DAG file, on one backend. */
export interface LaunchRequest extends BackendChoice {
  readonly dag: Dag;
  /** The DAG file, absolute; its text is hashed so a resumed run can tell it is unchanged. */
  readonly file: string;
  readonly text: string;
  /** The runs' intervals, walked for consent when a host path is templated: an array or a re-iterable range. */
  readonly intervals: Iterable<DataInterval>;
  readonly params?: Readonly<Record<string, unknown>>;
  /** Only these tasks (or instances, `fetch[3]`) run: only theirs are judged and their secrets read. */
  readonly only?: ReadonlySet<string>;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** What the user allowed beforehand (the CLI's flags). */
  readonly allowed?: Consent;
  /**
   * Asked once, with every request for the host or node not already allowed; `true` allows them for
   * these runs only. Without it, such requests refuse the launch (`host-access-refused`).
   */
  readonly ask?: (requests: readonly SensitiveRequest[]) => Promise<boolean>;
  /**
   * A run carried on after its runner died: no one is asked again; what was not allowed beforehand
   * is refused at each new attempt's start by the backend, as for any run.
   */
  readonly resuming?: boolean;
}

/** A DAG ready to run: its backend connected, secrets read, the masker made. */
export interface PreparedRun {
  readonly dag: Dag;
  readonly file: string;
  readonly fileHash: string;
  readonly backend: Backend;
  readonly secretValues: Readonly<Record<string, string>>;
  readonly builds?: ImageBuilder;
  readonly mask: (line: string) => string;
  /** Secrets whose values are too short or too common to mask: the user should be told before the run. */
  readonly unmaskable: readonly UnmaskableSecret[];
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Which runs to start with a prepared DAG. */
export interface RunPlan {
  readonly intervals: Iterable<DataInterval>;
  readonly kind?: 'manual' | 'backfill';
  /** How many runs at once (default 1); runs start in date order and dates are made as needed. */
  readonly maxRuns?: number;
  readonly maxActiveTasks?: number;
  readonly params?: Readonly<Record<string, unknown>>;
  readonly only?: ReadonlySet<string>;
  /** The run whose results a re-run of some tasks keeps. */
  readonly previous?: RunRecord;
  /**
   * An ended run to clear `only` in, as Airflow's Clear does: they run again inside it (same id,
   * params and record; a new try each) instead of in a new run. Its date is the plan's one date.
   */
  readonly clear?: RunRecord;
  readonly keepFailed?: boolean;
  /** Unfinished runs to carry on, matched by logical date: they keep their id, params and live containers. */
  readonly resume?: readonly RunRecord[];
  /** Aborted: no further run starts and the ones started are cancelled. */
  readonly signal?: AbortSignal;
}

/** What happens to a launch, as it happens; the run's own events come from `engine.on`. */
export interface LaunchObserver {
  /** A run begins; for a resumed one, how many running attempts it follows again and leftovers it removed. */
  started?(engine: RunEngine, resumed?: { readonly reattaching: number; readonly removed: number }): void;
  ended?(record: RunRecord): void;
  notStarted?(why: RunNotStarted): void;
}

/** What to do with an unfinished run whose runner died: carry it on, mark it interrupted, or leave it alone. */
export type TakeoverVerdict = 'resume' | 'leave' | { readonly abandon: string };

export interface TakeoverResult {
  readonly resume: readonly RunRecord[];
  /** Runs marked interrupted (why, as the verdict said), and what collecting their containers did. */
  readonly abandoned: ReadonlyArray<{
    readonly runs: readonly RunRecord[];
    readonly why: readonly string[];
    readonly note?: string;
  }>;
}

/** How a launcher reaches a backend: the real connection, or a scripted one in tests. */
export type Connect = typeof connectBackend;

/**
 * The one way to start runs, for `cdag run` and VS Code alike (Dagu's agent): prepare a DAG
 * (consent, backend, secrets, masks), start its runs for intervals, take over runs a dead runner
 * left, and know which runs are live. Failures are coded data; each front end phrases them.
 */
export class RunLauncher {
  /** The runs of this process, by id, while they go on. */
  private readonly engines = new Map<string, { engine: RunEngine; done: Promise<RunRecord> }>();

  constructor(
    readonly store: RunStore,
    private readonly connect: Connect = connectBackend,
  ) {}

  /** Everything a run needs before its first container: decided once for all its intervals. */
  async prepare(req: LaunchRequest): Promise<Errorable<PreparedRun, LaunchFailure>> {
    const unwritable = this.store.checkWritable();
    if (unwritable) return fail(unwritable);
    const only = req.only && selectedTasks(req.dag, req.only);
    // Every host path of the whole DAG, rendered for these dates and resolved, before any container starts.
    const requests = [
      ...sensitiveRequests(
        req.dag,
        req.backend,
        {
          intervals: hasTemplatedHostPath(req.dag) ? req.intervals : first(req.intervals),
          ...(req.params ? { params: req.params } : {}),
          env: req.env,
        },
        only,
      ),
      ...(req.noBuild ? [] : buildContextRequests(req.dag, dirname(req.file), only)),
    ];
    let consent = req.allowed ?? new Consent();
    const pending = requests.filter((r) => !consent.allows(r));
    if (pending.length && !req.resuming) {
      if (!req.ask) return fail({ code: 'host-access-refused', requests: pending });
      if (!(await req.ask(pending))) return fail({ code: 'host-access-declined' });
      consent = Consent.to(requests);
    }
    const connected = await this.connect(req.dag, req.file, req, consent, req.env, only);
    if (!connected.succeeded) return connected;
    const { backend, secretValues, builds } = connected.result;
    return ok({
      dag: req.dag,
      file: req.file,
      fileHash: dagFileHash(req.text),
      backend,
      secretValues,
      ...(builds ? { builds } : {}),
      mask: makeMasker(Object.values(secretValues)),
      unmaskable: unmaskableSecrets(secretValues),
      env: req.env,
    });
  }

  /** Starts the plan's runs, at most `maxRuns` at once, one per DAG and date on this machine; their records, by date. */
  async start(p: PreparedRun, plan: RunPlan, observer: LaunchObserver = {}): Promise<RunRecord[]> {
    const resumable = new Map((plan.resume ?? []).map((r) => [r.logical_date, r]));
    const kind = plan.kind ?? 'manual';
    const records: RunRecord[] = [];
    const mine = new Set<RunEngine>();
    const onAbort = () => mine.forEach((e) => e.cancel());
    plan.signal?.addEventListener('abort', onAbort, { once: true });
    const next = plan.intervals[Symbol.iterator]();
    const worker = async () => {
      for (let it = next.next(); !it.done && !plan.signal?.aborted; it = next.next()) {
        const record = await this.startOne(p, plan, it.value, kind, resumable, observer, mine);
        if (record) records.push(record);
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.max(1, plan.maxRuns ?? 1) }, worker));
    } finally {
      plan.signal?.removeEventListener('abort', onAbort);
    }
    return records.sort((x, y) => x.logical_date.localeCompare(y.logical_date));
  }

  private async startOne(
    p: PreparedRun,
    plan: RunPlan,
    interval: DataInterval,
    kind: 'manual' | 'backfill',
    resumable: ReadonlyMap<string, RunRecord>,
    observer: LaunchObserver,
    mine: Set<RunEngine>,
  ): Promise<RunRecord | undefined> {
    const logical = isoTimestamp(interval.start);
    const resume = resumable.get(logical);
    const clear = !resume && plan.clear?.logical_date === logical && plan.only ? plan.clear : undefined;
    const runId = resume?.run_id ?? clear?.run_id ?? makeRunId(kind, interval.start, randomBytes(3).toString('hex'));
    // One run per DAG and logical date at a time, across windows and with the CLI on this machine.
    const lock = this.store.lock(p.dag.id, logical, runId, p.file);
    if (!lock.acquired) {
      observer.notStarted?.(
        'holder' in lock
          ? { code: 'run-locked', dag: p.dag.id, logicalDate: logical, holder: lock.holder }
          : { code: 'lock-failed', dag: p.dag.id, logicalDate: logical, cause: lock.error.code ?? lock.error.message },
      );
      return undefined;
    }
    try {
      const engine = new RunEngine({
        dag: p.dag,
        runId,
        interval,
        backend: p.backend,
        sink: this.store.sink(runId),
        params: (resume ?? clear)?.params ?? plan.params ?? {},
        env: p.env,
        secretValues: p.secretValues,
        ...(p.builds ? { builds: p.builds } : {}),
        mask: p.mask,
        ...(plan.maxActiveTasks ? { maxActiveTasks: plan.maxActiveTasks } : {}),
        ...(plan.only && !resume ? { only: plan.only } : {}),
        ...(clear && plan.only
          ? { previous: keepOutside(p.dag, clear, plan.only), clearing: clear }
          : plan.previous && !resume
            ? { previous: plan.previous }
            : {}),
        ...(resume ? { resume } : {}),
        file: p.file,
        fileHash: p.fileHash,
        keepFailed: plan.keepFailed ?? false,
        past: (taskId) => pastVerdict(p.dag, interval.start, taskId, this.store, () => this.live),
      });
      let resumed: { reattaching: number; removed: number } | undefined;
      if (resume) {
        // What the dead runner left besides the attempts still running (and their services) is removed; those are followed again.
        const live = engine.liveAttempts;
        const removed = await p.backend.collect(new Set([runId]), new Set([...live, ...engine.liveServices]));
        resumed = { reattaching: live.size, removed: removed.succeeded ? removed.result : 0 };
      }
      // Listeners go on before the start, which emits the run's first state at once.
      const entry = { engine, done: Promise.resolve(engine.record) };
      this.engines.set(runId, entry);
      mine.add(engine);
      observer.started?.(engine, resumed);
      if (plan.signal?.aborted) engine.cancel();
      entry.done = engine.start();
      const record = await entry.done;
      // Not live any more when the front ends hear of its end (their status bar counts live runs).
      this.engines.delete(runId);
      observer.ended?.(record);
      return record;
    } finally {
      this.engines.delete(runId);
      lock.release();
    }
  }

  /**
   * Runs a runner left unfinished (it crashed, its window reloaded), whose owner is dead: the ones
   * `judge` resumes are returned to be started again; the ones it abandons are marked interrupted
   * and their containers removed by their backend's collector (grouped: one note per collector).
   * A run another process is taking over right now (its lock is held) is left to it.
   */
  async takeOver(
    judge: (r: RunRecord) => TakeoverVerdict,
    collectorFor: (r: RunRecord) => Promise<Pick<Backend, 'collect'> | undefined>,
  ): Promise<TakeoverResult> {
    const unfinished = this.store.unfinished((r) => this.engines.has(r.run_id) || isLive(r));
    const why = new Map<string, string>();
    const verdicts = new Map(unfinished.map((r) => [r.run_id, judge(r)]));
    const plan = planTakeover(
      unfinished.filter((r) => verdicts.get(r.run_id) !== 'leave'),
      (r) => verdicts.get(r.run_id) === 'resume',
    );
    for (const r of plan.abandon) {
      const v = verdicts.get(r.run_id);
      if (typeof v === 'object') why.set(r.run_id, v.abandon);
    }
    const groups = new Map<Pick<Backend, 'collect'> | undefined, RunRecord[]>();
    for (const r of plan.abandon) {
      if (this.store.lockHeld(r)) continue;
      const c = await collectorFor(r);
      groups.set(c, [...(groups.get(c) ?? []), r]);
    }
    const abandoned: Array<{ runs: RunRecord[]; why: string[]; note?: string }> = [];
    for (const [collector, runs] of groups) {
      const note = await abandonRuns(this.store, runs, collector);
      abandoned.push({ runs, why: runs.map((r) => why.get(r.run_id) ?? ''), ...(note ? { note } : {}) });
    }
    return { resume: plan.resume, abandoned };
  }

  /** Whether a run goes on now: in this process, or owned by a live one. */
  isLive(r: RunRecord): boolean {
    return this.engines.has(r.run_id) || isLive(r);
  }

  /** The runs of this process that go on now. */
  get live(): RunEngine[] {
    return [...this.engines.values()].map((e) => e.engine);
  }

  /** Cancels one run of this process, or all of them. */
  cancel(runId?: string): void {
    for (const [id, e] of this.engines) if (!runId || id === runId) e.engine.cancel();
  }

  /** Cancels every run of this process and waits for them to stop, at most `deadlineMs`. */
  async stopAll(deadlineMs: number): Promise<void> {
    const running = [...this.engines.values()];
    if (running.length === 0) return;
    for (const e of running) e.engine.cancel();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled(running.map((e) => e.done)),
      new Promise((r) => (timer = setTimeout(r, deadlineMs))),
    ]);
    clearTimeout(timer);
  }
}

/** What a run record keeps of its DAG file's text, so a resumed run can tell the file is unchanged. */
export function dagFileHash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
