import type { V1Pod } from '@kubernetes/client-node';
import { fail, ok, type Errorable } from '../../util/errorable';
import type { Dag } from '../../dag/model';
import type { AttemptHandle, AttemptSpec, Backend } from '../backend';
import { Consent, judgeHostPath, podRiskRequest, refusal } from '../hostAccess';
import { podPatchRisks } from '../../dag/podModel';
import { LABELS, MANAGED_BY, labelValue } from '../../dag/labels';
import type { Cluster } from './connect';
import { podManifest } from './podSpec';
import { deletePod, messageOf, statusOf, withRetry } from './apiErrors';
import { collectRunPods } from './ownedPods';
import { PodAttempt } from './podAttempt';
import { KubernetesServices, collectRunServices } from './kubernetesServices';

export interface KubernetesBackendOptions {
  /** hostPath volumes the user consented to for this run. */
  readonly allowedHostPaths?: ReadonlySet<string>;
  /** The user consented to the node's network for this run (a pod patch's `hostNetwork`). */
  readonly allowHostNetwork?: boolean;
  /** The user consented to privileged containers or the node's namespaces for this run. */
  readonly allowPrivileged?: boolean;
}

/** Runs attempts as pods on the current (or chosen) context, through the Kubernetes API. */
export class KubernetesBackend implements Backend {
  readonly kind = 'kubernetes' as const;

  readonly services: KubernetesServices;

  constructor(
    private readonly k8s: Cluster,
    private readonly dag: Dag,
    private readonly options: KubernetesBackendOptions = {},
  ) {
    this.services = new KubernetesServices(k8s, dag, () => this.namespace);
  }

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
    const consent = new Consent(
      this.options.allowedHostPaths,
      this.options.allowHostNetwork,
      this.options.allowPrivileged,
    );
    for (const risk of podPatchRisks(body)) {
      // Host paths are judged below, resolved, as they will be mounted.
      const request = risk.kind === 'host-path' ? undefined : podRiskRequest(spec.rendered.task.id, risk);
      if (request && !consent.allows(request)) return fail(refusal(request));
    }
    for (const v of body.spec.volumes ?? []) {
      const hostPath = v.hostPath as { path?: string } | undefined;
      if (!hostPath?.path) continue;
      const judged = judgeHostPath('kubernetes', spec.rendered.task.id, hostPath.path);
      hostPath.path = judged.subject;
      if (judged.request && !consent.allows(judged.request)) return fail(refusal(judged.request));
    }
    // The services it needs answer under their names: no cluster DNS is needed (nor trusted).
    const aliases: Array<{ ip: string; hostnames: string[] }> = [];
    for (const service of spec.services ?? []) {
      const ip = this.services.address(spec.runId, service);
      if (!ip) return fail(`service "${service}" has no address yet; it was not started for this run`);
      aliases.push({ ip, hostnames: [service] });
    }
    if (aliases.length) body.spec.hostAliases = [...(body.spec.hostAliases ?? []), ...aliases];
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
      // A create retried after its answer was lost finds the pod it made: that one is ours.
      if (statusOf(e) === 409 && (await this.isOurs(name, body.metadata.labels ?? {})))
        return ok(this.attempt(name, spec));
      if (statusOf(e) === 409)
        return fail(
          `A pod named ${name} already exists in ${this.namespace}. Delete it with "kubectl delete pod ${name} -n ${this.namespace}".`,
        );
      if (statusOf(e) === 404)
        return fail(
          `Namespace "${this.namespace}" does not exist. Create it with "kubectl create namespace ${this.namespace}", or set kubernetes.namespace in the DAG.`,
        );
      if (statusOf(e) === 403)
        return fail(
          `Creating pods in namespace "${this.namespace}" is forbidden for context "${this.k8s.context}": ${messageOf(e)}`,
        );
      return fail(`The cluster refused the pod for "${spec.rendered.task.id}": ${messageOf(e)}`);
    }
    return ok(this.attempt(name, spec));
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
    // across a crash) means the newest is followed and the others are marked and removed.
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
    return ok(this.attempt(newest.metadata!.name!, spec));
  }

  async collect(runIds: ReadonlySet<string>, keep?: ReadonlySet<string>): Promise<Errorable<number>> {
    const pods = await collectRunPods(this.k8s, this.namespace, runIds, keep);
    if (!pods.succeeded) return pods;
    // The Services of those runs go with their pods (a runner that died left both).
    const services = await collectRunServices(this.k8s, this.namespace, runIds, keep).catch(() => 0);
    return ok(pods.result + services);
  }

  private attempt(name: string, spec: AttemptSpec): PodAttempt {
    return new PodAttempt(
      this.k8s,
      this.namespace,
      name,
      spec,
      this.dag.kubernetes.startupTimeoutMs,
      this.dag.kubernetes.deletePods,
    );
  }
}
