import { existsSync, mkdirSync } from 'node:fs';
import type Docker from 'dockerode';
import { fail, ok, type Errorable } from '../../dag/errorable';
import type { Dag } from '../../dag/model';
import { AsyncQueue } from '../asyncQueue';
import type { AttemptExit, AttemptHandle, AttemptSpec, Backend, LogLine } from '../backend';
import { resolveHostPath, sensitiveHostPath } from '../hostMounts';
import { LABELS, hash, labelValue } from '../labels';
import { LineAssembler } from '../lineAssembler';
import { containerCreateBody } from './containerSpec';
import { DockerDemuxer } from './demux';
import { collectLeftovers } from './leftovers';

const BUILTIN_NETWORKS = new Set(['bridge', 'host', 'none', 'default']);

interface ApiError {
  statusCode?: number;
  json?: { message?: string };
  message?: string;
}
const status = (e: unknown) => (e as ApiError).statusCode;
const apiMessage = (e: unknown) => (e as ApiError).json?.message ?? (e as ApiError).message ?? String(e);

export interface DockerBackendOptions {
  /** Host paths the user consented to mount for this run (M1). */
  readonly allowedHostPaths?: ReadonlySet<string>;
  /** The user consented to `network: host` for this run (M1). */
  readonly allowHostNetwork?: boolean;
  /** Pull progress, for the UI. */
  readonly onPull?: (image: string, status: string) => void;
}

/** Runs attempts as containers on one Docker Engine, through its API (dockerode). */
export class DockerBackend implements Backend {
  readonly kind = 'docker' as const;
  /** Images found present during this run (IfNotPresent/Never): one inspect per image, not per task. */
  private readonly present = new Map<string, string>();

  /** The consented paths, resolved as the mounts are. */
  private readonly allowed: ReadonlySet<string>;

  constructor(
    private readonly docker: Docker,
    private readonly dag: Dag,
    private readonly options: DockerBackendOptions = {},
  ) {
    this.allowed = new Set([...(options.allowedHostPaths ?? [])].map((p) => resolveHostPath(p)));
  }

  async start(spec: AttemptSpec, signal: AbortSignal): Promise<Errorable<AttemptHandle>> {
    const r = spec.rendered;
    const body = containerCreateBody(this.dag, r, spec.runId, spec.tryNumber, spec.secrets);
    if (!body.succeeded) return body;
    for (const m of body.result.HostConfig.Mounts) {
      if (m.Type !== 'bind') continue;
      // What was judged is what is mounted: the resolved path, so a symlink swapped since cannot redirect it.
      m.Source = resolveHostPath(m.Source);
      const why = sensitiveHostPath(m.Source);
      if (why && !this.allowed.has(m.Source)) {
        return fail(`Task "${r.task.id}" mounts ${m.Source}, ${why}; refused: it was not allowed for this run.`);
      }
    }
    if (body.result.HostConfig.NetworkMode === 'host' && !this.options.allowHostNetwork) {
      return fail(
        `Task "${r.task.id}" asks for the host's network, which exposes every port and interface of this machine; refused: it was not allowed for this run.`,
      );
    }
    const image = await this.ensureImage(r.image, r.task.imagePullPolicy, signal);
    if (!image.succeeded) return image;
    if (signal.aborted) return fail('cancelled');
    const network = body.result.HostConfig.NetworkMode;
    if (network && !BUILTIN_NETWORKS.has(network) && !network.startsWith('container:')) {
      try {
        await this.docker.getNetwork(network).inspect();
      } catch (e) {
        if (status(e) === 404) {
          return fail(
            `Docker network "${network}" does not exist. Create it with "docker network create ${network}", or remove "network" from the DAG.`,
          );
        }
      }
    }
    for (const m of body.result.HostConfig.Mounts) {
      // An existing file or socket (docker.sock) is mounted as it is; only a missing path becomes a folder.
      if (m.Type !== 'bind' || existsSync(m.Source)) continue;
      try {
        mkdirSync(m.Source, { recursive: true });
      } catch (e) {
        return fail(
          `Cannot create the bind-mount folder ${m.Source} (${(e as NodeJS.ErrnoException).code}). Create it yourself or choose a path you can write.`,
        );
      }
    }
    const name = containerName(spec);
    let container: Docker.Container;
    try {
      container = await this.docker.createContainer({ name, ...body.result });
    } catch (e) {
      if (status(e) === 409) {
        return fail(
          `A container named ${name} already exists (another run of the same attempt?). Remove it with "docker rm -f ${name}".`,
        );
      }
      return fail(`Docker could not create the container for "${r.task.id}": ${apiMessage(e)}`);
    }
    // Registered before start, so an exit that comes at once is not missed.
    const waited = container.wait({ condition: 'next-exit' }) as Promise<{ StatusCode: number }>;
    if (signal.aborted) {
      await removeQuietly(container);
      return fail('cancelled');
    }
    try {
      await container.start();
    } catch (e) {
      await removeQuietly(container);
      return fail(`The container for "${r.task.id}" did not start: ${apiMessage(e)}`);
    }
    return ok(new DockerAttempt(container, waited, spec.mask, image.result, false));
  }

  async reattach(spec: AttemptSpec, recordedId: string | undefined): Promise<Errorable<AttemptHandle | undefined>> {
    // The name is fixed per attempt, so a container created just before a crash (id not yet recorded) is found too.
    const container = this.docker.getContainer(recordedId ?? containerName(spec));
    let info: Docker.ContainerInspectInfo;
    try {
      info = await container.inspect();
    } catch (e) {
      if (status(e) === 404) return ok(undefined);
      return fail(`Docker could not inspect container ${container.id}: ${apiMessage(e)}`);
    }
    if (info.Config.Labels?.[LABELS.runId] !== labelValue(spec.runId)) return ok(undefined);
    // 'not-running' answers at once for a container that exited while nobody watched.
    const waited = container.wait({ condition: 'not-running' }) as Promise<{ StatusCode: number }>;
    return ok(new DockerAttempt(container, waited, spec.mask, info.Image, info.Config.Tty));
  }

  collect(runIds: ReadonlySet<string>, keep?: ReadonlySet<string>): Promise<Errorable<number>> {
    return collectLeftovers(this.docker, runIds, keep);
  }

  /** Pulls per policy: Never fails when missing, IfNotPresent pulls when missing, Always pulls. */
  private async ensureImage(
    image: string,
    policy: string,
    signal: AbortSignal,
  ): Promise<Errorable<string | undefined>> {
    const known = policy !== 'Always' ? this.present.get(image) : undefined;
    if (known) return ok(known);
    const r = await this.inspectOrPull(image, policy, signal);
    if (r.succeeded && r.result) this.present.set(image, r.result);
    return r;
  }

  private async inspectOrPull(
    image: string,
    policy: string,
    signal: AbortSignal,
  ): Promise<Errorable<string | undefined>> {
    const present = await this.docker
      .getImage(image)
      .inspect()
      .then((i) => i.RepoDigests?.[0] ?? i.Id)
      .catch((e: unknown) => (status(e) === 404 ? null : Promise.reject(e)))
      .catch((e: unknown) => new Error(apiMessage(e)));
    if (present instanceof Error) return fail(`Docker could not inspect image ${image}: ${present.message}`);
    if (present && policy !== 'Always') return ok(present);
    if (!present && policy === 'Never') {
      return fail(
        `Image ${image} is not on this Docker Engine and image_pull_policy is Never. Build or load it first (docker build -t ${image} …), or allow pulling with image_pull_policy: IfNotPresent.`,
      );
    }
    try {
      const stream = await this.docker.pull(image);
      const progress = new PullProgress((text) => this.options.onPull?.(image, text));
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => {
          (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
          reject(new Error('cancelled'));
        };
        signal.addEventListener('abort', onAbort, { once: true });
        this.docker.modem.followProgress(
          stream,
          (err: Error | null) => {
            signal.removeEventListener('abort', onAbort);
            if (err) reject(err);
            else resolve();
          },
          (event: PullEvent) => progress.push(event),
        );
      });
      progress.end();
      const i = await this.docker.getImage(image).inspect();
      return ok(i.RepoDigests?.[0] ?? i.Id);
    } catch (e) {
      if (signal.aborted) return fail('cancelled');
      return fail(
        `Could not pull image ${image}: ${apiMessage(e)}. Check the name and registry access, or build it locally and set image_pull_policy: Never.`,
      );
    }
  }
}

interface PullEvent {
  status?: string;
  id?: string;
  progressDetail?: { current?: number; total?: number };
}

/**
 * Docker's pull progress is one event per layer per chunk; users want one line now and then:
 * bytes done of the layers seen so far, at most once a second, and the final status.
 */
export class PullProgress {
  private readonly layers = new Map<string, { current: number; total: number }>();
  private last = 0;
  private final: string | undefined;

  constructor(
    private readonly emit: (text: string) => void,
    private readonly now: () => number = Date.now,
  ) {}

  push(e: PullEvent): void {
    if (e.status?.startsWith('Status:') || e.status?.startsWith('Digest:')) this.final = e.status;
    if (e.id && e.progressDetail?.total) {
      this.layers.set(e.id, { current: e.progressDetail.current ?? 0, total: e.progressDetail.total });
    }
    if (e.id && e.status === 'Pull complete') {
      const l = this.layers.get(e.id);
      if (l) l.current = l.total;
    }
    if (this.now() - this.last < 1000 || this.layers.size === 0) return;
    this.last = this.now();
    let current = 0;
    let total = 0;
    for (const l of this.layers.values()) {
      current += Math.min(l.current, l.total);
      total += l.total;
    }
    this.emit(`${mb(current)} of ${mb(total)} MB (${this.layers.size} layer${this.layers.size === 1 ? '' : 's'})`);
  }

  end(): void {
    this.emit(this.final?.replace(/^Status: /, '') ?? 'pulled');
  }
}

const mb = (n: number) => (n / 1e6).toFixed(1);

/** Unique per attempt and readable in `docker ps`. */
export function containerName(spec: Pick<AttemptSpec, 'dagId' | 'runId' | 'tryNumber' | 'rendered'>): string {
  const clean = (s: string) =>
    labelValue(s)
      .replace(/[^A-Za-z0-9_.-]/g, '_')
      .slice(0, 40);
  return `cdag-${clean(spec.dagId)}-${clean(spec.rendered.task.id)}-${hash(spec.runId).slice(0, 8)}-${spec.tryNumber}`;
}

async function removeQuietly(c: Docker.Container): Promise<void> {
  try {
    await c.remove({ force: true });
  } catch (e) {
    // 404: already gone; 409: removal already in progress. Both count as done (L2).
    if (status(e) !== 404 && status(e) !== 409) throw e;
  }
}

/**
 * Follows a container's log from its start until it ends (after the container exits), demultiplexed,
 * assembled into lines, masked. Never rejects: a container removed out of band just ends the log.
 */
export async function followLogs(
  container: Docker.Container,
  mask: (line: string) => string,
  emit: (line: LogLine) => void,
  options: { tty?: boolean; onStream?: (s: NodeJS.ReadableStream) => void } = {},
): Promise<void> {
  const out = new LineAssembler((line) => emit({ stream: 'stdout', line: mask(line) }));
  const err = new LineAssembler((line) => emit({ stream: 'stderr', line: mask(line) }));
  // A TTY container's log is one raw stream with no frame headers (Engine API, "Stream format").
  const demux = options.tty
    ? { push: (c: Buffer) => out.push(c) }
    : new DockerDemuxer((s, payload) => (s === 'stderr' ? err : out).push(payload));
  try {
    const stream = (await container.logs({ follow: true, stdout: true, stderr: true })) as NodeJS.ReadableStream;
    options.onStream?.(stream);
    await new Promise<void>((resolve) => {
      stream.on('data', (c: Buffer) => demux.push(c));
      stream.on('end', resolve);
      stream.on('close', resolve);
      stream.on('error', () => resolve());
    });
  } catch {
    // The container may be gone already; the exit status still decides the attempt.
  } finally {
    out.end();
    err.end();
  }
}

export class DockerAttempt implements AttemptHandle {
  readonly id: string;
  readonly logs: AsyncQueue<LogLine>;
  private logStream: NodeJS.ReadableStream | undefined;
  private readonly logsDone: Promise<void>;

  constructor(
    private readonly container: Docker.Container,
    private readonly waited: Promise<{ StatusCode: number }>,
    mask: (line: string) => string,
    readonly imageDigest: string | undefined,
    tty: boolean,
  ) {
    this.id = container.id;
    const queue = new AsyncQueue<LogLine>();
    this.logs = queue;
    this.logsDone = followLogs(container, mask, (l) => queue.push(l), {
      tty,
      onStream: (stream) => (this.logStream = stream),
    }).finally(() => queue.end());
  }

  async wait(): Promise<AttemptExit> {
    let code: number;
    try {
      code = (await this.exited()).StatusCode;
    } catch (e) {
      await this.logsDone;
      return { exitCode: -1, reason: `the container disappeared (${apiMessage(e)})` };
    }
    await this.logsDone;
    try {
      const state = (await this.container.inspect()).State;
      if (state.OOMKilled)
        return { exitCode: code, reason: 'OOMKilled: the container ran out of memory (raise resources.memory)' };
    } catch {
      // Removed out of band after exiting: the exit code we have is the truth.
    }
    return { exitCode: code };
  }

  /**
   * The exit. Docker 20.10 can miss the exit of a container that ends within milliseconds for a
   * `next-exit` wait registered before start (its FinishedAt then precedes its StartedAt), and that
   * wait never answers. The log follow does end: half a second after it, a `not-running` wait asks
   * again; it answers at once for an exited container and waits for one still running.
   */
  private exited(): Promise<{ StatusCode: number }> {
    let settled = false;
    const first = this.waited.finally(() => (settled = true));
    const again = this.logsDone
      // Unref'd: a finished run's process must not stay for this timer.
      .then(() => new Promise((r) => setTimeout(r, 500).unref()))
      .then(() =>
        settled ? first : (this.container.wait({ condition: 'not-running' }) as Promise<{ StatusCode: number }>),
      );
    return Promise.race([first, again]);
  }

  async kill(graceMs: number): Promise<void> {
    try {
      await this.container.stop({ t: Math.max(0, Math.ceil(graceMs / 1000)) });
    } catch (e) {
      // 304: already stopped; 404: gone.
      if (status(e) !== 304 && status(e) !== 404 && status(e) !== 409) throw e;
    }
  }

  async cleanup(keep: boolean): Promise<void> {
    (this.logStream as (NodeJS.ReadableStream & { destroy?: () => void }) | undefined)?.destroy?.();
    if (!keep) await removeQuietly(this.container);
  }
}
