import { untilAborted } from '../util/untilAborted';
import type { Dag, Service, Task } from '../dag/model';
import { renderTemplate, type TemplateContext } from '../dag/templateRender';
import { dict, own } from '../util/dict';
import { fail, ok, type Errorable } from '../util/errorable';
import type { ServiceRecord } from '../protocol/runRecord';
import type { ImageBuilder, LogLine, ServiceBackend, ServiceHandle } from './backend';
import { renderBuildArgs } from './buildArgs';
import type { RunOptions, RunSink } from './runOptions';
import { runContext } from './taskOutcome';

/** Lines of a service's log a failure quotes. */
const LAST_LINES = 10;

interface Started {
  readonly name: string;
  readonly handle: Promise<Errorable<ServiceHandle>>;
  readonly lines: string[];
  /** The service's log has been read to its end (the container exited). */
  readonly logged: Promise<void>;
  ready?: Promise<Errorable<void>>;
}

/**
 * The services of one run: each started before the first task that needs it and ready before that
 * task starts, stopped when the last task that needs it has ended, and all of them when the run
 * ends or is cancelled. A service that does not start, exits or is not ready in time fails the tasks
 * that need it, quoting its last log lines.
 */
export class ServiceSupervisor {
  private readonly started = new Map<string, Started>();
  /** Service → tasks that need it and have not ended. */
  private readonly waiting = new Map<string, Set<string>>();
  private readonly stop = new AbortController();

  constructor(
    private readonly o: {
      readonly dag: Dag;
      readonly runId: string;
      readonly backend: ServiceBackend;
      readonly secretValues: Readonly<Record<string, string>>;
      readonly mask: (line: string) => string;
      readonly sink: RunSink;
      readonly context: TemplateContext;
      /** A service's record changed (the engine keeps it in the run record and says so). */
      readonly changed: (name: string, record: ServiceRecord) => void;
      /** What a backend learns on the way (a pod's pending reason). */
      readonly note: (message: string) => void;
      /** Tasks that will not run in this run (ended already, or not selected): they hold no service. */
      readonly ended?: (taskId: string) => boolean;
      /** Builds a service's image when the DAG's `images` has it. */
      readonly builds?: ImageBuilder;
    },
  ) {
    for (const t of o.dag.tasks)
      if (!o.ended?.(t.id))
        for (const name of t.services) this.waiting.set(name, (this.waiting.get(name) ?? new Set()).add(t.id));
  }

  private readonly records = new Map<string, ServiceRecord>();

  private update(name: string, patch: Partial<ServiceRecord>): void {
    const now = this.records.get(name) ?? { state: 'starting', tasks: [...(this.waiting.get(name) ?? [])] };
    // A failure is what the record keeps: stopping a failed service later does not hide it.
    const next: ServiceRecord =
      now.state === 'failed' && patch.state === 'stopped'
        ? { ...now, ...(patch.ended_at ? { ended_at: patch.ended_at } : {}) }
        : { ...now, ...patch };
    if (next.reason) next.reason = this.o.mask(next.reason);
    this.records.set(name, next);
    this.o.changed(name, next);
  }

  /** Starts (once) and waits for every service the task needs; a failure is the task's reason. */
  async ensure(task: Pick<Task, 'id' | 'services'>, signal: AbortSignal): Promise<Errorable<void>> {
    for (const name of task.services) {
      const s = this.started.get(name) ?? this.begin(name);
      const handle = await s.handle;
      if (!handle.succeeded) return fail(`service ${name} did not start: ${handle.error}`);
      s.ready ??= handle.result.ready(this.stop.signal).then((r) => {
        if (r.succeeded) this.update(name, { state: 'ready', ready_at: new Date().toISOString() });
        else if (r.error !== 'cancelled') this.failed(name, handle.result, r.error);
        return r;
      });
      const ready = await untilAborted(s.ready, signal);
      // Ready once, gone since: the tasks after it would find nothing where they look.
      const code = handle.result.exited();
      const error = !ready.succeeded
        ? ready.error
        : code !== undefined
          ? this.failed(name, handle.result, `service "${name}" exited with code ${code}`)
          : undefined;
      if (error !== undefined) {
        if (error === 'cancelled') return fail(error);
        // A service that exited has more to say than it has been read yet: its log, to its end (briefly).
        await Promise.race([s.logged, new Promise((r) => setTimeout(r, 2000))]);
        const tail = s.lines.slice(-LAST_LINES);
        return fail(`${error}${tail.length ? `; its last lines:\n${tail.join('\n')}` : ''}`);
      }
    }
    return ok(undefined);
  }

  private failed(name: string, h: ServiceHandle, reason: string): string {
    if (this.records.get(name)?.state === 'failed') return reason;
    const code = h.exited();
    this.update(name, {
      state: 'failed',
      reason,
      ended_at: new Date().toISOString(),
      ...(code !== undefined && code >= 0 ? { exit_code: code } : {}),
    });
    return reason;
  }

  /** A task ended: the services no other waiting task needs are stopped. */
  async release(taskId: string): Promise<void> {
    for (const [name, tasks] of this.waiting) {
      if (!tasks.delete(taskId) || tasks.size > 0) continue;
      const s = this.started.get(name);
      if (s) await this.end(s);
    }
  }

  /** The run ended or was cancelled: every service is stopped and the run's network removed. */
  async stopAll(): Promise<void> {
    this.stop.abort();
    await Promise.all([...this.started.values()].map((s) => this.end(s)));
    if (this.started.size) await this.o.backend.endServices(this.o.runId);
  }

  private begin(name: string): Started {
    const service = this.o.dag.services.get(name)!;
    const lines: string[] = [];
    const rendered = renderService(service, this.o.context);
    const secrets = dict<string>();
    for (const [env, secret] of Object.entries(service.secrets)) {
      const v = own(this.o.secretValues, secret);
      if (v !== undefined) secrets[env] = v;
    }
    this.update(name, { state: 'starting', started_at: new Date().toISOString(), log_file: `service.${name}/1.log` });
    const start = async (): Promise<Errorable<ServiceHandle>> => {
      if (!rendered.succeeded) return rendered;
      const image = await this.builtImage(rendered.result);
      if (!image.succeeded) return image;
      return this.o.backend.startService(
        {
          dagId: this.o.dag.id,
          runId: this.o.runId,
          service: image.result,
          secrets,
          mask: this.o.mask,
          note: this.o.note,
        },
        this.stop.signal,
      );
    };
    const handle = start().then((h) => {
      if (h.succeeded) this.update(name, { container_id: h.result.id });
      else if (h.error !== 'cancelled')
        this.update(name, { state: 'failed', reason: h.error, ended_at: new Date().toISOString() });
      return h;
    });
    // Its log is kept like a task's (`service.NAME/1.log`), and its tail quoted when it fails a task.
    const logged = handle
      .then(async (h) => {
        if (!h.succeeded) return;
        const log = this.o.sink.openLog(`service.${name}`, 1);
        for await (const l of h.result.logs as AsyncIterable<LogLine>) {
          lines.push(l.line);
          if (lines.length > LAST_LINES * 4) lines.splice(0, lines.length - LAST_LINES);
          log.write(l);
        }
        await log.close();
      })
      // A log that breaks off ends the quote, never the run.
      .catch(() => undefined);
    const s: Started = { name, handle, lines, logged };
    this.started.set(name, s);
    return s;
  }

  /** A service whose image the DAG builds runs it built (found by content, else built now). */
  private async builtImage(service: Service): Promise<Errorable<Service>> {
    const build = this.o.dag.images.get(service.image);
    if (!build || !this.o.builds) return ok(service);
    const args = renderBuildArgs(build, this.o.context);
    if (!args.succeeded) return args;
    const built = await this.o.builds.ensure(
      build,
      args.result,
      (line) => this.o.note(this.o.mask(`service ${service.name}: ${line}`)),
      this.stop.signal,
    );
    if (!built.succeeded) return built;
    return ok({ ...service, image: built.result.image, imagePullPolicy: 'IfNotPresent' });
  }

  private async end(s: Started): Promise<void> {
    const h = await s.handle;
    if (!h.succeeded) return;
    await h.result.stop();
    if (this.records.get(s.name)?.state !== 'stopped')
      this.update(s.name, { state: 'stopped', ended_at: new Date().toISOString() });
  }
}

/** The run's services, when some task needs one and the backend runs them. */
export function runServices(
  o: RunOptions,
  hooks: Pick<ConstructorParameters<typeof ServiceSupervisor>[0], 'mask' | 'changed' | 'note' | 'ended'>,
): ServiceSupervisor | undefined {
  const first = o.dag.tasks.find((t) => t.services.length);
  if (!first || !o.backend.services) return undefined;
  return new ServiceSupervisor({
    dag: o.dag,
    runId: o.runId,
    backend: o.backend.services,
    secretValues: o.secretValues ?? {},
    sink: o.sink,
    // Services see the run's names only; the context of any task gives those.
    context: runContext(first, o, new Map()),
    ...(o.builds ? { builds: o.builds } : {}),
    ...hooks,
  });
}

/** A service's command, args and env rendered with the run's names (no task's outputs or items). */
function renderService(s: Service, ctx: TemplateContext): Errorable<Service> {
  const one = (v: string) => renderTemplate(v, ctx);
  const all = (vs: readonly string[] | undefined): Errorable<string[] | undefined> => {
    if (!vs) return ok(undefined);
    const out: string[] = [];
    for (const v of vs) {
      const r = one(v);
      if (!r.succeeded) return r;
      out.push(r.result);
    }
    return ok(out);
  };
  const command = all(s.command);
  const args = all(s.args);
  if (!command.succeeded) return command;
  if (!args.succeeded) return args;
  const env = dict<string>();
  for (const [k, v] of Object.entries(s.env)) {
    const r = one(v);
    if (!r.succeeded) return fail(`env.${k}: ${r.error}`);
    env[k] = r.result;
  }
  return ok({
    ...s,
    ...(command.result ? { command: command.result } : {}),
    ...(args.result ? { args: args.result } : {}),
    env,
  });
}
