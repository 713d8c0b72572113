import { Watch, type CoreV1Event, type V1Pod } from '@kubernetes/client-node';
import { AsyncQueue } from '../asyncQueue';
import type { AttemptExit, AttemptHandle, AttemptSpec, LogLine, OutputFile } from '../backend';
import { MAX_OUTPUT_BYTES } from '../outputs';
import { setLongTimeout, type LongTimer } from '../longTimer';
import { deletePod, messageOf, statusOf } from './apiErrors';
import type { Cluster } from './connect';
import { followPodLog } from './podLogFollow';
import { containerStarted, podVerdict } from './podStatus';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The termination message as an output file: the kubelet cuts a longer one at the limit. */
function outputOf(message: string | undefined): OutputFile {
  if (!message) return { kind: 'missing' };
  const bytes = Buffer.byteLength(message);
  return bytes >= MAX_OUTPUT_BYTES ? { kind: 'too-large', bytes } : { kind: 'text', text: message };
}

/**
 * One attempt as a pod: its status from a watch (re-established whenever it ends, never a fixed
 * poll), its log followed once the container has started and resumed after a drop, read once more
 * after it ends.
 */
export class PodAttempt implements AttemptHandle {
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
  /** Credentials are read again at most once per attempt. */
  private refreshed = false;

  constructor(
    private readonly cluster: Cluster,
    private readonly namespace: string,
    readonly id: string,
    private readonly spec: AttemptSpec,
    startupTimeoutMs: number,
    private readonly deletePolicy: 'always' | 'on_success' | 'never',
  ) {
    this.exited = new Promise((r) => (this.exit = r));
    // A pod followed again after a crash and still pending gets a full startup timeout from now.
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
        if (statusOf(e) === 404) {
          this.onDeleted();
          return;
        }
        if (statusOf(e) === 401 && this.cluster.refresh && !this.refreshed) {
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
      let onStop: (() => void) | undefined;
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
              else {
                onStop = () => ac.abort();
                this.stop.signal.addEventListener('abort', onStop, { once: true });
              }
              // Terminal state reached: the watch has done its job.
              void this.terminalKnown.then(() => ac.abort());
            },
            () => resolve(),
          );
      });
      // The watch is re-established whenever it ends: each takes its listener away.
      if (onStop) this.stop.signal.removeEventListener('abort', onStop);
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
      this.spec.pending?.(undefined);
      this.startupTimer?.clear();
      this.following = true;
      this.logsDone = this.followLogs();
    }
    switch (v.kind) {
      case 'pending':
        if (!this.started) this.spec.pending?.(v.reason ?? '');
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
        this.finish({
          exitCode: v.exitCode,
          ...(v.neverStarted && !this.started ? { neverStarted: true } : {}),
          ...(v.reason ? { reason: v.reason } : {}),
          ...(v.exitCode === 0 && this.spec.rendered.task.outputs.length ? { output: outputOf(v.message) } : {}),
        });
        return;
    }
  }

  private onDeleted(): void {
    this.deleted = true;
    if (!this.terminal)
      this.finish({ exitCode: -1, reason: 'pod deleted', ...(this.started ? {} : { neverStarted: true }) });
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
    this.finish({
      exitCode: -1,
      reason: this.spec.mask(`${reason}${events ? ` — events: ${events}` : ''}`),
      ...(this.started ? {} : { neverStarted: true }),
    });
    if (!this.started) {
      // Removed so it cannot start unobserved later; then it is not "kept for inspection" either.
      this.deleted = true;
      await deletePod(this.cluster, this.namespace, this.id, 0).catch(() => false);
    }
  }

  private async followLogs(): Promise<void> {
    try {
      await followPodLog(
        {
          cluster: this.cluster,
          namespace: this.namespace,
          name: this.id,
          container: 'task',
          mask: this.spec.mask,
          signal: this.stop.signal,
          ended: () => !!this.terminal,
          endedKnown: this.terminalKnown,
          deleted: () => this.deleted,
        },
        (l) => this.logs.push(l),
      );
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
