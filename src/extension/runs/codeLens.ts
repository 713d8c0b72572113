import * as vscode from 'vscode';
import type { AnalysisCache } from '../language/analysisCache';

/** "Run DAG" above the DAG and "Run task · Log" above each task. */
export class RunCodeLensProvider implements vscode.CodeLensProvider {
  constructor(private readonly cache: AnalysisCache) {}

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const { analysis, positions } = this.cache.get(doc);
    const s = analysis.symbols;
    if (!s) return [];
    const top = new vscode.Range(0, 0, 0, 0);
    const lenses = [
      new vscode.CodeLens(top, { title: '$(play) Run DAG', command: 'containerDags.runDag', arguments: [doc.uri] }),
      new vscode.CodeLens(top, {
        title: 'Run for date…',
        command: 'containerDags.runDagForDate',
        arguments: [doc.uri],
      }),
      new vscode.CodeLens(top, { title: 'Show graph', command: 'containerDags.showGraph', arguments: [doc.uri] }),
    ];
    for (const [id, decl] of s.tasks) {
      const range = positions.range(decl.keyRange);
      lenses.push(
        new vscode.CodeLens(range, { title: 'Run task', command: 'containerDags.runTask', arguments: [doc.uri, id] }),
        new vscode.CodeLens(range, { title: 'Log', command: 'containerDags.showTaskLog', arguments: [doc.uri, id] }),
      );
    }
    return lenses;
  }
}
