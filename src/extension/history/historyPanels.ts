import * as vscode from 'vscode';
import type { DagGraph } from '../../dag/graph';
import { historyRows, historyRun, historyRuns } from '../../graph/historyGrid';
import { HISTORY_LIMITS, type HostToHistory } from '../../protocol/historyMessages';
import type { RunRecord } from '../../protocol/runRecord';
import { graphColumn } from '../graph/graphColumn';
import { historyHtml } from './historyHtml';
import { parseHistoryMessage } from './historyGuards';

/** What the History page needs: the runs as they change, the DAG's graph, logs, and the graph panel. */
export interface HistorySources {
  readonly onDidChangeRun: vscode.Event<RunRecord>;
  runs(): readonly RunRecord[];
  /** The DAG file's graph (its last valid one); undefined when it never parsed. */
  graphOf(uri: vscode.Uri): Promise<DagGraph | undefined>;
  openLog(r: RunRecord, taskId: string, tryNumber: number): Promise<void>;
  /** Colours the file's graph panel, when open, with this run. */
  showRunInGraph(uri: vscode.Uri, r: RunRecord): void;
}

interface Panel {
  readonly panel: vscode.WebviewPanel;
  readonly uri: vscode.Uri;
  limit: number;
  /** The runs the page shows now, oldest first. */
  shown: RunRecord[];
  /** The rows the page has, as JSON: a run that adds instances sends the whole grid again. */
  rowsKey: string;
  graph?: DagGraph;
  /** Runs changed since the last update was sent, as their events carried them. */
  readonly pending: Map<string, RunRecord>;
  timer?: NodeJS.Timeout;
}

/** One "DAG History" panel per DAG file: Airflow's Grid and Gantt, live as its runs go on. */
export class HistoryPanels implements vscode.Disposable {
  private readonly panels = new Map<string, Panel>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly sources: HistorySources,
  ) {
    this.disposables.push(sources.onDidChangeRun((r) => this.runChanged(r)));
  }

  async show(uri: vscode.Uri): Promise<boolean> {
    const existing = this.panels.get(uri.toString());
    if (existing) {
      existing.panel.reveal(undefined, false);
      return true;
    }
    const panel = vscode.window.createWebviewPanel(
      'containerDags.history',
      `History: ${uri.path.split('/').pop()}`,
      { viewColumn: graphColumn() ?? vscode.ViewColumn.Beside, preserveFocus: false },
      {
        enableScripts: true,
        enableCommandUris: false,
        retainContextWhenHidden: true,
        localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist')],
      },
    );
    const entry: Panel = { panel, uri, limit: HISTORY_LIMITS[0]!, shown: [], rowsKey: '', pending: new Map() };
    this.panels.set(uri.toString(), entry);
    panel.webview.html = historyHtml({
      scriptUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'history.js')).toString(),
      cspSource: panel.webview.cspSource,
      title: panel.title,
    });
    panel.webview.onDidReceiveMessage((raw: unknown) => void this.onMessage(entry, raw));
    panel.onDidDispose(() => {
      clearTimeout(entry.timer);
      this.panels.delete(uri.toString());
    });
    return true;
  }

  private async onMessage(entry: Panel, raw: unknown): Promise<void> {
    const msg = parseHistoryMessage(raw, entry.shown);
    if (!msg) return;
    switch (msg.type) {
      case 'ready':
        await this.sendAll(entry);
        return;
      case 'limit':
        entry.limit = msg.limit;
        await this.sendAll(entry);
        return;
      case 'selectRun': {
        const r = entry.shown.find((x) => x.run_id === msg.runId);
        if (r) this.sources.showRunInGraph(entry.uri, r);
        return;
      }
      case 'showLog': {
        const r = entry.shown.find((x) => x.run_id === msg.runId);
        if (r) await this.sources.openLog(r, msg.taskId, msg.tryNumber);
        return;
      }
    }
  }

  private async sendAll(entry: Panel): Promise<void> {
    entry.graph = (await this.sources.graphOf(entry.uri)) ?? entry.graph;
    entry.shown = historyRuns(this.sources.runs(), entry.uri.fsPath, entry.limit);
    const graph = entry.graph ?? { dag: '', nodes: [], edges: [] };
    const rows = historyRows(graph, entry.shown);
    entry.rowsKey = JSON.stringify(rows);
    this.post(entry, {
      type: 'history',
      dag: graph.dag,
      rows,
      edges: graph.edges.map((e) => ({ from: e.from, to: e.to })),
      runs: entry.shown.map(historyRun),
      limit: entry.limit,
    });
  }

  /** A run of a shown file changed: its column alone, a few times a second at most; all when rows change. */
  private runChanged(r: RunRecord): void {
    const entry = r.file ? this.panels.get(vscode.Uri.file(r.file).toString()) : undefined;
    if (!entry) return;
    // The event carries the record: no reading of the runs folder while a run goes on.
    entry.pending.set(r.run_id, r);
    entry.timer ??= setTimeout(() => {
      entry.timer = undefined;
      const changed = [...entry.pending.values()];
      entry.pending.clear();
      let next = entry.shown;
      for (const latest of changed) {
        const i = next.findIndex((x) => x.run_id === latest.run_id);
        next = i >= 0 ? next.map((x, j) => (j === i ? latest : x)) : [...next, latest].slice(-entry.limit);
      }
      const added = next.some((x) => !entry.shown.some((y) => y.run_id === x.run_id));
      const rowsKey = JSON.stringify(historyRows(entry.graph ?? { dag: '', nodes: [], edges: [] }, next));
      if (added || rowsKey !== entry.rowsKey) {
        void this.sendAll(entry);
        return;
      }
      entry.shown = next;
      for (const run of changed) this.post(entry, { type: 'run', run: historyRun(run) });
    }, 150);
  }

  private post(entry: Panel, msg: HostToHistory): void {
    void entry.panel.webview.postMessage(msg);
  }

  dispose(): void {
    for (const p of this.panels.values()) p.panel.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
