import { Watch, type CoreV1Event, type V1Pod } from '@kubernetes/client-node';
import { fail, ok, type Errorable } from '../../dag/errorable';
import type { Dag } from '../../dag/model';
import { AsyncQueue } from '../asyncQueue';
import type { AttemptExit, AttemptHandle, AttemptSpec, Backend, LogLine } from '../backend';
import { resolveHostPath, sensitiveHostPath } from '../hostMounts';
import { setLongTimeout, type LongTimer } from '../longTimer';
import { podPatchRisks } from '../../dag/podModel';
import { LABELS, MANAGED_BY, attemptKey, labelValue } from '../labels';
import { LineAssembler } from '../lineAssembler';
import type { Cluster } from './connect';
import { LogCursor } from './logCursor';
import { readPodLog } from './podLog';
import { podManifest } from './podSpec';
import { containerStarted, podVerdict } from './podStatus';

interface ApiError {
  /** The HTTP status from the API; a string (ECONNRESET…) from the network underneath. */
  code?: number | string;
  body?: unknown;
  headers?: Record<string, string>;
  message?: string;
}
const codeOf = (e: unknown) => (e as ApiError).code;
function messageOf(e: unknown): string {
  const body = (e as ApiError).body;
  if (typeof body === 'string') {
    try {
      return (JSON.parse(body) as { message?: string }).message ?? body;
    } catch {
      return body;
    }
  }
  if (body && typeof body === 'object' && 'message' in body) return String((body as { message: unknown }).message);
  return (e as ApiError).message ?? String(e);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Retries only what is transient (L7): 429 (honouring Retry-After), 5xx and network errors, with
 * backoff, at most 5 times; anything else is returned to the caller at once.
 */
export async function withRetry<T>(call: () => Promise<T>, tries = 5, baseMs = 250, refresh?: () => void): Promise<T> {
  let refreshed = false;
  for (let i = 1; ; i++) {
    try {
      return await call();
    } catch (e) {
      const code = codeOf(e);
      // 401: the credentials may have been renewed meanwhile; read them again, once.
      if (code === 401 && refresh && !refreshed && i < tries) {
        refreshed = true;
        refresh();
        continue;
      }
      // A number is the API's HTTP status; anything else (ECONNRESET, a socket hang-up) is the network.
      const transient = code === 429 || (typeof code === 'number' && code >= 500) || typeof code !== 'number';
      if (!transient || i >= tries) throw e;
      const retryAfter = Number((e as ApiError).headers?.['retry-after']);
      await sleep(code === 429 && retryAfter > 0 ? retryAfter * 1000 : Math.min(8000, baseMs * 2 ** i));
    }
  }
}

export interface KubernetesBackendOptions {
  /** hostPath volumes the user consented to for this run (M1). */
  readonly allowedHostPaths?: ReadonlySet<string>;
  /** The user consented to the node's network for this run (a pod patch's `hostNetwork`). */
  readonly allowHostNetwork?: boolean;
  /** The user consented to privileged containers or the node's namespaces for this run. */
  readonly allowPrivileged?: boolean;
}

/** Runs attempts as pods on the current (or chosen) context, through the Kubernetes API. */
export class KubernetesBackend implements Backend {
  readonly kind = 'kubernetes' as const;

  constructor(
    private readonly k8s: Cluster,
    private readonly dag: Dag,
    private readonly options: KubernetesBackendOptions = {},
  ) {}

  get namespace(): string {
    return this.dag.kubernetes.namespace ?? this.k8s.namespace;
  }

  get cluster(): { context: string; namespace: string } {
    return { context: this.k8s.context, namespace: this.namespace };
  }

  async start(spec: AttemptSpec, signal: AbortSignal): Promise<Errorable<AttemptHandle>> {
    const manifest = podManifest(this.dag, spec.rendered, spec.runId, spec.tryNumber);
    if (!manifest.succeeded) return manifest;
    const body = manifest.result;
    body.metadata.namespace = this.namespace;
    for (const risk of podPatchRisks(body)) {
      const consented =
        risk.kind === 'host-network'
          ? this.options.allowHostNetwork
          : risk.kind === 'host-path'
            ? true // judged below, resolved
            : this.options.allowPrivileged;
      if (!consented)
        return fail(
          `Task "${spec.rendered.task.id}" asks for ${risk.kind === 'host-network' ? 'the node’s network' : `${risk.subject} (${risk.kind})`}; refused: it was not allowed for this run.`,
        );
    }
    const allowed = new Set([...(this.options.allowedHostPaths ?? [])].map((p) => resolveHostPath(p)));
    for (const v of body.spec.volumes ?? []) {
      const hostPath = v.hostPath as { path?: string } | undefined;
      if (!hostPath?.path) continue;
      hostPath.path = resolveHostPath(hostPath.path);
      const why = sensitiveHostPath(hostPath.path) ?? 'a folder of the node itself';
      if (!allowed.has(hostPath.path)) {
        return fail(
          `Task "${spec.rendered.task.id}" mounts the node's ${hostPath.path} (hostPath: ${why}); refused: it was not allowed for this run.`,
        );
      }
    }
    if (signal.aborted) return fail('cancelled');
    const name = body.metadata.name;
    try {
      await withRetry(
        () => this.k8s.core.createNamespacedPod({ namespace: this.namespace, body: body as V1Pod }),
        5,
        250,
        this.k8s.refresh,
      );
    } catch (e) {
      // A create retried after its answer was lost finds the pod it made: that one is ours (L7).
      if (codeOf(e) === 409 && (await this.isOurs(name, body.metadata.labels ?? {})))
        return ok(this.attempt(name, spec, false));
      if (codeOf(e) === 409)
        return fail(
          `A pod named ${name} already exists in ${this.namespace}. Delete it with "kubectl delete pod ${name} -n ${this.namespace}".`,
        );
      if (codeOf(e) === 404)
        return fail(
          `Namespace "${this.namespace}" does not exist. Create it with "kubectl create namespace ${this.namespace}", or set kubernetes.namespace in the DAG.`,
        );
      if (codeOf(e) === 403)
        return fail(
          `Creating pods in namespace "${this.namespace}" is forbidden for context "${this.k8s.context}": ${messageOf(e)}`,
        );
      return fail(`The cluster refused the pod for "${spec.rendered.task.id}": ${messageOf(e)}`);
    }
    return ok(this.attempt(name, spec, false));
  }

  /** Whether the pod of that name carries exactly these labels (run, task and try): made by this attempt. */
  private async isOurs(name: string, labels: Readonly<Record<string, string>>): Promise<boolean> {
    try {
      const pod = await this.k8s.core.readNamespacedPod({ name, namespace: this.namespace });
      const theirs = pod.metadata?.labels ?? {};
      return Object.entries(labels).every(([k, v]) => theirs[k] === v);
    } catch {
      return false;
    }
  }

  async reattach(spec: AttemptSpec, recordedId: string | undefined): Promise<Errorable<AttemptHandle | undefined>> {
    // Every pod of this attempt, by its labels: more than one (another runner, a create retried
    // across a crash) means the newest is followed and the others are marked and removed (L3).
    const selector = [
      `${LABELS.managedBy}=${MANAGED_BY}`,
      `${LABELS.runId}=${labelValue(spec.runId)}`,
      `${LABELS.task}=${labelValue(spec.rendered.task.id)}`,
      `${LABELS.tryNumber}=${spec.tryNumber}`,
    ].join(',');
    let pods: V1Pod[];
    try {
      pods = (
        await withRetry(
          () => this.k8s.core.listNamespacedPod({ namespace: this.namespace, labelSelector: selector }),
          5,
          250,
          this.k8s.refresh,
        )
      ).items;
    } catch (e) {
      return fail(`Could not look for the pods of ${spec.rendered.task.id} try ${spec.tryNumber}: ${messageOf(e)}`);
    }
    if (pods.length === 0) return ok(undefined);
    const newest = [...pods]
      .sort(
        (a, b) =>
          new Date(a.metadata?.creationTimestamp ?? 0).getTime() -
            new Date(b.metadata?.creationTimestamp ?? 0).getTime() ||
          Number(a.metadata?.name === recordedId) - Number(b.metadata?.name === recordedId),
      )
      .at(-1)!;
    for (const p of pods) {
      const name = p.metadata?.name;
      if (!name || p === newest) continue;
      const remove = this.dag.kubernetes.deletePods !== 'never';
      spec.note?.(
        `Pod ${name} duplicates ${newest.metadata?.name} for ${spec.rendered.task.id} try ${spec.tryNumber}: following the newest; ${remove ? 'removed' : 'kept (delete_pods: never)'} ${name}.`,
      );
      if (remove) await deletePod(this.k8s, this.namespace, name, 0).catch(() => false);
    }
    return ok(this.attempt(newest.metadata!.name!, spec, true));
  }

  async collect(runIds: ReadonlySet<string>, keep: ReadonlySet<string> = new Set()): Promise<Errorable<number>> {
    const wanted = new Set([...runIds].map(labelValue));
    let pods: V1Pod[];
    try {
      pods = (
        await withRetry(() =>
          this.k8s.core.listNamespacedPod({
            namespace: this.namespace,
            labelSelector: `${LABELS.managedBy}=${MANAGED_BY}`,
          }),
        )
      ).items;
    } catch (e) {
      return fail(`Could not list this tool's pods in ${this.namespace}: ${messageOf(e)}`);
    }
    let removed = 0;
    for (const p of pods) {
      const l = p.metadata?.labels ?? {};
      if (!wanted.has(l[LABELS.runId] ?? '') || keep.has(attemptKey(l[LABELS.task] ?? '', l[LABELS.tryNumber] ?? '')))
        continue;
      if (await deletePod(this.k8s, this.namespace, p.metadata!.name!, 0)) removed++;
    }
    return ok(removed);
  }

  private attempt(name: string, spec: AttemptSpec, reattached: boolean): PodAttempt {
    return new PodAttempt(
      this.k8s,
      this.namespace,
      name,
      spec,
      this.dag.kubernetes.startupTimeoutMs,
      this.dag.kubernetes.deletePods,
      reattached,
    );
  }
}

/** Deletes a pod; gone already (404) counts as done (L2). Returns whether it deleted something. */
async function deletePod(cluster: Cluster, namespace: string, name: string, graceSeconds: number): Promise<boolean> {
  try {
    await withRetry(
      () => cluster.core.deleteNamespacedPod({ name, namespace, gracePeriodSeconds: graceSeconds }),
      5,
      250,
      cluster.refresh,
    );
    return true;
  } catch (e) {
    if (codeOf(e) === 404 || codeOf(e) === 409) return false;
    throw e;
  }
}

/**
 * One attempt as a pod: its status from a watch (re-established whenever it ends, never a fixed
 * poll), its log followed once the container has started and resumed after a drop, read once more
 * after it ends.
 */
class PodAttempt implements AttemptHandle {
  readonly logs = new AsyncQueue<LogLine>();
  private digest: string | undefined;
  private readonly stop = new AbortController();
  private exit: ((e: AttemptExit) => void) | undefined;
  private readonly exited: Promise<AttemptExit>;
  private terminal: AttemptExit | undefined;
  private terminalSeen!: () => void;
  private readonly terminalKnown = new Promise<void>((r) => (this.terminalSeen = r));
  private following = false;
  private logsDone: Promise<void> = Promise.resolve();
  private lastReason: string | undefined;
  private startupTimer: LongTimer | undefined;
  private started = false;
  private deleted = false;
  /** Credentials are read again at most once per attempt (L7). */
  private refreshed = false;

  constructor(
    private readonly cluster: Cluster,
    private readonly namespace: string,
    readonly id: string,
    private readonly spec: AttemptSpec,
    startupTimeoutMs: number,
    private readonly deletePolicy: 'always' | 'on_success' | 'never',
    reattached: boolean,
  ) {
    this.exited = new Promise((r) => (this.exit = r));
    // A reattached pod that is still pending gets a full startup timeout from now.
    void reattached;
    this.startupTimer = setLongTimeout(() => void this.startupTimedOut(startupTimeoutMs), startupTimeoutMs);
    void this.watchLoop();
  }

  private note(message: string): void {
    this.spec.note?.(this.spec.mask(message));
  }

  private async watchLoop(): Promise<void> {
    let backoff = 500;
    while (!this.stop.signal.aborted && !this.terminal) {
      let rv: string | undefined;
      try {
        const pod = await this.cluster.core.readNamespacedPod({ name: this.id, namespace: this.namespace });
        rv = pod.metadata?.resourceVersion;
        this.onPod(pod);
        backoff = 500;
      } catch (e) {
        if (codeOf(e) === 404) {
          this.onDeleted();
          return;
        }
        if (codeOf(e) === 401 && this.cluster.refresh && !this.refreshed) {
          this.refreshed = true;
          this.cluster.refresh();
          continue;
        }
        // The API server is unreachable or failing: try again with backoff, the pod keeps running.
        this.note(`Kubernetes API error while watching ${this.id}: ${messageOf(e)}; retrying`);
        await sleep(backoff);
        backoff = Math.min(10_000, backoff * 2);
        continue;
      }
      if (this.terminal || this.stop.signal.aborted) return;
      await new Promise<void>((resolve) => {
        const watch = new Watch(this.cluster.kc);
        watch
          .watch(
            `/api/v1/namespaces/${this.namespace}/pods`,
            { fieldSelector: `metadata.name=${this.id}`, resourceVersion: rv, allowWatchBookmarks: true },
            (type: string, obj: V1Pod) => {
              if (type === 'DELETED') this.onDeleted();
              else if (type === 'ADDED' || type === 'MODIFIED') this.onPod(obj);
            },
            () => resolve(),
          )
          .then(
            (ac) => {
              if (this.stop.signal.aborted || this.terminal) ac.abort();
              else this.stop.signal.addEventListener('abort', () => ac.abort(), { once: true });
              // Terminal state reached: the watch has done its job.
              void this.terminalKnown.then(() => ac.abort());
            },
            () => resolve(),
          );
      });
    }
  }

  /** The image as the node resolved it (`imageID`), once the container has started. */
  get imageDigest(): string | undefined {
    return this.digest;
  }

  private onPod(pod: V1Pod): void {
    if (this.terminal) return;
    const imageId = pod.status?.containerStatuses?.[0]?.imageID;
    if (imageId) this.digest = imageId.replace(/^docker-pullable:\/\/|^docker:\/\//, '');
    const v = podVerdict(pod);
    if (containerStarted(pod) && !this.following) {
      this.started = true;
      this.startupTimer?.clear();
      this.following = true;
      this.logsDone = this.followLogs();
    }
    switch (v.kind) {
      case 'pending':
        if (v.reason && v.reason !== this.lastReason) {
          this.lastReason = v.reason;
          this.note(`${this.id} pending: ${v.reason}`);
        }
        return;
      case 'running':
        return;
      case 'fail-fast':
        void this.failWithEvents(v.reason);
        return;
      case 'done':
        this.finish({ exitCode: v.exitCode, ...(v.reason ? { reason: v.reason } : {}) });
        return;
    }
  }

  private onDeleted(): void {
    if (!this.terminal) this.finish({ exitCode: -1, reason: 'pod deleted' });
  }

  private finish(exit: AttemptExit): void {
    if (this.terminal) return;
    this.terminal = exit;
    this.startupTimer?.clear();
    this.terminalSeen();
    if (!this.following) this.logs.end();
    void this.logsDone.then(() => this.exit?.(exit));
  }

  private async startupTimedOut(ms: number): Promise<void> {
    if (this.started || this.terminal) return;
    await this.failWithEvents(
      `the pod did not start within the startup timeout (${Math.round(ms / 1000)}s)${this.lastReason ? `: ${this.lastReason}` : ''}`,
    );
  }

  /** Fails the attempt with the cluster's reason and the pod's warning events, then removes the pod so it cannot start unobserved later. */
  private async failWithEvents(reason: string): Promise<void> {
    if (this.terminal) return;
    let events = '';
    try {
      const list = await this.cluster.core.listNamespacedEvent({
        namespace: this.namespace,
        fieldSelector: `involvedObject.name=${this.id}`,
      });
      events = summarizeEvents(list.items);
    } catch {
      // Events are help, not required.
    }
    this.finish({ exitCode: -1, reason: this.spec.mask(`${reason}${events ? ` — events: ${events}` : ''}`) });
    if (!this.started) await deletePod(this.cluster, this.namespace, this.id, 0).catch(() => false);
  }

  private async followLogs(): Promise<void> {
    const cursor = new LogCursor();
    const read = async (follow: boolean) => {
      const lines = new LineAssembler((raw) => {
        const { take, text } = cursor.accept(raw);
        if (take) this.logs.push({ stream: 'stdout', line: this.spec.mask(text) });
      });
      const since = cursor.since();
      await readPodLog(
        this.cluster.kc,
        this.namespace,
        this.id,
        { follow, ...(since ? { sinceTime: since } : {}) },
        (c) => lines.push(c),
        this.stop.signal,
      );
      // A follow that ends may have been cut mid-line: that piece comes again, whole, in the next
      // read. Only the last read's unterminated line is the container's own last line.
      if (!follow) lines.end();
      cursor.resume();
    };
    try {
      while (!this.terminal && !this.stop.signal.aborted) {
        await read(true);
        // A follow ends when the container does, or when the connection drops (rotation, idle
        // timeouts): wait for the watch to say which, then resume or finish.
        await Promise.race([this.terminalKnown, sleep(1000)]);
      }
      // After the end, read once more so the tail is never lost.
      if (!this.stop.signal.aborted && !this.deleted) await read(false);
    } finally {
      this.logs.end();
    }
  }

  wait(): Promise<AttemptExit> {
    return this.exited;
  }

  async kill(graceMs: number): Promise<void> {
    this.deleted = true;
    await deletePod(this.cluster, this.namespace, this.id, Math.max(0, Math.ceil(graceMs / 1000)));
  }

  async cleanup(keep: boolean): Promise<void> {
    this.stop.abort();
    this.startupTimer?.clear();
    const failed = !this.terminal || this.terminal.exitCode !== 0;
    const remove = !keep && (this.deletePolicy === 'always' || (this.deletePolicy === 'on_success' && !failed));
    if (remove) await deletePod(this.cluster, this.namespace, this.id, 0).catch(() => false);
    else if (!this.deleted)
      this.note(
        `Kept pod ${this.id} for inspection: kubectl describe pod ${this.id} -n ${this.namespace}; kubectl logs ${this.id} -n ${this.namespace}`,
      );
  }
}

/** Warning events first, newest last, as one line: `Failed: … (x3); BackOff: …`. */
export function summarizeEvents(events: readonly CoreV1Event[]): string {
  return [...events]
    .sort(
      (a, b) =>
        Number(a.type === 'Warning') - Number(b.type === 'Warning') ||
        String(a.lastTimestamp ?? '').localeCompare(String(b.lastTimestamp ?? '')),
    )
    .filter((e) => e.type === 'Warning')
    .slice(-4)
    .map((e) => `${e.reason}: ${e.message ?? ''}${(e.count ?? 1) > 1 ? ` (x${e.count})` : ''}`)
    .join('; ');
}
