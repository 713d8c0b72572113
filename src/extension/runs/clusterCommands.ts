import * as vscode from 'vscode';
import type { BackendKind, RunRecord } from '../../protocol/runRecord';
import type { Cluster } from '../../runner/kubernetes/connect';
import { kubeconfigFiles } from '../../runner/kubernetes/kubeconfigPath';
import { liveRunLabels } from '../../runner/liveRuns';
import type { RunLauncher } from '../../runner/runLauncher';
import { own } from '../../util/dict';
import type { Config } from '../config';

type Kubernetes = typeof import('../../runner/kubernetes/kubernetesBundle');

/** How long after a run the describe tree still follows its pods: the kubelet reports the pod's final phase late. */
const POD_SETTLE_MS = 30_000;

/**
 * What the extension does with clusters besides running: choosing the backend (and its status bar
 * item), cleaning up orphaned pods, and describing a task's pod as `kubectl describe pod` does —
 * following it while its run goes on.
 */
export class ClusterCommands implements vscode.Disposable {
  private readonly status = vscode.window.createStatusBarItem(
    'containerDags.backend',
    vscode.StatusBarAlignment.Left,
    9,
  );
  private readonly clusters = new Map<string, Cluster>();
  /** Watches behind the describe tree, per run, per pod; stopped a little after the run ends. */
  private readonly podWatches = new Map<string, Map<string, () => void>>();
  /** Runs that ended less than POD_SETTLE_MS ago. */
  private readonly settling = new Set<string>();

  constructor(
    private readonly config: Config,
    private readonly launcher: () => RunLauncher,
    private readonly refresh: () => void,
    private readonly note: (message: string) => void,
  ) {
    this.status.name = 'Container DAGs backend';
    this.status.command = 'containerDags.chooseBackend';
  }

  /** client-node loads here, on first use (dist/kubernetes-runtime.js). */
  private k8s(): Promise<Kubernetes> {
    return import('../../runner/kubernetes/kubernetesBundle');
  }

  /** "⎈ context/namespace" while runs go to Kubernetes; a click picks Docker or another context. */
  updateStatus(): void {
    if (this.config.backend() !== 'kubernetes') {
      this.status.hide();
      return;
    }
    const c = this.config.cluster();
    const kubeconfig = kubeconfigFiles(c.kubeconfig, process.env);
    // No context is shown that does not exist: without a kubeconfig, say so.
    this.status.text = kubeconfig.found
      ? `⎈ ${c.context ?? 'current context'}/${c.namespace ?? 'default'}`
      : '$(warning) ⎈ no kubeconfig';
    this.status.tooltip = kubeconfig.found
      ? 'Container DAGs run as pods on this Kubernetes context. Click to choose.'
      : `Runs go to Kubernetes, but there is no kubeconfig (${kubeconfig.path}). Click to browse for one or choose Docker.`;
    this.status.show();
  }

  /** Docker, or one of the kubeconfig's contexts, as the user's setting. */
  async chooseBackend(): Promise<void> {
    const k8s = await this.k8s();
    const contexts = await k8s.listContexts(this.config.cluster().kubeconfig);
    type Pick = vscode.QuickPickItem & { backend: BackendKind | 'browse'; context?: string };
    const items: Pick[] = [
      { label: '$(vm) Docker', description: 'the local Docker Engine (or docker.host)', backend: 'docker' },
      ...(contexts.succeeded
        ? contexts.result.contexts.map((c) => ({
            label: `⎈ ${c.name}`,
            description: `${c.namespace ?? 'default'}${c.name === contexts.result.current ? ' · current' : ''}`,
            backend: 'kubernetes' as const,
            context: c.name,
          }))
        : []),
      {
        label: '$(folder-opened) Browse kubeconfig…',
        description: 'a kubeconfig file for this tool',
        backend: 'browse',
      },
    ];
    const picked = await vscode.window.showQuickPick(items, {
      placeHolder:
        contexts.succeeded && contexts.result.contexts.length
          ? 'Where should DAGs run?'
          : `Docker, or browse for a kubeconfig (${contexts.succeeded ? 'the kubeconfig has no context' : contexts.error})`,
    });
    if (!picked) return;
    if (picked.backend === 'browse') {
      if (await this.browseKubeconfig()) return this.chooseBackend();
      return;
    }
    await this.config.chooseBackend(picked.backend, picked.context);
    this.updateStatus();
  }

  /** Picks a kubeconfig file and keeps it as the user's setting; true when one was chosen. */
  async browseKubeconfig(): Promise<boolean> {
    const picked = await vscode.window.showOpenDialog({
      title: 'Choose a kubeconfig',
      canSelectFiles: true,
      canSelectFolders: false,
      canSelectMany: false,
      openLabel: 'Use this kubeconfig',
    });
    const file = picked?.[0];
    if (!file) return false;
    const k8s = await this.k8s();
    const contexts = await k8s.listContexts(file.fsPath);
    if (!contexts.succeeded || contexts.result.contexts.length === 0) {
      void vscode.window.showErrorMessage(
        contexts.succeeded ? `${file.fsPath} has no contexts; it is not a kubeconfig.` : contexts.error,
      );
      return false;
    }
    await this.config.useKubeconfig(file.fsPath);
    this.updateStatus();
    return true;
  }

  /** Lists this tool's pods in the chosen namespace that no live run watches, and removes the ones picked. */
  async cleanUpPods(): Promise<void> {
    const k8s = await this.k8s();
    const cluster = await k8s.connectKubernetes(this.config.cluster(), process.env);
    if (!cluster.succeeded) {
      void vscode.window.showErrorMessage(cluster.error);
      return;
    }
    const ns = cluster.result.namespace;
    const pods = await k8s.listOwnedPods(cluster.result, ns);
    if (!pods.succeeded) {
      void vscode.window.showErrorMessage(pods.error);
      return;
    }
    const launcher = this.launcher();
    const live = liveRunLabels([launcher.store], (r) => launcher.isLive(r));
    const orphaned = k8s.orphans(pods.result, live);
    if (orphaned.length === 0) {
      void vscode.window.showInformationMessage(
        `No orphaned pods of Container DAGs in ${ns} (${pods.result.length} in use).`,
      );
      return;
    }
    const picked = await vscode.window.showQuickPick(
      orphaned.map((p) => ({
        label: p.name,
        description: `${p.phase} · ${p.service ? `${p.dag} service ${p.service}` : `${p.dag}.${p.task} try ${p.tryNumber}`}`,
        detail: p.runId,
        picked: true,
      })),
      { canPickMany: true, placeHolder: `Orphaned pods in ${ns}: remove the selected` },
    );
    if (!picked?.length) return;
    const n = await k8s.removePods(
      cluster.result,
      ns,
      picked.map((p) => p.label),
    );
    void vscode.window.showInformationMessage(`Removed ${n} pod(s) from ${ns}.`);
  }

  /** What `kubectl describe pod` tells about a Kubernetes attempt, read now. */
  async describe(record: RunRecord, taskId: string): Promise<{ rows: Array<[string, string]>; text: string } | string> {
    // A service's pod is described like a task's (`service.NAME`, as its log is named).
    const service = /^service\.(.+)$/.exec(taskId)?.[1];
    const attempt =
      own(record.tasks, taskId)?.attempts.at(-1) ??
      (service !== undefined ? own(record.services ?? {}, service) : undefined);
    if (!attempt?.container_id || !record.cluster) return 'No pod recorded for this task.';
    const k8s = await this.k8s();
    let cluster = this.clusters.get(record.cluster.context);
    if (!cluster) {
      const c = await k8s.connectKubernetes({ ...this.config.cluster(), context: record.cluster.context }, process.env);
      if (!c.succeeded) return c.error;
      cluster = c.result;
      this.clusters.set(record.cluster.context, cluster);
    }
    // While its run goes on (and a little after: the pod's phase trails its container's exit), the
    // description follows the pod and its events as they change.
    if (this.launcher().isLive(record) || this.settling.has(record.run_id)) {
      const watches = this.podWatches.get(record.run_id) ?? new Map<string, () => void>();
      this.podWatches.set(record.run_id, watches);
      if (!watches.has(attempt.container_id)) {
        this.note(`following pod ${attempt.container_id} for the describe tree`);
        watches.set(
          attempt.container_id,
          k8s.watchPodChanges(cluster, record.cluster.namespace, attempt.container_id, () => this.refresh()),
        );
      }
    }
    const r = await k8s.inspectPod(cluster, record.cluster.namespace, attempt.container_id);
    if (!r.succeeded) return r.error;
    const d = r.result.description;
    return {
      rows: [
        ...d.fields,
        ...d.conditions.map(([k, v]): [string, string] => [`condition ${k}`, v]),
        ...d.containers.map(([k, v]): [string, string] => [`container ${k}`, v]),
        ...d.events.map(([k, v]): [string, string] => [`event ${k}`, v]),
      ].map(([k, v]) => [k, v] as [string, string]),
      text: r.result.text,
    };
  }

  /** A run ended: its pods are followed a little longer, then their watches stop. */
  runEnded(runId: string): void {
    this.settling.add(runId);
    setTimeout(() => {
      this.settling.delete(runId);
      this.stopPodWatches(runId);
    }, POD_SETTLE_MS).unref?.();
  }

  private stopPodWatches(runId?: string): void {
    for (const [id, watches] of this.podWatches) {
      if (runId && id !== runId) continue;
      for (const stop of watches.values()) stop();
      this.podWatches.delete(id);
    }
  }

  dispose(): void {
    this.stopPodWatches();
    this.status.dispose();
  }
}
