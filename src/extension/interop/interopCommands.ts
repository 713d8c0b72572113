import * as vscode from 'vscode';
import { answer, type GraphAnswer } from '../../language/requests';
import { analyzeDag } from '../../dag/analyze';
import type { InteropProblem } from '../../interop/airflow/importContext';
import { noteLine, type ExportNote } from '../../interop/exportNote';
import type { AnalysisCache } from '../language/analysisCache';

type Runtime = typeof import('../../interop/interopBundle');

const SEVERITY: Record<InteropProblem['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
  hint: vscode.DiagnosticSeverity.Hint,
};

/**
 * Airflow and Argo interop in the editor: open an Airflow DAG as a DAG file (what was not translated
 * shows in Problems, on its Python line), preview its graph, export a DAG file to Airflow or Argo.
 * Results open as new untitled documents, so nothing on disk is replaced.
 */
export class InteropCommands implements vscode.Disposable {
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('container-dags-airflow');
  private loaded?: Promise<Runtime>;

  constructor(
    private readonly cache: AnalysisCache,
    private readonly log: (message: string) => void,
  ) {}

  private runtime(): Promise<Runtime> {
    this.loaded ??= import('../../interop/interopBundle');
    return this.loaded;
  }

  async pickPython(arg: unknown): Promise<vscode.Uri | undefined> {
    if (arg instanceof vscode.Uri) return arg;
    const active = vscode.window.activeTextEditor?.document;
    if (active?.languageId === 'python' || active?.uri.path.endsWith('.py')) return active.uri;
    const picked = await vscode.window.showOpenDialog({
      canSelectMany: false,
      filters: { 'Airflow DAG': ['py'] },
      openLabel: 'Open as Container DAG',
    });
    return picked?.[0];
  }

  /** Imports the Python file; its problems go to Problems on the Python lines. */
  private async importDocument(doc: vscode.TextDocument) {
    const rt = await this.runtime();
    const r = await rt.importAirflowDag(doc.getText(), doc.uri.fsPath || doc.uri.path);
    if (!r.succeeded) return r;
    this.diagnostics.set(
      doc.uri,
      r.result.problems.map((p) => {
        const d = new vscode.Diagnostic(
          new vscode.Range(doc.positionAt(p.range.start), doc.positionAt(p.range.end)),
          p.message,
          SEVERITY[p.severity],
        );
        d.source = 'Container DAGs import';
        d.code = p.code;
        return d;
      }),
    );
    return r;
  }

  async importAirflow(arg: unknown): Promise<void> {
    const uri = await this.pickPython(arg);
    if (!uri) return;
    const doc = await vscode.workspace.openTextDocument(uri);
    const r = await this.importDocument(doc);
    if (!r.succeeded) {
      void vscode.window.showErrorMessage(r.error);
      return;
    }
    if (!r.result.yaml) {
      void vscode.window.showErrorMessage(
        `${uri.path.split('/').pop()}: no DAG could be imported; see Problems for the lines and why.`,
      );
      return;
    }
    const target = await this.freeUntitled(uri, `${r.result.dagId}`, '.dag.yaml');
    await this.openUntitled(target, r.result.yaml, 'container-dag');
    const name = uri.path.split('/').pop();
    const report = (await this.runtime()).formatReport(r.result.report);
    this.log(`Import of ${name}:\n${report.join('\n')}`);
    const summary = report.at(-1) ?? '';
    const errors = r.result.problems.filter((p) => p.severity === 'error').length;
    const left = r.result.problems.filter((p) => p.severity === 'warning' || p.severity === 'error').length;
    const show = 'Show Report';
    const choice = errors
      ? vscode.window.showErrorMessage(
          `The import is not complete: ${errors} error${errors === 1 ? '' : 's'} must be fixed before this DAG file can run; see Problems on ${name}. ${summary}`,
          show,
        )
      : left
        ? vscode.window.showWarningMessage(`Imported ${name}: ${summary} See Problems on ${name}.`, show)
        : vscode.window.showInformationMessage(`Imported ${name}: ${summary}`, show);
    void choice.then(async (c) => {
      if (c !== show) return;
      const doc = await vscode.workspace.openTextDocument({
        content: `What the import of ${name} carried, per task\n\n${report.join('\n')}\n`,
        language: 'plaintext',
      });
      await vscode.window.showTextDocument(doc, { preview: true, viewColumn: vscode.ViewColumn.Beside });
    });
  }

  /** The graph page's view of a Python DAG: the graph of its import, with tasks placed at their Python calls. */
  async graphOf(doc: vscode.TextDocument): Promise<GraphAnswer> {
    const r = await this.importDocument(doc);
    if (!r.succeeded) return { error: r.error, tasks: [] };
    const tasks = Object.entries(r.result.taskRanges).map(([id, range]) => ({ id, keyRange: range, range }));
    if (!r.result.yaml) return { error: r.result.problems[0]?.message ?? 'No DAG found.', tasks };
    const a = answer(analyzeDag(r.result.yaml, `${r.result.dagId}.dag.yaml`), { op: 'graph' });
    return { ...a, tasks };
  }

  async exportAirflow(): Promise<void> {
    const source = this.activeDag();
    if (!source) return;
    const pick = await vscode.window.showQuickPick(
      [
        {
          label: 'DockerOperator',
          operator: 'docker' as const,
          detail: 'Tasks run on a Docker Engine Airflow reaches.',
        },
        { label: 'KubernetesPodOperator', operator: 'kubernetes' as const, detail: 'Tasks run as pods.' },
      ],
      { placeHolder: 'Export to Airflow with which operator?' },
    );
    if (!pick) return;
    const rt = await this.runtime();
    const out = rt.exportAirflow(source.dag, pick.operator, source.doc.uri.path.split('/').pop());
    await this.openUntitled(await this.freeUntitled(source.doc.uri, source.dag.id, '.py'), out.python, 'python');
    this.showNotes(out.notes);
  }

  async exportArgo(): Promise<void> {
    const source = this.activeDag();
    if (!source) return;
    const rt = await this.runtime();
    const out = rt.exportArgo(source.dag, source.doc.uri.path.split('/').pop());
    await this.openUntitled(await this.freeUntitled(source.doc.uri, source.dag.id, '.argo.yaml'), out.yaml, 'yaml');
    this.showNotes(out.notes);
  }

  private activeDag() {
    const doc = vscode.window.activeTextEditor?.document;
    if (!doc || doc.languageId !== 'container-dag') {
      void vscode.window.showWarningMessage('Open a .dag.yaml file first.');
      return undefined;
    }
    const a = this.cache.get(doc);
    if (!a.dag || a.hasErrors) {
      void vscode.window.showErrorMessage('This DAG has errors; fix them (see Problems) before exporting it.');
      return undefined;
    }
    return { doc, dag: a.dag };
  }

  private showNotes(notes: readonly ExportNote[]): void {
    for (const n of notes) this.log(noteLine(n));
    const warnings = notes.filter((n) => n.severity === 'warning');
    if (warnings.length)
      void vscode.window.showWarningMessage(
        `Exported; ${warnings.length} thing${warnings.length === 1 ? '' : 's'} could not be said there: ${warnings
          .map(noteLine)
          .join(' · ')}`,
      );
  }

  /** An untitled document beside the source, named so that saving it replaces no existing file. */
  private async freeUntitled(beside: vscode.Uri, base: string, ext: string): Promise<vscode.Uri> {
    const dir = vscode.Uri.joinPath(beside, '..');
    for (let i = 1; ; i++) {
      const candidate = vscode.Uri.joinPath(dir, `${base}${i === 1 ? '' : `-${i}`}${ext}`);
      const exists = await vscode.workspace.fs.stat(candidate).then(
        () => true,
        () => false,
      );
      const open = vscode.workspace.textDocuments.some((d) => d.uri.path === candidate.path);
      if (!exists && !open) return candidate.with({ scheme: 'untitled' });
    }
  }

  private async openUntitled(uri: vscode.Uri, text: string, language: string): Promise<void> {
    const doc = await vscode.workspace.openTextDocument(uri);
    const edit = new vscode.WorkspaceEdit();
    edit.insert(uri, new vscode.Position(0, 0), text);
    await vscode.workspace.applyEdit(edit);
    const shown = doc.languageId === language ? doc : await vscode.languages.setTextDocumentLanguage(doc, language);
    await vscode.window.showTextDocument(shown, { preview: false });
  }

  dispose(): void {
    this.diagnostics.dispose();
  }
}
