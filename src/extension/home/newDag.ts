import * as vscode from 'vscode';
import { dagIdFromName, starterSnippet } from './dagTemplate';

const ID = /^[A-Za-z0-9_.-]+$/;

/**
 * "New DAG File": asks a name, creates `NAME.dag.yaml` beside the active file (else in the first
 * workspace folder, else untitled) and fills it with the starter as a snippet, so the id and the
 * image are tab stops — as the GitHub Actions extension starts a workflow from a template.
 */
export async function newDagFile(): Promise<vscode.Uri | undefined> {
  const folder = targetFolder();
  const name = await vscode.window.showInputBox({
    title: 'New DAG File',
    prompt: folder
      ? `Name of the DAG (the file is NAME.dag.yaml in ${vscode.workspace.asRelativePath(folder)})`
      : 'Name of the DAG',
    value: 'my_pipeline',
    validateInput: async (v) => {
      const id = v.trim().replace(/\.dag\.ya?ml$/i, '');
      if (!id) return 'Give the DAG a name.';
      if (!ID.test(id)) return 'Letters, digits, "_", "." and "-" only (it becomes the DAG id).';
      if (folder && (await exists(vscode.Uri.joinPath(folder, `${id}.dag.yaml`))))
        return `${id}.dag.yaml already exists here.`;
      return undefined;
    },
  });
  if (name === undefined) return undefined;
  const id = dagIdFromName(name.trim());
  let doc: vscode.TextDocument;
  if (folder) {
    const uri = vscode.Uri.joinPath(folder, `${id}.dag.yaml`);
    await vscode.workspace.fs.writeFile(uri, new Uint8Array());
    doc = await vscode.workspace.openTextDocument(uri);
  } else doc = await vscode.workspace.openTextDocument({ language: 'container-dag', content: '' });
  const editor = await vscode.window.showTextDocument(doc);
  await editor.insertSnippet(new vscode.SnippetString(starterSnippet(id)), new vscode.Position(0, 0));
  if (folder) await doc.save();
  return doc.uri;
}

/** The empty file's CodeLens: fills it with the starter, its id taken from the file name. */
export async function insertTemplate(uri?: unknown): Promise<boolean> {
  const target = uri instanceof vscode.Uri ? uri : vscode.window.activeTextEditor?.document.uri;
  if (!target) return false;
  const doc = await vscode.workspace.openTextDocument(target);
  const editor = await vscode.window.showTextDocument(doc);
  const base = target.path.split('/').pop() ?? 'my_dag';
  await editor.insertSnippet(
    new vscode.SnippetString(starterSnippet(dagIdFromName(base))),
    new vscode.Range(0, 0, doc.lineCount, 0),
  );
  return true;
}

function targetFolder(): vscode.Uri | undefined {
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active?.scheme === 'file') {
    const ws = vscode.workspace.getWorkspaceFolder(active);
    if (ws) return vscode.Uri.joinPath(active, '..');
  }
  return vscode.workspace.workspaceFolders?.[0]?.uri;
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}
