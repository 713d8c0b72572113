import * as vscode from 'vscode';

/** The graph panels' webview type (what VS Code restores them by). */
export const GRAPH_VIEW_TYPE = 'containerDags.graph';

/**
 * The editor group a graph is open in: other graphs and task logs open there too, so the DAG file
 * keeps its own group and one group beside it holds what is looked at.
 */
export function graphColumn(): vscode.ViewColumn | undefined {
  for (const g of vscode.window.tabGroups.all)
    for (const t of g.tabs)
      if (t.input instanceof vscode.TabInputWebview && t.input.viewType.includes(GRAPH_VIEW_TYPE)) return g.viewColumn;
  return undefined;
}
