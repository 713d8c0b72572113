import { graphColumn } from '../graph/graphColumn';
import { focusLine } from '../../runner/attemptLog';
import { countsLabel, runCounts } from '../../runner/runCounts';
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { analyzeDag } from '../../dag/analyze';
import { isDagFileError, readDagFile } from '../../dag/dagFile';
import type { Dag } from '../../dag/model';
import type { DataInterval } from '../../dag/schedule';
import type { RunEvent } from '../../protocol/runEvents';
import type { BackendKind, RunRecord } from '../../protocol/runRecord';
import { collectorFor } from '../../runner/backendConnection';
import type { RunEngine } from '../../runner/engine';
import { RunLauncher, dagFileHash, type PreparedRun, type RunPlan } from '../../runner/runLauncher';
import { RunStore } from '../../runner/runStore';
import { describeUnmaskable } from '../../runner/secretMasker';
import type { SecretSource } from '../../runner/secrets';
import type { Config } from '../config';
import type { ClusterCommands } from './clusterCommands';
import { askHostAccess, showLaunchFailure, showNotStarted } from './launchMessages';
import type { RunsTreeProvider } from './runsTree';
import { TaskLogProvider } from './taskLogs';

export interface RunRequest {
  readonly document: vscode.TextDocument;
  /** The document's DAG, already checked free of errors by the caller. */
  readonly dag: Dag;
  /** Walked more than once (consent, then the runs): an array or a re-iterable range. */
  readonly intervals: Iterable<DataInterval>;
  readonly backfill?: boolean;
  readonly only?: ReadonlySet<string>;
  readonly previous?: RunRecord;
  /** An ended run to re-run `only` in (Airflow's Clear), instead of starting a new run. */
  readonly clear?: RunRecord;
  /** Where to run; the setting when absent. */
  readonly backend?: BackendKind;
  /** Param values over the DAG's defaults (the trigger form's, as `cdag run --param`). */
  readonly params?: Readonly<Record<string, unknown>>;
  /** Tasks at once, over the DAG's and the setting's. */
  readonly maxActiveTasks?: number;
  /** Runs at once (a backfill's parallelism, `--max-runs`). */
  readonly maxRuns?: number;
  /** Aborted: no further run starts and the ones started are cancelled (a backfill's Cancel). */
  readonly signal?: AbortSignal;
  /** Told of each run's end instead of a notification per run (a backfill reports once). */
  readonly onEnded?: (r: RunRecord) => void;
}

/** Grace for stopping containers when VS Code shuts down: its own deadline, not the run's. */
const DEACTIVATE_DEADLINE_MS = 15_000;

/** How soon a window tries again to resume runs whose backend did not answer. */
const TAKEOVER_RETRY_MS = 10_000;

/** A run record names its DAG file: read it as any hostile file (never a FIFO, never over 1 MiB). */
function loadDag(file: string): { text: string; dag: Dag } | undefined {
  const read = readDagFile(file);
  if (isDagFileError(read)) return undefined;
  const a = analyzeDag(read.text, file, read.problems);
  return a.dag && !a.hasErrors ? { text: read.text, dag: a.dag } : undefined;
}

/**
 * Runs DAGs from the editor through the run launcher (the same one `cdag run` uses), and shows
 * what happens: an output channel per DAG, the DAG Runs tree, the status bar, a notification at
 * the end. It decides nothing about runs itself.
 */
export class RunController implements vscode.Disposable {
  private readonly channels = new Map<string, vscode.LogOutputChannel>();
  private readonly status = vscode.window.createStatusBarItem(
    'containerDags.runStatus',
    vscode.StatusBarAlignment.Left,
    10,
  );
  private launcherInstance: RunLauncher | undefined;
  private readonly changed = new vscode.EventEmitter<RunRecord>();
  /** A run's record changed (a task or the run changed state): the graph recolours from it. */
  readonly onDidChangeRun = this.changed.event;
  private takeover: Promise<void> | undefined;
  private readonly cancelling = new Set<string>();
  /** Where notes about runs go (the extension's log channel). */
  log: ((message: string) => void) | undefined;
  tree: RunsTreeProvider | undefined;
  clusters: ClusterCommands | undefined;
  readonly logs: TaskLogProvider;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly secrets: vscode.SecretStorage,
    private readonly config: Config,
  ) {
    this.logs = new TaskLogProvider(
      () => this.store.root,
      // A live run's record as it is now, else the stored one (run folders are named by run id).
      (dir) =>
        this.launcherInstance?.live.find((e) => basename(this.store.runDir(e.record.run_id)) === dir)?.record ??
        this.store.load(dir),
    );
    this.status.name = 'Container DAGs runs';
    this.status.command = 'containerDags.runs.focus';
  }

  /** The launcher and its run store (in the workspace's storage); made on first use. */
  get launcher(): RunLauncher {
    if (!this.launcherInstance) {
      const base = this.context.storageUri ?? this.context.globalStorageUri;
      this.launcherInstance = new RunLauncher(new RunStore(vscode.Uri.joinPath(base, 'runs').fsPath));
    }
    return this.launcherInstance;
  }

  get store(): RunStore {
    return this.launcher.store;
  }

  /**
   * Once per window, on first use: runs a previous window left unfinished (a reload or crash) go on
   * when their file is unchanged and the workspace is trusted, reattaching their containers; the
   * rest are marked interrupted and their containers removed.
   */
  takeOver(): Promise<void> {
    this.takeover ??= this.doTakeOver().catch((e: unknown) =>
      this.note(`Could not take over unfinished runs: ${(e as Error).message}`),
    );
    return this.takeover;
  }

  private async doTakeOver(): Promise<void> {
    const current = new Map<string, { text: string; dag: Dag } | undefined>();
    const load = (file: string | undefined) => {
      if (!file) return undefined;
      if (!current.has(file)) current.set(file, loadDag(file));
      return current.get(file);
    };
    const result = await this.launcher.takeOver(
      (r) => {
        if (!vscode.workspace.isTrusted) return { abandon: 'the workspace is not trusted' };
        const d = load(r.file);
        if (!d) return { abandon: `its DAG file ${r.file ?? '?'} cannot be read` };
        if (d.dag.id !== r.dag || dagFileHash(d.text) !== r.file_hash)
          return { abandon: 'its DAG file changed since it started' };
        return 'resume';
      },
      (r) =>
        collectorFor(
          r,
          { dockerHost: this.config.dockerHost(load(r.file)?.dag.docker.host), cluster: this.config.cluster() },
          process.env,
        ),
    );
    for (const a of result.abandoned) {
      a.runs.forEach((r, i) => this.note(`${r.dag} ${r.run_id}: not resumed: ${a.why[i] || '?'}`));
      if (a.note) this.note(`${a.runs.map((r) => r.run_id).join(', ')}: ${a.note}`);
    }
    let unreachable = 0;
    for (const r of result.resume) {
      const { dag, text } = load(r.file)!;
      const interval = { start: new Date(r.logical_date), end: new Date(r.data_interval_end) };
      const prepared = await this.launcher.prepare({
        ...this.where(r.backend, dag, r.file!),
        ...(r.cluster ? { cluster: { ...this.config.cluster(dag), ...r.cluster } } : {}),
        text,
        intervals: [interval],
        params: r.params,
        resuming: true,
      });
      if (!prepared.succeeded) {
        // Its backend did not answer (an API server or daemon still busy after the crash): the run
        // stays unfinished and its containers keep running; the next look at the runs tries again.
        unreachable++;
        this.note(`${r.dag} ${r.run_id}: not resumed yet: its ${r.backend} backend did not answer; trying again soon`);
        continue;
      }
      this.note(`${r.dag} ${r.run_id}: resuming on ${r.backend} after a reload`);
      void this.launch(prepared.result, { intervals: [interval], resume: [r] });
    }
    if (unreachable)
      setTimeout(() => {
        this.takeover = undefined;
        this.tree?.refresh();
      }, TAKEOVER_RETRY_MS).unref?.();
    this.tree?.refresh();
  }

  /** Live runs first (their records as they are now), then the stored ones, newest first. */
  runs(): RunRecord[] {
    void this.takeOver();
    const live = this.launcher.live.map((e) => e.record);
    const liveIds = new Set(live.map((r) => r.run_id));
    return [...live, ...this.store.list().filter((r) => !liveIds.has(r.run_id))].sort((a, b) =>
      (b.started_at ?? '').localeCompare(a.started_at ?? ''),
    );
  }

  /** Where runs go by the settings, and how many tasks of a run at once: the trigger form's defaults. */
  backend(): BackendKind {
    return this.config.backend();
  }

  maxActiveTasks(dag: Dag): number {
    return this.config.maxActiveTasks(dag);
  }

  /** Starts the runs of a request; refuses in an untrusted workspace, in code and not only in menus. */
  async run(req: RunRequest): Promise<RunRecord[] | undefined> {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showErrorMessage(
        'Running DAGs is disabled in Restricted Mode: it starts containers. Trust this workspace to run it; validation keeps working.',
      );
      return undefined;
    }
    await this.takeOver();
    const dag = req.dag;
    const backend = req.backend ?? this.config.backend();
    const prepared = await this.launcher.prepare({
      ...this.where(backend, dag, req.document.uri.fsPath),
      text: req.document.getText(),
      intervals: req.intervals,
      ...(req.only ? { only: req.only } : {}),
      ...(req.params ? { params: req.params } : {}),
      // Asked per run, never remembered, so a changed DAG cannot reuse an old yes.
      ask: (requests) => askHostAccess(dag.id, backend, requests),
    });
    if (!prepared.succeeded) {
      await showLaunchFailure(prepared.error);
      return undefined;
    }
    if (prepared.result.unmaskable.length)
      void vscode.window.showWarningMessage(describeUnmaskable(prepared.result.unmaskable));
    return this.launch(
      prepared.result,
      {
        intervals: req.intervals,
        kind: req.backfill ? 'backfill' : 'manual',
        ...(req.only ? { only: req.only } : {}),
        ...(req.previous ? { previous: req.previous } : {}),
        ...(req.clear ? { clear: req.clear } : {}),
        ...(req.params ? { params: req.params } : {}),
        ...(req.maxActiveTasks ? { maxActiveTasks: req.maxActiveTasks } : {}),
        ...(req.maxRuns ? { maxRuns: req.maxRuns } : {}),
        ...(req.signal ? { signal: req.signal } : {}),
      },
      req.onEnded,
    );
  }

  /** Where a DAG's runs go and where its secrets come from, per the settings. */
  private where(backend: BackendKind, dag: Dag, file: string) {
    const fromSecretStorage: SecretSource = (name) => Promise.resolve(this.secrets.get(`secret:${name}`));
    return {
      dag,
      file,
      backend,
      env: process.env,
      ...(this.config.dockerHost(dag.docker.host) ? { dockerHost: this.config.dockerHost(dag.docker.host) } : {}),
      cluster: this.config.cluster(dag),
      delivery: this.config.delivery(),
      secretSources: [fromSecretStorage],
      onPull: (image: string, text: string) => this.channel(dag.id).appendLine(`⤓ pulling ${image}: ${text}`),
    };
  }

  /** Runs one after another, each fanned out to the channel, the tree and the status bar. */
  private launch(p: PreparedRun, plan: RunPlan, onEnded?: (r: RunRecord) => void): Promise<RunRecord[]> {
    const channel = this.channel(p.dag.id);
    channel.show(true);
    return this.launcher.start(
      p,
      {
        ...plan,
        maxActiveTasks: plan.maxActiveTasks ?? this.config.maxActiveTasks(p.dag),
        keepFailed: this.config.keepFailedContainers(),
      },
      {
        started: (engine, resumed) => {
          engine.on((e) => this.onEvent(e, engine, channel));
          const r = engine.record;
          channel.appendLine(
            `▶ ${r.dag} ${r.logical_date.slice(0, 10)} (${r.run_id})${resumed ? ` resumed after a reload: reattaching ${resumed.reattaching} running task(s)${resumed.removed ? `, removed ${resumed.removed} leftover container(s)` : ''}` : ''}`,
          );
        },
        ended: (record) => {
          this.clusters?.runEnded(record.run_id);
          this.tree?.refresh();
          this.updateStatus();
          if (onEnded) onEnded(record);
          else void this.notifyEnd(record);
        },
        notStarted: showNotStarted,
      },
    );
  }

  private note(message: string): void {
    this.log?.(message);
  }

  storeSecret(name: string, value: string): Thenable<void> {
    return this.secrets.store(`secret:${name}`, value);
  }

  cancel(runId?: string): void {
    // Said at once: containers take up to their stop timeout to go, and the run ends only then.
    const ids = runId ? [runId] : (this.launcherInstance?.live ?? []).map((e) => e.record.run_id);
    for (const id of ids) this.cancelling.add(id);
    this.launcherInstance?.cancel(runId);
    this.tree?.refresh();
    this.updateStatus();
  }

  /** A cancel was asked for this run (it shows "cancelling…" until it ends). */
  isCancelling(runId: string): boolean {
    return this.cancelling.has(runId);
  }

  /** The DAG's output channel, where its runs and builds write. */
  outputChannel(dagId: string): vscode.OutputChannel {
    return this.channel(dagId);
  }

  /** The Docker host a DAG's builds and runs use: the DAG's, else the setting. */
  dockerHost(dag: Dag): string | undefined {
    return this.config.dockerHost(dag.docker.host);
  }

  /** A log channel per DAG: its levels colour stderr (warning) and failures (error) apart from the rest. */
  private channel(dagId: string): vscode.LogOutputChannel {
    let c = this.channels.get(dagId);
    if (!c) {
      c = vscode.window.createOutputChannel(`Container DAGs: ${dagId}`, { log: true });
      this.channels.set(dagId, c);
    }
    return c;
  }

  private onEvent(e: RunEvent, engine: RunEngine, channel: vscode.LogOutputChannel): void {
    switch (e.type) {
      case 'log':
        if (e.stream === 'stderr') channel.warn(`[${e.taskId}] ${e.line}`);
        else channel.info(`[${e.taskId}] ${e.line}`);
        this.logs.touched(
          TaskLogProvider.uri(basename(this.store.runDir(e.runId)), engine.record, e.taskId, e.tryNumber),
        );
        return;
      case 'task-state':
        if (e.state !== 'queued')
          (e.state === 'failed' || e.state === 'upstream_failed' ? channel.error : channel.info).call(
            channel,
            `● ${e.taskId} try ${e.tryNumber}: ${e.state}${e.reason ? ` — ${e.reason}` : ''}`,
          );
        break;
      case 'run-state':
        if (e.state !== 'running')
          (e.state === 'failed' ? channel.error : channel.info).call(channel, `■ ${engine.record.dag}: ${e.state}`);
        break;
      case 'note':
        channel.info(`! ${e.message}`);
        break;
      case 'service-state':
        (e.state === 'failed' ? channel.error : channel.info).call(
          channel,
          `◆ service ${e.service}: ${e.state}${e.reason ? ` — ${e.reason}` : ''}`,
        );
        break;
    }
    if (e.type === 'task-state' || e.type === 'run-state' || e.type === 'service-state')
      this.changed.fire(engine.record);
    this.tree?.refresh();
    this.updateStatus();
  }

  /** The newest run of a DAG file, live or stored. */
  latestRunOf(file: string): RunRecord | undefined {
    return this.runs().find((r) => r.file === file);
  }

  private updateStatus(): void {
    const live = (this.launcherInstance?.live ?? []).map((e) => e.record);
    if (live.length === 0) {
      this.status.hide();
      return;
    }
    const r = live[0]!;
    const c = runCounts(r);
    const verb = this.cancelling.has(r.run_id) ? ' cancelling…' : '';
    this.status.text = `$(sync~spin) ${r.dag}${verb} ${countsLabel(c)}${live.length > 1 ? ` (+${live.length - 1})` : ''}`;
    this.status.tooltip = `Container DAGs: ${live.length} run(s) in progress; ${r.dag}: ${c.succeeded} of ${c.total} tasks succeeded, ${c.ended} ended`;
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

  /**
   * Opens an attempt's log beside the editor (in the group of an open graph, so graphs and logs share
   * one), at its first error line when it failed, else at its end.
   */
  async openLog(r: RunRecord, taskId: string, tryNumber: number): Promise<void> {
    const uri = TaskLogProvider.uri(basename(this.store.runDir(r.run_id)), r, taskId, tryNumber);
    const doc = await vscode.workspace.openTextDocument(uri);
    const { header, lines, failed } = await this.logs.lines(uri);
    const at = header + focusLine(lines.slice(header), failed);
    const pos = new vscode.Position(Math.min(at, doc.lineCount - 1), 0);
    await vscode.window.showTextDocument(doc, {
      preview: true,
      viewColumn: graphColumn() ?? vscode.ViewColumn.Beside,
      selection: new vscode.Range(pos, pos),
    });
  }

  /** Stops every running container within its own deadline when VS Code shuts down. */
  shutdown(): Promise<void> {
    return this.launcherInstance?.stopAll(DEACTIVATE_DEADLINE_MS) ?? Promise.resolve();
  }

  dispose(): void {
    this.cancel();
    this.changed.dispose();
    this.status.dispose();
    for (const c of this.channels.values()) c.dispose();
  }
}
