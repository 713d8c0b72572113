import * as vscode from 'vscode';
import type { OwnedPod } from '../../runner/kubernetes/ownedPods';
import { kubeconfigFiles } from '../../runner/kubernetes/kubeconfigPath';
import type { Cluster } from '../../runner/kubernetes/connect';
import type { Config } from '../config';

type Kubernetes = typeof import('../../runner/kubernetes/kubernetesBundle');

export type PodsNode =
  { kind: 'pod'; pod: OwnedPod; namespace: string; live: boolean } | { kind: 'message'; text: string; icon: string };

/** Why the view is empty, for its welcome content: `containerDags.pods` is set to it. */
type PodsState = 'no-kubeconfig' | 'unreachable' | 'listed';

/**
 * "Pods": this tool's pods on the chosen context and namespace (by the managed-by label), with the
 * run they belong to and whether a live run still watches them — the Kubernetes extension's
 * workloads list, narrowed to ours. Loaded only while the view is shown: client-node loads then.
 */
export class PodsTreeProvider implements vscode.TreeDataProvider<PodsNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<PodsNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private cluster: { key: string; cluster: Cluster } | undefined;

  constructor(
    private readonly config: Config,
    private readonly liveRunIds: () => ReadonlySet<string>,
  ) {}

  refresh(): void {
    this.changed.fire(undefined);
  }

  private k8s(): Promise<Kubernetes> {
    return import('../../runner/kubernetes/kubernetesBundle');
  }

  private async state(s: PodsState): Promise<void> {
    await vscode.commands.executeCommand('setContext', 'containerDags.pods', s);
  }

  /** The connection to the chosen context, kept while the choice stays the same. */
  async connect(): Promise<{ cluster: Cluster } | { error: string }> {
    const choice = this.config.cluster();
    const key = JSON.stringify(choice);
    if (this.cluster?.key === key) return { cluster: this.cluster.cluster };
    const k8s = await this.k8s();
    const c = await k8s.connectKubernetes(choice, process.env);
    if (!c.succeeded) return { error: c.error };
    this.cluster = { key, cluster: c.result };
    return { cluster: c.result };
  }

  async getChildren(node?: PodsNode): Promise<PodsNode[]> {
    if (node) return [];
    if (!vscode.workspace.isTrusted) return [];
    if (!kubeconfigFiles(this.config.cluster().kubeconfig, process.env).found) {
      await this.state('no-kubeconfig');
      return [];
    }
    const c = await this.connect();
    if ('error' in c) {
      this.cluster = undefined;
      await this.state('unreachable');
      return [{ kind: 'message', text: c.error, icon: 'warning' }];
    }
    const k8s = await this.k8s();
    const ns = c.cluster.namespace;
    const pods = await k8s.listOwnedPods(c.cluster, ns);
    await this.state('listed');
    if (!pods.succeeded) {
      this.cluster = undefined;
      return [{ kind: 'message', text: pods.error, icon: 'warning' }];
    }
    const live = this.liveRunIds();
    if (pods.result.length === 0)
      return [{ kind: 'message', text: `No pods of Container DAGs in ${ns}.`, icon: 'info' }];
    // Newest first, as kubectl get pods --sort-by=.metadata.creationTimestamp | tac would.
    return [...pods.result]
      .reverse()
      .map((pod): PodsNode => ({ kind: 'pod', pod, namespace: ns, live: live.has(pod.runId) }));
  }

  getTreeItem(node: PodsNode): vscode.TreeItem {
    if (node.kind === 'message') {
      const item = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
      item.iconPath = new vscode.ThemeIcon(node.icon);
      item.tooltip = node.text;
      return item;
    }
    const p = node.pod;
    const item = new vscode.TreeItem(p.name, vscode.TreeItemCollapsibleState.None);
    const what = p.service ? `${p.dag} service ${p.service}` : `${p.dag}.${p.task} try ${p.tryNumber}`;
    item.description = `${p.phase} · ${what}${node.live ? '' : ' · no live run'}`;
    item.tooltip = `${p.name}\n${node.namespace}\nrun ${p.runId}${p.createdAt ? `\ncreated ${p.createdAt}` : ''}${
      node.live ? '\nA live run watches this pod.' : '\nNo live run watches this pod: Delete removes it.'
    }`;
    item.iconPath = phaseIcon(p.phase);
    item.contextValue = node.live ? 'pod-live' : 'pod-orphan';
    item.id = `${node.namespace}/${p.name}`;
    return item;
  }

  dispose(): void {
    this.changed.dispose();
  }
}

function phaseIcon(phase: string): vscode.ThemeIcon {
  switch (phase) {
    case 'Running':
      return new vscode.ThemeIcon('vm-running', new vscode.ThemeColor('testing.iconPassed'));
    case 'Pending':
      return new vscode.ThemeIcon('clock', new vscode.ThemeColor('testing.iconQueued'));
    case 'Succeeded':
      return new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'));
    case 'Failed':
      return new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed'));
    default:
      return new vscode.ThemeIcon('vm-outline');
  }
}
