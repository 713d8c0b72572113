import type { V1Pod } from '@kubernetes/client-node';
import type { Dag } from '../../dag/model';
import { LABELS, MANAGED_BY, keyOfLabels, labelValue } from '../../dag/labels';
import { fail, ok, type Errorable } from '../../util/errorable';
import { AsyncQueue } from '../asyncQueue';
import type { LogLine, ServiceBackend, ServiceHandle, ServiceSpec } from '../backend';
import { deletePod, isGone, messageOf, statusOf, withRetry } from './apiErrors';
import type { Cluster } from './connect';
import { summarizeEvents } from './podAttempt';
import { followPodLog } from './podLogFollow';
import { containerStarted, podVerdict } from './podStatus';
import { watchPodChanges } from './podWatch';
import { SERVICE_CONTAINER, serviceObject, servicePod } from './serviceManifests';

/**
 * Run-scoped services on a cluster, as Argo runs daemon steps: a Pod and a Service per run and
 * service, readiness from the pod's readiness probe, and the ready pod's IP given to the pods of
 * the tasks that need it under the service's name (`hostAliases`), so no cluster DNS is needed.
 */
export class KubernetesServices implements ServiceBackend {
  /** Run → service → the address tasks reach it at. */
  private readonly addresses = new Map<string, Map<string, string>>();

  constructor(
    private readonly cluster: Cluster,
    private readonly dag: Dag,
    private readonly namespace: () => string,
  ) {}

  /** Where a task of the run reaches the service, once it is ready. */
  address(runId: string, service: string): string | undefined {
    return this.addresses.get(runId)?.get(service);
  }

  async startService(spec: ServiceSpec, signal: AbortSignal): Promise<Errorable<ServiceHandle>> {
    const s = spec.service;
    const namespace = this.namespace();
    if (signal.aborted) return fail('cancelled');
    const svc = serviceObject(this.dag, s, spec.runId, namespace);
    const name = svc.metadata!.name!;
    const create = async <T>(what: string, call: () => Promise<T>): Promise<Errorable<T | undefined>> => {
      try {
        return ok(await withRetry(call, 5, 250, this.cluster.refresh));
      } catch (e) {
        // A create retried after its answer was lost, or a run resumed: the object of this run is ours.
        if (statusOf(e) === 409) return ok(undefined);
        if (statusOf(e) === 404)
          return fail(
            `Namespace "${namespace}" does not exist. Create it with "kubectl create namespace ${namespace}", or set kubernetes.namespace in the DAG.`,
          );
        return fail(`The cluster refused the ${what} of service "${s.name}": ${messageOf(e)}`);
      }
    };
    const made = await create('Service', () => this.cluster.core.createNamespacedService({ namespace, body: svc }));
    if (!made.succeeded) return made;
    const pod = await create('pod', () =>
      this.cluster.core.createNamespacedPod({ namespace, body: servicePod(this.dag, s, spec.runId, namespace) }),
    );
    const handle = new KubernetesService(this.cluster, namespace, name, spec, (ip) => {
      const run = this.addresses.get(spec.runId) ?? new Map<string, string>();
      this.addresses.set(spec.runId, run.set(s.name, ip));
    });
    if (!pod.succeeded) {
      await handle.stop();
      return pod;
    }
    return ok(handle);
  }

  async endServices(runId: string): Promise<void> {
    this.addresses.delete(runId);
    await collectRunServices(this.cluster, this.namespace(), new Set([runId])).catch(() => undefined);
  }
}

class KubernetesService implements ServiceHandle {
  readonly logs = new AsyncQueue<LogLine>();
  private readonly closed = new AbortController();
  private code: number | undefined;
  private ended!: () => void;
  private readonly endedKnown = new Promise<void>((r) => (this.ended = r));
  private following = false;
  private stopping: Promise<void> | undefined;
  private lastReason: string | undefined;

  constructor(
    private readonly cluster: Cluster,
    private readonly namespace: string,
    readonly id: string,
    private readonly spec: ServiceSpec,
    private readonly onAddress: (ip: string) => void,
  ) {
    this.follow();
  }

  exited(): number | undefined {
    return this.code;
  }

  private pod: V1Pod | undefined;
  private podError: string | undefined;
  /** The pod was deleted (by someone else, or an eviction): it has no exit code. */
  private gone = false;

  /** Wakes `ready` when the pod was read again. */
  private waiters: Array<() => void> = [];
  private stopWatch: (() => void) | undefined;
  private reading = false;
  private readAgain = false;

  /** Follows the pod by a watch (its changes and events, as the describe tree does), reading it on each. */
  private follow(): void {
    void this.read();
    this.stopWatch = watchPodChanges(this.cluster, this.namespace, this.id, () => void this.read(), 100);
  }

  /** One read at a time; a change during a read reads once more after it. */
  private async read(): Promise<void> {
    if (this.reading) {
      this.readAgain = true;
      return;
    }
    this.reading = true;
    try {
      do {
        this.readAgain = false;
        await this.readOnce();
      } while (this.readAgain && this.code === undefined && !this.closed.signal.aborted);
    } finally {
      this.reading = false;
    }
    if (this.code !== undefined || this.closed.signal.aborted) this.finishWatch();
    const waiting = this.waiters;
    this.waiters = [];
    for (const w of waiting) w();
  }

  private async readOnce(): Promise<void> {
    try {
      this.pod = await withRetry(
        () => this.cluster.core.readNamespacedPod({ name: this.id, namespace: this.namespace }),
        3,
        250,
        this.cluster.refresh,
      );
      this.podError = undefined;
    } catch (e) {
      this.podError = statusOf(e) === 404 ? 'its pod was deleted' : messageOf(e);
      if (statusOf(e) === 404) {
        this.gone = true;
        this.code = -1;
      }
      return;
    }
    const pod = this.pod;
    if (containerStarted(pod) && !this.following) {
      this.following = true;
      void followPodLog(
        {
          cluster: this.cluster,
          namespace: this.namespace,
          name: this.id,
          container: SERVICE_CONTAINER,
          mask: this.spec.mask,
          signal: this.closed.signal,
          ended: () => this.code !== undefined,
          endedKnown: this.endedKnown,
          deleted: () => this.stopping !== undefined,
        },
        (l) => this.logs.push(l),
      )
        // A log that cannot be read (credentials refused) ends the log, never the run.
        .catch(() => undefined)
        .finally(() => this.logs.end());
    }
    const v = podVerdict(pod);
    if (v.kind === 'done') this.code = v.exitCode;
    if (v.kind === 'pending' && v.reason && v.reason !== this.lastReason) {
      this.lastReason = v.reason;
      this.spec.note?.(this.spec.mask(`service ${this.spec.service.name} (pod ${this.id}) pending: ${v.reason}`));
    }
  }

  /** The container ended or the service was stopped: the watches end and so does the log. */
  private finishWatch(): void {
    this.stopWatch?.();
    this.stopWatch = undefined;
    this.ended();
    if (!this.following) this.logs.end();
  }

  /** Until the pod is read again, or `ms` at most (a deadline to check). */
  private nextRead(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  async ready(signal: AbortSignal): Promise<Errorable<void>> {
    const name = this.spec.service.name;
    const r = this.spec.service.ready;
    const until = Date.now() + (r?.timeoutMs ?? 60_000);
    for (;;) {
      if (signal.aborted) return fail('cancelled');
      const pod = this.pod;
      if (this.gone) return fail(`service "${name}": its pod ${this.id} was deleted`);
      if (this.code !== undefined) return fail(`service "${name}" exited with code ${this.code}`);
      if (pod) {
        const v = podVerdict(pod);
        if (v.kind === 'fail-fast') return fail(`service "${name}" cannot start: ${v.reason}${await this.events()}`);
        const isReady = pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
        const ip = pod.status?.podIP;
        if ((isReady || (!r && v.kind === 'running')) && ip) {
          this.onAddress(ip);
          return ok(undefined);
        }
      }
      if (Date.now() >= until) {
        const pending = pod && podVerdict(pod).kind === 'pending';
        const why = pending
          ? `its pod is still pending${this.lastReason ? `: ${this.lastReason}` : ''}`
          : r?.command
            ? `\`${r.command.join(' ')}\` did not succeed`
            : r?.tcp !== undefined
              ? `port ${r.tcp} did not accept a connection`
              : 'its container did not start';
        const api = this.podError ? `; the last look at its pod failed: ${this.podError}` : '';
        return fail(
          `service "${name}" was not ready within ${Math.round((r?.timeoutMs ?? 60_000) / 1000)}s (${why}${api})${await this.events()}. See: kubectl describe pod ${this.id} -n ${this.namespace}`,
        );
      }
      await this.nextRead(Math.max(0, Math.min(until - Date.now(), 1000)));
    }
  }

  /** The pod's warning events, for a failure's message. */
  private async events(): Promise<string> {
    try {
      const list = await this.cluster.core.listNamespacedEvent({
        namespace: this.namespace,
        fieldSelector: `involvedObject.name=${this.id}`,
      });
      const s = summarizeEvents(list.items);
      return s ? ` — events: ${this.spec.mask(s)}` : '';
    } catch {
      return '';
    }
  }

  /** Deletes the pod and its Service; every caller waits for the one removal. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      await deletePod(this.cluster, this.namespace, this.id, 0).catch(() => false);
      await deleteService(this.cluster, this.namespace, this.id).catch(() => false);
      // The log's tail is read before the follow stops (the pod is gone: nothing more will come).
      this.code ??= -1;
      this.closed.abort();
      this.finishWatch();
    })();
    return this.stopping;
  }
}

/** Deletes a Service; one already gone counts as done. Returns whether it deleted something. */
export async function deleteService(cluster: Cluster, namespace: string, name: string): Promise<boolean> {
  try {
    await withRetry(() => cluster.core.deleteNamespacedService({ name, namespace }), 5, 250, cluster.refresh);
    return true;
  } catch (e) {
    if (isGone(e)) return false;
    throw e;
  }
}

/** Removes the Service objects these runs left but those in `keep` (their pods go with the run's pods); returns how many. */
export async function collectRunServices(
  cluster: Cluster,
  namespace: string,
  runIds: ReadonlySet<string> | 'all',
  keep: ReadonlySet<string> = new Set(),
): Promise<number> {
  const wanted = runIds === 'all' ? undefined : new Set([...runIds].map(labelValue));
  const list = await withRetry(
    () => cluster.core.listNamespacedService({ namespace, labelSelector: `${LABELS.managedBy}=${MANAGED_BY}` }),
    5,
    250,
    cluster.refresh,
  );
  let removed = 0;
  for (const s of list.items) {
    const run = s.metadata?.labels?.[LABELS.runId] ?? '';
    if ((wanted && !wanted.has(run)) || keep.has(keyOfLabels(s.metadata?.labels ?? {}))) continue;
    if (await deleteService(cluster, namespace, s.metadata!.name!).catch(() => false)) removed++;
  }
  return removed;
}
