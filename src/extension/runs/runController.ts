import { createHash, randomBytes } from 'node:crypto';
import { basename, dirname } from 'node:path';
import * as vscode from 'vscode';
import type { Dag } from '../../dag/model';
import type { DataInterval } from '../../dag/schedule';
import type { RunEvent } from '../../protocol/runEvents';
import type { RunRecord } from '../../protocol/runRecord';
import { RunEngine } from '../../runner/engine';
import { makeRunId } from '../../runner/renderTask';
import { RunStore } from '../../runner/runStore';
import { makeMasker } from '../../runner/secretMasker';
import { fromDotEnv, fromEnvironment, resolveSecrets, type SecretSource } from '../../runner/secrets';
import type { RunsTreeProvider } from './runsTree';
import { TaskLogProvider } from './taskLogs';

export interface RunRequest {
  readonly document: vscode.TextDocument;
  /** The document's DAG, already checked free of errors by the caller. */
  readonly dag: Dag;
  readonly intervals: readonly DataInterval[];
  readonly only?: ReadonlySet<string>;
  readonly previous?: RunRecord;
}

/** Grace for stopping containers when VS Code shuts down: its own deadline, not the run's (L2). */
const DEACTIVATE_DEADLINE_MS = 15_000;

/**
 * Runs DAGs from the editor: one engine per run, their events fanned out to an output channel per
 * DAG, the DAG Runs tree, the status bar and a notification at the end.
 */
export class RunController implements vscode.Disposable {
  private readonly active = new Map<string, RunEngine>();
  private readonly channels = new Map<string, vscode.OutputChannel>();
  private readonly status = vscode.window.createStatusBarItem(
    'containerDags.runStatus',
    vscode.StatusBarAlignment.Left,
    10,
  );
  private storeInstance: RunStore | undefined;
  tree: RunsTreeProvider | undefined;
  readonly logs: TaskLogProvider;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly secrets: vscode.SecretStorage,
  ) {
    this.logs = new TaskLogProvider(() => this.store.root);
    this.status.name = 'Container DAGs runs';
    this.status.command = 'workbench.view.explorer';
  }

  /** The run store lives in the workspace's storage; made (and stale runs marked) on first use. */
  get store(): RunStore {
    if (!this.storeInstance) {
      const base = this.context.storageUri ?? this.context.globalStorageUri;
      this.storeInstance = new RunStore(vscode.Uri.joinPath(base, 'runs').fsPath);
      this.storeInstance.markInterrupted((id) => this.active.has(id));
    }
    return this.storeInstance;
  }

  runs(): RunRecord[] {
    const live = [...this.active.values()].map((e) => e.record);
    const liveIds = new Set(live.map((r) => r.run_id));
    return [...live, ...this.store.list().filter((r) => !liveIds.has(r.run_id))].sort((a, b) =>
      (b.started_at ?? '').localeCompare(a.started_at ?? ''),
    );
  }

  /** Starts the runs of a request; refuses in an untrusted workspace, in code and not only in menus (W4). */
  async run(req: RunRequest): Promise<RunRecord[] | undefined> {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showErrorMessage(
        'Running DAGs is disabled in Restricted Mode: it starts containers. Trust this workspace to run it; validation keeps working.',
      );
      return undefined;
    }
    const text = req.document.getText();
    const dag = req.dag;
    const dir = dirname(req.document.uri.fsPath);
    const fromSecretStorage: SecretSource = (name) => Promise.resolve(this.secrets.get(`secret:${name}`));
    const values = await resolveSecrets(
      dag,
      [fromSecretStorage, fromEnvironment(process.env), fromDotEnv(dir)],
      req.only,
    );
    if (!values.succeeded) {
      const choice = await vscode.window.showErrorMessage(values.error, 'Set Secret');
      if (choice) await vscode.commands.executeCommand('containerDags.setSecret');
      return undefined;
    }
    // dockerode and the Docker backend load here, on the first run, never at activation
    // (a bundle of their own: dist/docker-runtime.js).
    const { connectDocker, DockerBackend } = await import('../../runner/docker/runtime');
    const docker = await connectDocker(dag.docker.host);
    if (!docker.succeeded) {
      void vscode.window.showErrorMessage(docker.error);
      return undefined;
    }
    const backend = new DockerBackend(docker.result, dag);
    const channel = this.channel(dag.id);
    channel.show(true);
    const mask = makeMasker(Object.values(values.result));
    const fileHash = createHash('sha256').update(text).digest('hex');
    const records: RunRecord[] = [];
    for (const interval of req.intervals) {
      const runId = makeRunId(
        req.intervals.length > 1 ? 'backfill' : 'manual',
        interval.start,
        randomBytes(3).toString('hex'),
      );
      const engine = new RunEngine({
        dag,
        runId,
        interval,
        backend,
        sink: this.store.sink(runId),
        env: process.env,
        secretValues: values.result,
        mask,
        maxActiveTasks: vscode.workspace.getConfiguration('containerDags').get<number>('maxActiveTasks', 4),
        ...(dag.maxActiveTasks ? { maxActiveTasks: dag.maxActiveTasks } : {}),
        ...(req.only ? { only: req.only } : {}),
        ...(req.previous ? { previous: req.previous } : {}),
        file: req.document.uri.fsPath,
        fileHash,
      });
      this.active.set(runId, engine);
      engine.on((e) => this.onEvent(e, dag.id, channel));
      channel.appendLine(`▶ ${dag.id} ${interval.start.toISOString().slice(0, 10)} (${runId})`);
      const record = await engine.start();
      this.active.delete(runId);
      records.push(record);
      this.tree?.refresh();
      this.updateStatus();
      void this.notifyEnd(record);
    }
    return records;
  }

  storeSecret(name: string, value: string): Thenable<void> {
    return this.secrets.store(`secret:${name}`, value);
  }

  cancel(runId?: string): void {
    for (const [id, e] of this.active) if (!runId || id === runId) e.cancel();
  }

  private channel(dagId: string): vscode.OutputChannel {
    let c = this.channels.get(dagId);
    if (!c) {
      c = vscode.window.createOutputChannel(`Container DAGs: ${dagId}`);
      this.channels.set(dagId, c);
    }
    return c;
  }

  private onEvent(e: RunEvent, dagId: string, channel: vscode.OutputChannel): void {
    switch (e.type) {
      case 'log':
        channel.appendLine(`[${e.taskId}] ${e.line}`);
        this.logs.touched(TaskLogProvider.uri(basename(this.store.runDir(e.runId)), e.taskId, e.tryNumber));
        return;
      case 'task-state':
        if (e.state !== 'queued')
          channel.appendLine(`● ${e.taskId} try ${e.tryNumber}: ${e.state}${e.reason ? ` — ${e.reason}` : ''}`);
        break;
      case 'run-state':
        if (e.state !== 'running') channel.appendLine(`■ ${dagId}: ${e.state}`);
        break;
      case 'note':
        channel.appendLine(`! ${e.message}`);
        break;
    }
    this.tree?.refresh();
    this.updateStatus();
  }

  private updateStatus(): void {
    const live = [...this.active.values()].map((e) => e.record);
    if (live.length === 0) {
      this.status.hide();
      return;
    }
    const r = live[0]!;
    const tasks = Object.values(r.tasks);
    const done = tasks.filter((t) => !['queued', 'running', 'up_for_retry'].includes(t.state)).length;
    this.status.text = `$(sync~spin) ${r.dag} ${done}/${tasks.length}${live.length > 1 ? ` (+${live.length - 1})` : ''}`;
    this.status.tooltip = `Container DAGs: ${live.length} run(s) in progress`;
    this.status.show();
  }

  private async notifyEnd(r: RunRecord): Promise<void> {
    const day = r.logical_date.slice(0, 10);
    if (r.state === 'success') {
      void vscode.window.showInformationMessage(`DAG ${r.dag} (${day}) succeeded.`);
      return;
    }
    const failed = Object.entries(r.tasks).find(([, t]) => t.state === 'failed');
    const text = `DAG ${r.dag} (${day}) ${r.state}${failed ? `: task ${failed[0]} — ${failed[1].reason ?? 'failed'}` : ''}.`;
    const choice = await vscode.window.showErrorMessage(text, ...(failed ? ['Show Log'] : []));
    if (choice && failed) {
      const a = failed[1].attempts.at(-1)!;
      await this.openLog(r, failed[0], a.try);
    }
  }

  async openLog(r: RunRecord, taskId: string, tryNumber: number): Promise<void> {
    const uri = TaskLogProvider.uri(basename(this.store.runDir(r.run_id)), taskId, tryNumber);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc, { preview: true });
  }

  /** Stops every running container within its own deadline when VS Code shuts down. */
  async shutdown(): Promise<void> {
    if (this.active.size === 0) return;
    const ends = [...this.active.values()].map((e) => {
      e.cancel();
      return new Promise<void>((res) => e.on((ev) => ev.type === 'run-state' && ev.state !== 'running' && res()));
    });
    await Promise.race([Promise.all(ends), new Promise((r) => setTimeout(r, DEACTIVATE_DEADLINE_MS))]);
  }

  dispose(): void {
    this.cancel();
    this.status.dispose();
    for (const c of this.channels.values()) c.dispose();
  }
}
