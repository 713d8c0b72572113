import { createHash, randomBytes } from 'node:crypto';
import { basename, dirname } from 'node:path';
import * as vscode from 'vscode';
import type { Dag } from '../../dag/model';
import type { DataInterval } from '../../dag/schedule';
import type { RunEvent } from '../../protocol/runEvents';
import type { BackendKind, RunRecord } from '../../protocol/runRecord';
import { RunEngine } from '../../runner/engine';
import { makeRunId } from '../../runner/renderTask';
import { RunStore } from '../../runner/runStore';
import { describeUnmaskable, makeMasker, unmaskableSecrets } from '../../runner/secretMasker';
import { fromDotEnv, fromEnvironment, resolveSecrets, type SecretSource } from '../../runner/secrets';
import {
  describeRequests,
  first,
  hasTemplatedHostPath,
  sensitiveRequests,
  type SensitiveRequest,
} from '../../runner/consent';
import { analyzeDag } from '../../dag/analyze';
import { isDagFileError, readDagFile } from '../../dag/dagFile';
import type { Backend } from '../../runner/backend';
import { ok, type Errorable } from '../../dag/errorable';
import { labelValue } from '../../runner/labels';
import { ownerAlive } from '../../runner/owner';
import { abandonRuns, planTakeover } from '../../runner/takeover';

type Cluster = import('../../runner/kubernetes/connect').Cluster;

interface Prepared {
  readonly backend: Backend;
  readonly secretValues: Readonly<Record<string, string>>;
  readonly mask: (line: string) => string;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The DAG of a file on disk, or undefined when it is gone or no longer valid. */
/** A run record names its DAG file: read it as any hostile file (never a FIFO, never over 1 MiB). */
function loadDag(file: string): { text: string; dag: Dag } | undefined {
  const read = readDagFile(file);
  if (isDagFileError(read)) return undefined;
  const a = analyzeDag(read.text, file, read.problems);
  return a.dag && !a.hasErrors ? { text: read.text, dag: a.dag } : undefined;
}
import type { RunsTreeProvider } from './runsTree';
import { TaskLogProvider } from './taskLogs';
import { own } from '../../dag/dict';
import { isoTimestamp } from '../../dag/dates';

export interface RunRequest {
  readonly document: vscode.TextDocument;
  /** The document's DAG, already checked free of errors by the caller. */
  readonly dag: Dag;
  /** Walked more than once (consent, then the runs): an array or a re-iterable range. */
  readonly intervals: Iterable<DataInterval>;
  readonly backfill?: boolean;
  readonly only?: ReadonlySet<string>;
  readonly previous?: RunRecord;
  /** Where to run; the setting when absent. */
  readonly backend?: BackendKind;
}

/** Grace for stopping containers when VS Code shuts down: its own deadline, not the run's (L2). */
const DEACTIVATE_DEADLINE_MS = 15_000;

/**
 * Runs DAGs from the editor: one engine per run, their events fanned out to an output channel per
 * DAG, the DAG Runs tree, the status bar and a notification at the end.
 */
/** How long after a run the describe tree still follows its pods: the kubelet reports the pod's final phase late. */
const POD_SETTLE_MS = 30_000;

/** How soon a window tries again to resume runs whose backend did not answer. */
const TAKEOVER_RETRY_MS = 10_000;

export class RunController implements vscode.Disposable {
  private readonly active = new Map<string, RunEngine>();
  private readonly channels = new Map<string, vscode.OutputChannel>();
  private readonly status = vscode.window.createStatusBarItem(
    'containerDags.runStatus',
    vscode.StatusBarAlignment.Left,
    10,
  );
  private storeInstance: RunStore | undefined;
  private readonly clusters = new Map<string, Cluster>();
  private readonly backendStatus = vscode.window.createStatusBarItem(
    'containerDags.backend',
    vscode.StatusBarAlignment.Left,
    9,
  );
  private readonly changed = new vscode.EventEmitter<RunRecord>();
  /** A run's record changed (a task or the run changed state): the graph recolours from it. */
  readonly onDidChangeRun = this.changed.event;
  private takeover: Promise<void> | undefined;
  /** Watches behind the describe tree, per run, per pod; stopped a little after the run ends. */
  private readonly podWatches = new Map<string, Map<string, () => void>>();
  /** Runs that ended less than POD_SETTLE_MS ago. */
  private readonly settling = new Set<string>();
  /** Where notes about runs go (the extension's log channel). */
  log: ((message: string) => void) | undefined;
  tree: RunsTreeProvider | undefined;
  readonly logs: TaskLogProvider;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly secrets: vscode.SecretStorage,
  ) {
    this.logs = new TaskLogProvider(() => this.store.root);
    this.status.name = 'Container DAGs runs';
    this.backendStatus.name = 'Container DAGs backend';
    this.backendStatus.command = 'containerDags.chooseBackend';
    this.status.command = 'workbench.view.explorer';
  }

  /** The run store lives in the workspace's storage; made on first use. */
  get store(): RunStore {
    if (!this.storeInstance) {
      const base = this.context.storageUri ?? this.context.globalStorageUri;
      this.storeInstance = new RunStore(vscode.Uri.joinPath(base, 'runs').fsPath);
    }
    return this.storeInstance;
  }

  /**
   * Once per window, on first use: runs a previous window left unfinished (a reload or crash) go on
   * when their file is unchanged and the workspace is trusted, reattaching their containers; the
   * rest are marked interrupted and their containers removed (L3).
   */
  takeOver(): Promise<void> {
    this.takeover ??= this.doTakeOver().catch((e: unknown) =>
      this.note(`Could not take over unfinished runs: ${(e as Error).message}`),
    );
    return this.takeover;
  }

  private async doTakeOver(): Promise<void> {
    const unfinished = this.store.unfinished((r) => this.active.has(r.run_id) || ownerAlive(r.owner));
    if (unfinished.length === 0) return;
    const current = new Map<string, { text: string; dag: Dag } | undefined>();
    const load = (file: string | undefined) => {
      if (!file) return undefined;
      if (!current.has(file)) current.set(file, loadDag(file));
      return current.get(file);
    };
    const why = new Map<string, string>();
    const plan = planTakeover(unfinished, (r) => {
      if (!vscode.workspace.isTrusted) return !why.set(r.run_id, 'the workspace is not trusted');
      const d = load(r.file);
      if (!d) return !why.set(r.run_id, `its DAG file ${r.file ?? '?'} cannot be read`);
      if (d.dag.id !== r.dag || sha256(d.text) !== r.file_hash)
        return !why.set(r.run_id, 'its DAG file changed since it started');
      return true;
    });
    for (const r of plan.abandon) this.note(`${r.dag} ${r.run_id}: not resumed: ${why.get(r.run_id) ?? '?'}`);
    const { connectDocker, collectLeftovers } = await import('../../runner/docker/runtime');
    for (const r of plan.abandon) {
      // Another window is taking this run over right now: it is theirs.
      if (this.store.lockHeld(r)) continue;
      const dag = load(r.file)?.dag;
      if (r.backend === 'kubernetes') {
        await abandonRuns(this.store, [r], { collect: (ids) => this.collectPods(r, ids) });
        continue;
      }
      const docker = await connectDocker(this.dockerHost(dag?.docker.host));
      const note = await abandonRuns(
        this.store,
        [r],
        docker.succeeded ? { collect: (ids) => collectLeftovers(docker.result, ids) } : undefined,
      );
      if (note) this.note(`${r.dag} ${r.run_id}: ${note}`);
    }
    let unreachable = 0;
    for (const r of plan.resume) {
      const { dag } = load(r.file)!;
      const prepared = await this.prepare(r.backend, dag, r.file!, undefined, [], r.cluster);
      if (!prepared) {
        // Its backend did not answer (an API server or daemon still busy after the crash): the run
        // stays unfinished and its containers keep running; the next look at the runs tries again.
        unreachable++;
        this.note(`${r.dag} ${r.run_id}: not resumed yet: its ${r.backend} backend did not answer; trying again soon`);
        continue;
      }
      this.note(`${r.dag} ${r.run_id}: resuming on ${r.backend} after a reload`);
      const interval = { start: new Date(r.logical_date), end: new Date(r.data_interval_end) };
      void this.execute(dag, r.file!, r.file_hash!, interval, prepared, { resume: r, params: r.params });
    }
    if (unreachable)
      setTimeout(() => {
        this.takeover = undefined;
        this.tree?.refresh();
      }, TAKEOVER_RETRY_MS).unref?.();
    this.tree?.refresh();
  }

  runs(): RunRecord[] {
    void this.takeOver();
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
    await this.takeOver();
    const dag = req.dag;
    // M1: asked per run, never remembered, so a changed DAG cannot reuse an old yes.
    const kind = req.backend ?? this.configuredBackend();
    const sensitive = sensitiveRequests(
      dag,
      kind,
      { intervals: hasTemplatedHostPath(dag) ? req.intervals : first(req.intervals), env: process.env },
      req.only,
    );
    if (sensitive.length) {
      const allow = 'Allow for This Run';
      const choice = await vscode.window.showWarningMessage(
        `${dag.id} asks for access to the ${kind === 'docker' ? 'host' : 'node'}. ${describeRequests(sensitive)} Allow it for this run only?`,
        { modal: true },
        allow,
      );
      if (choice !== allow) return undefined;
    }
    const prepared = await this.prepare(kind, dag, req.document.uri.fsPath, req.only, sensitive);
    if (!prepared) return undefined;
    const fileHash = sha256(req.document.getText());
    const unmaskable = unmaskableSecrets(prepared.secretValues);
    if (unmaskable.length) void vscode.window.showWarningMessage(describeUnmaskable(unmaskable));
    const records: RunRecord[] = [];
    for (const interval of req.intervals) {
      const record = await this.execute(dag, req.document.uri.fsPath, fileHash, interval, prepared, {
        kind: req.backfill ? 'backfill' : 'manual',
        ...(req.only ? { only: req.only } : {}),
        ...(req.previous ? { previous: req.previous } : {}),
      });
      if (record) records.push(record);
    }
    return records;
  }

  /** Secrets and a backend for runs of one DAG; a failure is shown and gives undefined. */
  private async prepare(
    kind: BackendKind,
    dag: Dag,
    file: string,
    only: ReadonlySet<string> | undefined,
    consented: readonly SensitiveRequest[] = [],
    /** A resumed run goes back to the context and namespace it ran on. */
    where?: { context: string; namespace: string },
  ): Promise<Prepared | undefined> {
    const allowedHostPaths = new Set(consented.filter((c) => c.kind === 'host-path').map((c) => c.subject));
    if (kind === 'kubernetes') {
      // client-node loads here, on the first Kubernetes run (dist/kubernetes-runtime.js).
      const k8s = await import('../../runner/kubernetes/runtime');
      const cluster = await k8s.connectKubernetes({ ...this.clusterChoice(dag), ...(where ?? {}) });
      if (!cluster.succeeded) {
        void vscode.window.showErrorMessage(cluster.error);
        return undefined;
      }
      this.clusters.set(cluster.result.context, cluster.result);
      const backend = new k8s.KubernetesBackend(cluster.result, dag, {
        allowedHostPaths,
        allowHostNetwork: consented.some((c) => c.kind === 'host-network'),
        allowPrivileged: consented.some((c) => c.kind === 'privileged'),
      });
      const values = await k8s.clusterSecretValues(cluster.result, backend.namespace, dag, only);
      if (!values.succeeded) {
        void vscode.window.showErrorMessage(values.error);
        return undefined;
      }
      return { backend, secretValues: values.result, mask: makeMasker(Object.values(values.result)) };
    }
    const { DockerBackend, connectDocker } = await import('../../runner/docker/runtime');
    const fromSecretStorage: SecretSource = (name) => Promise.resolve(this.secrets.get(`secret:${name}`));
    const values = await resolveSecrets(
      dag,
      [fromSecretStorage, fromEnvironment(process.env), fromDotEnv(dirname(file))],
      only,
    );
    if (!values.succeeded) {
      const choice = await vscode.window.showErrorMessage(values.error, 'Set Secret');
      if (choice) await vscode.commands.executeCommand('containerDags.setSecret');
      return undefined;
    }
    const docker = await connectDocker(this.dockerHost(dag.docker.host));
    if (!docker.succeeded) {
      void vscode.window.showErrorMessage(docker.error);
      return undefined;
    }
    const backend = new DockerBackend(docker.result, dag, {
      allowedHostPaths,
      allowHostNetwork: consented.some((c) => c.kind === 'host-network'),
      onPull: (image, text) => this.channel(dag.id).appendLine(`⤓ pulling ${image}: ${text}`),
    });
    return { backend, secretValues: values.result, mask: makeMasker(Object.values(values.result)) };
  }

  /** The user's (or a trusted workspace's) choice of where runs go: `containerDags.backend`. */
  configuredBackend(): BackendKind {
    return this.setting('backend') === 'kubernetes' ? 'kubernetes' : 'docker';
  }

  /** A setting's value; from an untrusted workspace only the user's own (W4). */
  private setting(key: string): string | undefined {
    const i = vscode.workspace.getConfiguration('containerDags').inspect<string>(key);
    const v = vscode.workspace.isTrusted
      ? (i?.workspaceFolderValue ?? i?.workspaceValue ?? i?.globalValue)
      : i?.globalValue;
    return v || undefined;
  }

  private clusterChoice(dag?: Dag): { kubeconfig?: string; context?: string; namespace?: string } {
    const kubeconfig = this.setting('kubernetes.kubeconfig');
    const context = dag?.kubernetes.context ?? this.setting('kubernetes.context');
    const namespace = dag?.kubernetes.namespace ?? this.setting('kubernetes.namespace');
    return {
      ...(kubeconfig ? { kubeconfig } : {}),
      ...(context ? { context } : {}),
      ...(namespace ? { namespace } : {}),
    };
  }

  /** "⎈ context/namespace" while runs go to Kubernetes; a click picks Docker or another context. */
  updateBackendStatus(): void {
    if (this.configuredBackend() !== 'kubernetes') {
      this.backendStatus.hide();
      return;
    }
    const c = this.clusterChoice();
    this.backendStatus.text = `⎈ ${c.context ?? 'current context'}/${c.namespace ?? 'default'}`;
    this.backendStatus.tooltip = 'Container DAGs run as pods on this Kubernetes context. Click to choose.';
    this.backendStatus.show();
  }

  /** Docker, or one of the kubeconfig's contexts, as the user's setting. */
  async chooseBackend(): Promise<void> {
    const k8s = await import('../../runner/kubernetes/runtime');
    const contexts = await k8s.listContexts(this.setting('kubernetes.kubeconfig'));
    type Pick = vscode.QuickPickItem & { backend: BackendKind; context?: string };
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
    ];
    const picked = await vscode.window.showQuickPick(items, {
      placeHolder: contexts.succeeded ? 'Where should DAGs run?' : `Docker (${contexts.error})`,
    });
    if (!picked) return;
    const config = vscode.workspace.getConfiguration('containerDags');
    await config.update('backend', picked.backend, vscode.ConfigurationTarget.Global);
    if (picked.context) await config.update('kubernetes.context', picked.context, vscode.ConfigurationTarget.Global);
    this.updateBackendStatus();
  }

  /** Removes the pods of runs whose runner died, on the context and namespace they ran on. */
  private async collectPods(r: RunRecord, runIds: ReadonlySet<string>): Promise<Errorable<number>> {
    const k8s = await import('../../runner/kubernetes/runtime');
    const cluster = await k8s.connectKubernetes({ ...this.clusterChoice(), ...(r.cluster ?? {}) });
    if (!cluster.succeeded) return cluster;
    const pods = await k8s.listOwnedPods(cluster.result, cluster.result.namespace);
    if (!pods.succeeded) return pods;
    const ids = new Set([...runIds].map(labelValue));
    const names = pods.result.filter((p) => ids.has(p.runId)).map((p) => p.name);
    return ok(await k8s.removePods(cluster.result, cluster.result.namespace, names));
  }

  /** Lists this tool's pods in the chosen namespace that no live run watches, and removes the ones picked. */
  async cleanUpPods(): Promise<void> {
    const k8s = await import('../../runner/kubernetes/runtime');
    const cluster = await k8s.connectKubernetes(this.clusterChoice());
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
    const live = new Set(
      this.store
        .list()
        .filter(
          (r) => this.active.has(r.run_id) || ((r.state === 'running' || r.state === 'queued') && ownerAlive(r.owner)),
        )
        .map((r) => labelValue(r.run_id)),
    );
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
        description: `${p.phase} · ${p.dag}.${p.task} try ${p.tryNumber}`,
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
    const attempt = own(record.tasks, taskId)?.attempts.at(-1);
    if (!attempt?.container_id || !record.cluster) return 'No pod recorded for this task.';
    const k8s = await import('../../runner/kubernetes/runtime');
    let cluster = this.clusters.get(record.cluster.context);
    if (!cluster) {
      const c = await k8s.connectKubernetes({ ...this.clusterChoice(), context: record.cluster.context });
      if (!c.succeeded) return c.error;
      cluster = c.result;
      this.clusters.set(record.cluster.context, cluster);
    }
    // While its run goes on (and a little after: the pod's phase trails its container's exit), the
    // description follows the pod and its events as they change.
    if (this.active.has(record.run_id) || this.settling.has(record.run_id)) {
      const watches = this.podWatches.get(record.run_id) ?? new Map<string, () => void>();
      this.podWatches.set(record.run_id, watches);
      if (!watches.has(attempt.container_id)) {
        this.note(`following pod ${attempt.container_id} for the describe tree`);
        watches.set(
          attempt.container_id,
          k8s.watchPodChanges(cluster, record.cluster.namespace, attempt.container_id, () => this.tree?.refresh()),
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

  /** One run, new or resumed, with its events fanned out to the channel, tree and status bar. */
  private async execute(
    dag: Dag,
    file: string,
    fileHash: string,
    interval: DataInterval,
    p: Prepared,
    how: ExecuteHow,
  ): Promise<RunRecord | undefined> {
    const channel = this.channel(dag.id);
    channel.show(true);
    const runId = how.resume?.run_id ?? makeRunId(how.kind ?? 'manual', interval.start, randomBytes(3).toString('hex'));
    // One run per DAG and logical date at a time, across windows and with the CLI on this machine.
    const lock = this.store.lock(dag.id, isoTimestamp(interval.start), runId, file);
    if (!lock.acquired) {
      const day = isoTimestamp(interval.start).slice(0, 10);
      void vscode.window.showErrorMessage(
        'holder' in lock
          ? `${dag.id} ${day} was not started: run ${lock.holder.run_id} of this DAG and date is live (process ${lock.holder.pid}). Wait for it, or cancel it.`
          : `${dag.id} ${day} was not started: the run store cannot be locked (${lock.error.code ?? lock.error.message}).`,
      );
      return undefined;
    }
    try {
      const engine = new RunEngine({
        dag,
        runId,
        interval,
        backend: p.backend,
        sink: this.store.sink(runId),
        env: process.env,
        secretValues: p.secretValues,
        mask: p.mask,
        maxActiveTasks:
          dag.maxActiveTasks ?? vscode.workspace.getConfiguration('containerDags').get<number>('maxActiveTasks', 4),
        ...(how.only ? { only: how.only } : {}),
        ...(how.previous ? { previous: how.previous } : {}),
        ...(how.resume ? { resume: how.resume } : {}),
        ...(how.params ? { params: how.params } : {}),
        file,
        fileHash,
        keepFailed: vscode.workspace.getConfiguration('containerDags').get<boolean>('keepFailedContainers', false),
      });
      this.active.set(runId, engine);
      engine.on((e) => this.onEvent(e, dag.id, channel));
      if (how.resume) {
        const live = engine.liveAttempts;
        const removed = await p.backend.collect(new Set([runId]), live);
        channel.appendLine(
          `▶ ${dag.id} ${interval.start.toISOString().slice(0, 10)} (${runId}) resumed after a reload: reattaching ${live.size} running task(s)${removed.succeeded && removed.result ? `, removed ${removed.result} leftover container(s)` : ''}`,
        );
      } else {
        channel.appendLine(`▶ ${dag.id} ${interval.start.toISOString().slice(0, 10)} (${runId})`);
      }
      const record = await engine.start();
      this.active.delete(runId);
      this.settling.add(runId);
      setTimeout(() => {
        this.settling.delete(runId);
        this.stopPodWatches(runId);
      }, POD_SETTLE_MS).unref?.();
      this.tree?.refresh();
      this.updateStatus();
      void this.notifyEnd(record);
      return record;
    } finally {
      lock.release();
    }
  }

  /**
   * The Docker host: the DAG's, else the user's setting. A workspace value is ignored unless the
   * workspace is trusted (W4: where containers run is decided by the user, not by a cloned repo).
   */
  private dockerHost(fromDag: string | undefined): string | undefined {
    if (fromDag) return fromDag;
    const i = vscode.workspace.getConfiguration('containerDags').inspect<string>('docker.host');
    const value = vscode.workspace.isTrusted
      ? (i?.workspaceFolderValue ?? i?.workspaceValue ?? i?.globalValue)
      : i?.globalValue;
    return value || undefined;
  }

  private stopPodWatches(runId?: string): void {
    for (const [id, watches] of this.podWatches) {
      if (runId && id !== runId) continue;
      for (const stop of watches.values()) stop();
      this.podWatches.delete(id);
    }
  }

  private note(message: string): void {
    this.log?.(message);
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
    const record = this.active.get(e.runId)?.record;
    if (record && (e.type === 'task-state' || e.type === 'run-state')) this.changed.fire(record);
    this.tree?.refresh();
    this.updateStatus();
  }

  /** The newest run of a DAG file, live or stored. */
  latestRunOf(file: string): RunRecord | undefined {
    return this.runs().find((r) => r.file === file);
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
    this.stopPodWatches();
    this.changed.dispose();
    this.status.dispose();
    this.backendStatus.dispose();
    for (const c of this.channels.values()) c.dispose();
  }
}

/** What kind of run `execute` starts: new (manual, backfill, a re-run of some tasks) or resumed. */
interface ExecuteHow {
  kind?: 'manual' | 'backfill';
  only?: ReadonlySet<string>;
  previous?: RunRecord;
  resume?: RunRecord;
  params?: Record<string, unknown>;
}
