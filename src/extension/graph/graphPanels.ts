import { GRAPH_VIEW_TYPE, graphColumn } from './graphColumn';
import type { GraphDirection } from '../../protocol/graphMessages';
import * as vscode from 'vscode';
import { parseInstanceId } from '../../dag/instanceIds';
import type { DagGraph } from '../../dag/graph';
import type { GraphPageState, HostToPage } from '../../protocol/graphMessages';
import { serviceViews, taskViews } from '../../graph/taskViews';
import type { RunRecord } from '../../protocol/runRecord';
import type { DagLanguage } from '../language/dagLanguage';
import { graphHtml } from './graphHtml';
import { parsePageMessage } from './guards';
import { ImageWatch } from './imageWatch';
import type { ImageStatus } from '../../runner/docker/imageStatus';
import type { GraphAnswer } from '../../language/requests';

export { GRAPH_VIEW_TYPE } from './graphColumn';

interface PanelEntry {
  panel: vscode.WebviewPanel;
  uri: vscode.Uri;
  images?: ImageWatch;
  lastGood?: DagGraph;
  timer?: NodeJS.Timeout;
  direction: GraphDirection;
  /** Whether the file as it is now parses without errors: Run is offered only then. */
  valid?: boolean;
}

/** What the graph needs from runs: their records as they change, and a way to start one. */
export interface GraphRuns {
  readonly onDidChangeRun: vscode.Event<RunRecord>;
  latestRunOf(file: string): RunRecord | undefined;
  run(
    uri: vscode.Uri,
    date: string,
    what: { task?: string; downstream?: boolean; backend?: 'docker' | 'kubernetes' },
  ): Promise<void>;
  /** Where runs go unless the toolbar says otherwise. */
  backend(): 'docker' | 'kubernetes';
  /** The graph's direction from the settings, until the page's toggle changes it. */
  direction(): GraphDirection;
  showLog(uri: vscode.Uri, taskId: string): Promise<void>;
  /** A service's log in the newest run of the file. */
  showServiceLog(uri: vscode.Uri, service: string): Promise<void>;
  /** Which tasks' images the next run of the file would build; undefined when it builds none. */
  imageStatus(uri: vscode.Uri): Promise<ImageStatus | undefined>;
  /** The graph of an Airflow DAG file, through the import (read-only: it cannot run). */
  previewPython(doc: vscode.TextDocument): Promise<GraphAnswer>;
}

function isPython(uri: vscode.Uri): boolean {
  return uri.path.endsWith('.py');
}

/** A run record as the page shows it: per task, the state of its latest attempt. */
export function statesMessage(r: RunRecord | undefined): HostToPage {
  if (!r) return { type: 'states', runId: null, label: '', tasks: {} };
  const label = `${r.logical_date.slice(0, 10)} · ${r.interrupted ? 'interrupted' : r.state} · ${r.backend}`;
  return { type: 'states', runId: r.run_id, label, tasks: taskViews(r), services: serviceViews(r) };
}

/** One "DAG Graph" panel per DAG file; follows the document as it changes and the cursor as it moves. */
export class GraphPanels implements vscode.Disposable, vscode.WebviewPanelSerializer<GraphPageState> {
  private readonly panels = new Map<string, PanelEntry>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly lang: DagLanguage,
    private readonly log: (message: string) => void,
    private readonly runs: GraphRuns,
  ) {
    this.disposables.push(
      vscode.workspace.onDidChangeTextDocument((e) => this.scheduleUpdate(e.document)),
      vscode.window.onDidChangeTextEditorSelection((e) => this.highlight(e.textEditor)),
      runs.onDidChangeRun((r) => {
        const entry = r.file ? this.panels.get(vscode.Uri.file(r.file).toString()) : undefined;
        if (entry) this.post(entry, statesMessage(r));
        // A run that built images changes what is stale.
        if (entry && r.ended_at) entry.images?.refresh();
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => {
        for (const e of this.panels.values()) void this.sendToolbar(e);
      }),
    );
  }

  async show(uri: vscode.Uri): Promise<void> {
    const existing = this.panels.get(uri.toString());
    if (existing) {
      existing.panel.reveal(vscode.ViewColumn.Beside, true);
      return;
    }
    const panel = vscode.window.createWebviewPanel(
      GRAPH_VIEW_TYPE,
      `Graph: ${uri.path.split('/').pop()}`,
      // Beside the DAG file; in the group of the graphs already open, not one group more each time.
      { viewColumn: graphColumn() ?? vscode.ViewColumn.Beside, preserveFocus: true },
      this.webviewOptions(),
    );
    await this.attach(panel, uri);
  }

  /** Restores panels after a reload (the page saved its document's URI in its state). */
  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: GraphPageState | undefined): Promise<void> {
    if (!state || typeof state.uri !== 'string') {
      panel.dispose();
      return;
    }
    panel.webview.options = this.webviewOptions();
    await this.attach(panel, vscode.Uri.parse(state.uri));
  }

  private webviewOptions(): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return {
      enableScripts: true,
      enableCommandUris: false,
      retainContextWhenHidden: true,
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist')],
    };
  }

  private async attach(panel: vscode.WebviewPanel, uri: vscode.Uri): Promise<void> {
    const entry: PanelEntry = { panel, uri, direction: this.runs.direction() };
    this.panels.set(uri.toString(), entry);
    const dist = (name: string) => panel.webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', name));
    panel.webview.html = graphHtml({
      scriptUri: dist('webview.js').toString(),
      workerUri: dist('graphWorker.js').toString(),
      cspSource: panel.webview.cspSource,
      title: panel.title,
    });
    panel.webview.onDidReceiveMessage((raw: unknown) => void this.onMessage(entry, raw));
    entry.images = new ImageWatch(
      () => this.runs.imageStatus(uri),
      (stale) => this.post(entry, { type: 'images', stale: [...stale] }),
    );
    panel.onDidDispose(() => {
      entry.images?.dispose();
      clearTimeout(entry.timer);
      this.panels.delete(uri.toString());
    });
  }

  /** The graph answer for a document: a DAG file's own, or an Airflow file's through the import. */
  private graphOf(doc: vscode.TextDocument): Promise<GraphAnswer> {
    return isPython(doc.uri) ? this.runs.previewPython(doc) : this.lang.ask(doc, { op: 'graph' });
  }

  private async onMessage(entry: PanelEntry, raw: unknown): Promise<void> {
    const doc = await vscode.workspace.openTextDocument(entry.uri);
    const info = await this.graphOf(doc);
    const msg = parsePageMessage(
      raw,
      new Set(info.tasks.map((t) => t.id)),
      new Set(info.graph?.nodes.filter((n) => n.mapped).map((n) => n.id)),
      new Set(info.graph?.groups?.map((g) => g.id)),
      new Set(info.graph?.services?.map((s) => s.id)),
    );
    if (!msg) {
      this.log(`Graph page sent a message that was dropped: ${JSON.stringify(raw)?.slice(0, 200)}`);
      return;
    }
    switch (msg.type) {
      case 'ready':
        entry.images?.refresh(0);
        entry.valid = !!info.graph || isPython(entry.uri);
        await this.sendToolbar(entry, info.defaultDate);
        this.post(entry, this.message(entry, info));
        this.post(entry, statesMessage(this.runs.latestRunOf(entry.uri.fsPath)));
        void this.highlightFor(
          entry,
          vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === entry.uri.toString()),
        );
        return;
      case 'run':
      case 'runTask':
      case 'rerunFrom':
        await this.runs.run(entry.uri, msg.date, {
          backend: msg.backend,
          ...(msg.type !== 'run' ? { task: msg.taskId } : {}),
          downstream: msg.type === 'rerunFrom',
        });
        return;
      case 'showLog':
        await this.runs.showLog(entry.uri, msg.taskId);
        return;
      case 'showServiceLog':
        await this.runs.showServiceLog(entry.uri, msg.service);
        return;
      case 'direction':
        entry.direction = msg.direction;
        return;
      case 'showHistory':
        await vscode.commands.executeCommand('containerDags.showHistory', entry.uri);
        return;
      case 'reveal': {
        // A folded group reveals its first task; an instance its task.
        const id = info.tasks.some((t) => t.id === msg.taskId)
          ? msg.taskId
          : (parseInstanceId(msg.taskId)?.task ??
            info.graph?.nodes.find((n) => n.group === msg.taskId || n.group?.startsWith(`${msg.taskId}.`))?.id);
        const task = info.tasks.find((t) => t.id === id);
        if (!task) return;
        const editor = await vscode.window.showTextDocument(doc, {
          viewColumn: vscode.ViewColumn.One,
          preserveFocus: false,
        });
        const range = this.lang.positionsOf(doc).range(task.keyRange);
        editor.selection = new vscode.Selection(range.start, range.end);
        editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
        return;
      }
    }
  }

  /** The message for the document now: its graph, or the last good one with its first error. */
  private message(entry: PanelEntry, info: GraphAnswer): HostToPage {
    const valid = !!info.graph;
    if (entry.valid !== undefined && entry.valid !== valid) {
      entry.valid = valid;
      void this.sendToolbar(entry, info.defaultDate);
    }
    entry.valid = valid;
    if (info.graph) {
      entry.lastGood = info.graph;
      return { type: 'graph', uri: entry.uri.toString(), graph: info.graph };
    }
    const graph = entry.lastGood ?? { dag: '', nodes: [], edges: [] };
    return { type: 'graph', uri: entry.uri.toString(), graph, error: info.error ?? 'The file has errors.' };
  }

  private async sendToolbar(entry: PanelEntry, defaultDate?: string): Promise<void> {
    const date =
      defaultDate ??
      (await vscode.workspace.openTextDocument(entry.uri).then((d) => this.graphOf(d))).defaultDate ??
      new Date().toISOString().slice(0, 10);
    this.post(entry, {
      type: 'toolbar',
      toolbar: {
        date,
        backend: this.runs.backend(),
        backends: ['docker', 'kubernetes'],
        // An Airflow file is previewed, not run: open it as a DAG file to run it.
        canRun: vscode.workspace.isTrusted && !isPython(entry.uri) && entry.valid !== false,
        ...(isPython(entry.uri)
          ? { runBlockedReason: 'A preview of an Airflow DAG: open it as a Container DAG (command) to run it' }
          : entry.valid === false
            ? { runBlockedReason: 'The file has errors (see Problems): fix them to run it' }
            : {}),
        direction: entry.direction,
      },
    });
  }

  /** Colours the file's graph, when open, with a run chosen elsewhere (the History's column). */
  showRun(uri: vscode.Uri, r: RunRecord): void {
    const entry = this.panels.get(uri.toString());
    if (entry) this.post(entry, statesMessage(r));
  }

  private scheduleUpdate(doc: vscode.TextDocument): void {
    const entry = this.panels.get(doc.uri.toString());
    if (!entry) return;
    clearTimeout(entry.timer);
    entry.timer = setTimeout(() => {
      void this.graphOf(doc).then((info) => this.post(entry, this.message(entry, info)));
    }, 200);
    entry.images?.refresh();
  }

  private highlight(editor: vscode.TextEditor): void {
    const entry = this.panels.get(editor.document.uri.toString());
    if (entry) void this.highlightFor(entry, editor);
  }

  private async highlightFor(entry: PanelEntry, editor: vscode.TextEditor | undefined): Promise<void> {
    if (!editor) return;
    const offset = this.lang.positionsOf(editor.document).offset(editor.selection.active);
    const { tasks } = await this.graphOf(editor.document);
    const hit = tasks.find((t) => offset >= t.range.start && offset <= t.range.end);
    this.post(entry, { type: 'highlight', taskId: hit?.id ?? null });
  }

  private post(entry: PanelEntry, msg: HostToPage | undefined): void {
    if (msg) void entry.panel.webview.postMessage(msg);
  }

  dispose(): void {
    for (const e of this.panels.values()) e.panel.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
