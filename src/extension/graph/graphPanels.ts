import * as vscode from 'vscode';
import type { DagGraph } from '../../dag/graph';
import type { GraphPageState, HostToPage } from '../../protocol/graphMessages';
import type { DagLanguage } from '../language/dagLanguage';
import { graphHtml } from './graphHtml';
import { parsePageMessage } from './guards';
import type { GraphAnswer } from '../../language/requests';

export const GRAPH_VIEW_TYPE = 'containerDags.graph';

interface PanelEntry {
  panel: vscode.WebviewPanel;
  uri: vscode.Uri;
  lastGood?: DagGraph;
  timer?: NodeJS.Timeout;
}

/** One "DAG Graph" panel per DAG file; follows the document as it changes and the cursor as it moves. */
export class GraphPanels implements vscode.Disposable, vscode.WebviewPanelSerializer<GraphPageState> {
  private readonly panels = new Map<string, PanelEntry>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly lang: DagLanguage,
    private readonly log: (message: string) => void,
  ) {
    this.disposables.push(
      vscode.workspace.onDidChangeTextDocument((e) => this.scheduleUpdate(e.document)),
      vscode.window.onDidChangeTextEditorSelection((e) => this.highlight(e.textEditor)),
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
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
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
    const entry: PanelEntry = { panel, uri };
    this.panels.set(uri.toString(), entry);
    const script = panel.webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview.js'));
    panel.webview.html = graphHtml({
      scriptUri: script.toString(),
      cspSource: panel.webview.cspSource,
      title: panel.title,
    });
    panel.webview.onDidReceiveMessage((raw: unknown) => void this.onMessage(entry, raw));
    panel.onDidDispose(() => {
      clearTimeout(entry.timer);
      this.panels.delete(uri.toString());
    });
  }

  private async onMessage(entry: PanelEntry, raw: unknown): Promise<void> {
    const doc = await vscode.workspace.openTextDocument(entry.uri);
    const info = await this.lang.ask(doc, { op: 'graph' });
    const msg = parsePageMessage(raw, new Set(info.tasks.map((t) => t.id)));
    if (!msg) {
      this.log(`Graph page sent a message that was dropped: ${JSON.stringify(raw)?.slice(0, 200)}`);
      return;
    }
    switch (msg.type) {
      case 'ready':
        this.post(entry, this.message(entry, info));
        void this.highlightFor(
          entry,
          vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === entry.uri.toString()),
        );
        return;
      case 'reveal': {
        const task = info.tasks.find((t) => t.id === msg.taskId);
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
    if (info.graph) {
      entry.lastGood = info.graph;
      return { type: 'graph', uri: entry.uri.toString(), graph: info.graph };
    }
    const graph = entry.lastGood ?? { dag: '', nodes: [], edges: [] };
    return { type: 'graph', uri: entry.uri.toString(), graph, error: info.error ?? 'The file has errors.' };
  }

  private scheduleUpdate(doc: vscode.TextDocument): void {
    const entry = this.panels.get(doc.uri.toString());
    if (!entry) return;
    clearTimeout(entry.timer);
    entry.timer = setTimeout(() => {
      void this.lang.ask(doc, { op: 'graph' }).then((info) => this.post(entry, this.message(entry, info)));
    }, 200);
  }

  private highlight(editor: vscode.TextEditor): void {
    const entry = this.panels.get(editor.document.uri.toString());
    if (entry) void this.highlightFor(entry, editor);
  }

  private async highlightFor(entry: PanelEntry, editor: vscode.TextEditor | undefined): Promise<void> {
    if (!editor) return;
    const offset = this.lang.positionsOf(editor.document).offset(editor.selection.active);
    const { tasks } = await this.lang.ask(editor.document, { op: 'graph' });
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
