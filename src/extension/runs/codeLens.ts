import { isBlank } from '../home/dagTemplate';
import * as vscode from 'vscode';
import type { DagLanguage } from '../language/dagLanguage';

/** "Run DAG" above the DAG and "Run task · Log" above each task ("· Build" when its image is built). */
export class RunCodeLensProvider implements vscode.CodeLensProvider {
  constructor(private readonly lang: DagLanguage) {}

  async provideCodeLenses(doc: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    if (isBlank(doc.getText())) {
      // Nothing to run yet: offer a start instead (the GitHub Actions extension offers starter workflows).
      const top = new vscode.Range(0, 0, 0, 0);
      return [
        new vscode.CodeLens(top, {
          title: '$(new-file) Start from a template',
          command: 'containerDags.insertTemplate',
          arguments: [doc.uri],
        }),
      ];
    }
    const positions = this.lang.positionsOf(doc);
    const { tasks, graph } = await this.lang.ask(doc, { op: 'graph' });
    const built = new Set(graph?.nodes.filter((n) => n.built).map((n) => n.id));
    const top = new vscode.Range(0, 0, 0, 0);
    const lenses = [
      new vscode.CodeLens(top, { title: '$(play) Run DAG', command: 'containerDags.runDag', arguments: [doc.uri] }),
      new vscode.CodeLens(top, {
        title: 'Run with parameters…',
        command: 'containerDags.runWithParams',
        arguments: [doc.uri],
      }),
      new vscode.CodeLens(top, {
        title: 'Run for date…',
        command: 'containerDags.runDagForDate',
        arguments: [doc.uri],
      }),
      new vscode.CodeLens(top, { title: 'Show graph', command: 'containerDags.showGraph', arguments: [doc.uri] }),
    ];
    for (const { id, keyRange } of tasks) {
      const range = positions.range(keyRange);
      lenses.push(
        new vscode.CodeLens(range, { title: 'Run task', command: 'containerDags.runTask', arguments: [doc.uri, id] }),
        new vscode.CodeLens(range, { title: 'Log', command: 'containerDags.showTaskLog', arguments: [doc.uri, id] }),
      );
      if (built.has(id))
        lenses.push(
          new vscode.CodeLens(range, {
            title: 'Build',
            command: 'containerDags.buildImages',
            arguments: [doc.uri, id],
          }),
        );
    }
    return lenses;
  }
}
