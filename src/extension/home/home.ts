import * as vscode from 'vscode';
import type { RunRecord, RunState } from '../../protocol/runRecord';
import type { ImageStatus } from '../../runner/docker/imageStatus';
import type { RunController } from '../runs/runController';
import type { RunsNode, RunsTreeProvider } from '../runs/runsTree';
import type { Config } from '../config';
import { DagsTreeProvider } from './dagsTree';
import { insertTemplate, newDagFile } from './newDag';
import { PodsTreeProvider, type PodsNode } from './podsTree';

const EXTENSION_ID = 'container-dags.container-dags';
export const WALKTHROUGH = `${EXTENSION_ID}#containerDags.start`;

type Command = (...args: unknown[]) => unknown;

const RUN_STATES: readonly RunState[] = ['running', 'queued', 'success', 'failed', 'cancelled'];

/**
 * The activity-bar home: the DAGs, DAG Runs and Pods views, "New DAG File", the walkthrough's
 * context keys, and the welcome content's probes (is there a Docker Engine, a kubeconfig).
 */
export class Home implements vscode.Disposable {
  readonly dags: DagsTreeProvider;
  readonly pods: PodsTreeProvider;
  private readonly disposables: vscode.Disposable[] = [];
  private dockerProbed = false;
  private readonly runStates = new Map<string, RunState>();

  constructor(
    private readonly runs: RunController,
    private readonly tree: RunsTreeProvider,
    config: Config,
    imageStatus: (uri: vscode.Uri) => Promise<ImageStatus | undefined>,
    private readonly probeDocker: () => Promise<boolean>,
  ) {
    this.dags = new DagsTreeProvider((file) => runs.latestRunOf(file), imageStatus);
    this.pods = new PodsTreeProvider(config, () => new Set(runs.launcher.live.map((e) => e.record.run_id)));
    const dagsView = vscode.window.createTreeView('containerDags.dags', {
      treeDataProvider: this.dags,
      showCollapseAll: true,
    });
    this.disposables.push(
      this.dags,
      this.pods,
      dagsView,
      vscode.window.registerTreeDataProvider('containerDags.pods', this.pods),
      // Each walkthrough step completes on what the user did, not on a click of the step.
      runs.onDidChangeRun((r) => this.runChanged(r)),
    );
  }

  /** The Runs view found no runs: say whether the Engine is there (welcome content), once per session. */
  noRuns(): void {
    if (this.dockerProbed) return;
    this.dockerProbed = true;
    void this.probeDocker().then((up) =>
      vscode.commands.executeCommand('setContext', 'containerDags.docker', up ? 'reachable' : 'unreachable'),
    );
  }

  private runChanged(r: RunRecord): void {
    // The DAGs view shows a run's state: it is read again when that changes, not on every task's event.
    if (this.runStates.get(r.run_id) === r.state) return;
    this.runStates.set(r.run_id, r.state);
    this.dags.refreshSoon();
    if (r.state === 'running' || r.state === 'queued') return;
    void vscode.commands.executeCommand('setContext', 'containerDags.ranDag', true);
    if (r.backend === 'kubernetes')
      void vscode.commands.executeCommand('setContext', 'containerDags.ranOnKubernetes', true);
    this.pods.refresh();
  }

  commands(): Record<string, Command> {
    return {
      'containerDags.newDag': () => newDagFile(),
      'containerDags.insertTemplate': (uri?: unknown) => insertTemplate(uri),
      'containerDags.openWalkthrough': () =>
        vscode.commands.executeCommand('workbench.action.openWalkthrough', WALKTHROUGH, false),
      'containerDags.refreshDags': () => this.dags.refresh(),
      'containerDags.refreshPods': () => this.pods.refresh(),
      'containerDags.filterRuns': () => this.filterRuns(),
      'containerDags.deleteRun': (node?: unknown) => this.deleteRun(node),
      'containerDags.deleteOldRuns': () => this.deleteOldRuns(),
      'containerDags.describeListedPod': (node?: unknown) => this.describePod(node),
      'containerDags.deletePod': (node?: unknown) => this.deletePod(node),
    };
  }

  private async filterRuns(): Promise<void> {
    const shown = this.tree.filter;
    const picked = await vscode.window.showQuickPick(
      RUN_STATES.map((s) => ({ label: s, picked: !shown || shown.has(s) })),
      { canPickMany: true, title: 'Show runs in these states' },
    );
    if (!picked) return;
    const states = new Set(picked.map((p) => p.label as RunState));
    this.tree.setFilter(states.size === RUN_STATES.length ? undefined : states);
  }

  private async deleteRun(node?: unknown): Promise<void> {
    const n = node as RunsNode | undefined;
    if (n?.kind !== 'run') return;
    const r = n.record;
    const answer = await vscode.window.showWarningMessage(
      `Delete the run of ${r.dag} for ${r.logical_date.slice(0, 10)} with its logs?`,
      { modal: true },
      'Delete',
    );
    if (answer !== 'Delete') return;
    this.report(
      this.runs.launcher.store.remove(r.run_id, (x) => this.runs.launcher.isLive(x)),
      1,
    );
  }

  /** Airflow's `db clean` for this machine's runs: finished runs before a date, or all but the newest per DAG. */
  private async deleteOldRuns(): Promise<void> {
    type Pick = vscode.QuickPickItem & { keep: (r: RunRecord, index: number) => boolean };
    const day = 86_400_000;
    const olderThan =
      (days: number) =>
      (r: RunRecord): boolean =>
        Date.parse(r.started_at ?? '') > Date.now() - days * day;
    const picked = await vscode.window.showQuickPick<Pick>(
      [
        { label: 'Older than 7 days', keep: olderThan(7) },
        { label: 'Older than 30 days', keep: olderThan(30) },
        { label: 'All but the newest 5 runs of each DAG', keep: (_r, i) => i < 5 },
        { label: 'All finished runs', keep: () => false },
      ],
      { title: 'Delete old runs (records and logs; live runs are kept)' },
    );
    if (!picked) return;
    const seen = new Map<string, number>();
    const doomed = this.runs.runs().filter((r) => {
      const i = seen.get(r.dag) ?? 0;
      seen.set(r.dag, i + 1);
      return r.state !== 'running' && r.state !== 'queued' && !picked.keep(r, i);
    });
    if (doomed.length === 0) {
      void vscode.window.showInformationMessage('No runs to delete.');
      return;
    }
    const answer = await vscode.window.showWarningMessage(
      `Delete ${doomed.length} run(s) with their logs?`,
      { modal: true },
      'Delete',
    );
    if (answer !== 'Delete') return;
    const outcomes = doomed.map((r) => this.runs.launcher.store.remove(r.run_id, (x) => this.runs.launcher.isLive(x)));
    const removed = outcomes.filter((o) => o === 'removed').length;
    this.tree.refresh();
    this.dags.refresh();
    void vscode.window.showInformationMessage(
      `Deleted ${removed} run(s)${removed < doomed.length ? `; ${doomed.length - removed} could not be deleted (live, or the folder is not writable)` : ''}.`,
    );
  }

  private report(outcome: 'removed' | 'live' | 'missing' | 'failed', n: number): void {
    this.tree.refresh();
    this.dags.refresh();
    if (outcome === 'live')
      void vscode.window.showWarningMessage('This run is still going on; cancel it before deleting it.');
    else if (outcome === 'failed')
      void vscode.window.showErrorMessage(
        `The run's folder could not be deleted (${n}): check the permissions of the runs folder.`,
      );
  }

  private async describePod(node?: unknown): Promise<void> {
    const n = node as PodsNode | undefined;
    if (n?.kind !== 'pod') return;
    const c = await this.pods.connect();
    if ('error' in c) {
      void vscode.window.showErrorMessage(c.error);
      return;
    }
    const k8s = await import('../../runner/kubernetes/kubernetesBundle');
    const r = await k8s.inspectPod(c.cluster, n.namespace, n.pod.name);
    if (!r.succeeded) {
      void vscode.window.showErrorMessage(r.error);
      return;
    }
    const doc = await vscode.workspace.openTextDocument({ content: r.result.text, language: 'yaml' });
    await vscode.window.showTextDocument(doc, { preview: true, viewColumn: vscode.ViewColumn.Beside });
  }

  private async deletePod(node?: unknown): Promise<void> {
    const n = node as PodsNode | undefined;
    if (n?.kind !== 'pod') return;
    if (n.live) {
      void vscode.window.showWarningMessage(`A live run watches ${n.pod.name}; cancel the run instead.`);
      return;
    }
    const c = await this.pods.connect();
    if ('error' in c) {
      void vscode.window.showErrorMessage(c.error);
      return;
    }
    const k8s = await import('../../runner/kubernetes/kubernetesBundle');
    const removed = await k8s.removePods(c.cluster, n.namespace, [n.pod.name]);
    if (removed === 0) void vscode.window.showErrorMessage(`${n.pod.name} could not be deleted.`);
    this.pods.refresh();
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
