import * as vscode from 'vscode';
import { toGraph, type DagGraph } from '../../dag/graph';
import type { GraphPageState, HostToPage } from '../../protocol/graphMessages';
import type { AnalysisCache } from '../language/analysisCache';
import { graphHtml } from './graphHtml';
import { parsePageMessage } from './guards';

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
    private readonly cache: AnalysisCache,
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
    const { analysis, positions } = this.cache.get(doc);
    const known = new Set(analysis.symbols?.tasks.keys() ?? []);
    const msg = parsePageMessage(raw, known);
    if (!msg) {
      this.log(`Graph page sent a message that was dropped: ${JSON.stringify(raw)?.slice(0, 200)}`);
      return;
    }
    switch (msg.type) {
      case 'ready':
        this.post(entry, this.update(entry, doc));
        this.highlightFor(
          entry,
          vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === entry.uri.toString()),
        );
        return;
      case 'reveal': {
        const decl = analysis.symbols?.tasks.get(msg.taskId);
        if (!decl) return;
        const editor = await vscode.window.showTextDocument(doc, {
          viewColumn: vscode.ViewColumn.One,
          preserveFocus: false,
        });
        const range = positions.range(decl.keyRange);
        editor.selection = new vscode.Selection(range.start, range.end);
        editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
        return;
      }
    }
  }

  /** The message for the document now: its graph, or the last good one with its first error. */
  private update(entry: PanelEntry, doc: vscode.TextDocument): HostToPage | undefined {
    const { analysis } = this.cache.get(doc);
    if (!analysis.hasErrors && analysis.dag) {
      entry.lastGood = toGraph(analysis.dag);
      return { type: 'graph', uri: entry.uri.toString(), graph: entry.lastGood };
    }
    const first = analysis.problems.find((p) => p.severity === 'error');
    const graph = entry.lastGood ?? { dag: analysis.dag?.id ?? '', nodes: [], edges: [] };
    return { type: 'graph', uri: entry.uri.toString(), graph, error: first?.message ?? 'The file has errors.' };
  }

  private scheduleUpdate(doc: vscode.TextDocument): void {
    const entry = this.panels.get(doc.uri.toString());
    if (!entry) return;
    clearTimeout(entry.timer);
    entry.timer = setTimeout(() => this.post(entry, this.update(entry, doc)), 200);
  }

  private highlight(editor: vscode.TextEditor): void {
    const entry = this.panels.get(editor.document.uri.toString());
    if (entry) this.highlightFor(entry, editor);
  }

  private highlightFor(entry: PanelEntry, editor: vscode.TextEditor | undefined): void {
    if (!editor) return;
    const { analysis, positions } = this.cache.get(editor.document);
    const offset = positions.offset(editor.selection.active);
    let taskId: string | null = null;
    for (const [id, d] of analysis.symbols?.tasks ?? [])
      if (offset >= d.range.start && offset <= d.range.end) taskId = id;
    this.post(entry, { type: 'highlight', taskId });
  }

  private post(entry: PanelEntry, msg: HostToPage | undefined): void {
    if (msg) void entry.panel.webview.postMessage(msg);
  }

  dispose(): void {
    for (const e of this.panels.values()) e.panel.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
