import * as vscode from 'vscode';
import type { RunRecord } from '../../protocol/runRecord';
import { diffRuns, differenceText } from '../../runner/runDiff';
import type { RunsNode } from './runsTree';

/**
 * "Compare Runs…": two runs of one DAG side by side in what differs (params; per task state, image
 * and digest, rendered command and args, exit code, reason, outputs, a duration that changed) — what
 * `cdag diff` prints. From a run in DAG Runs, that run is the first; else both are picked.
 */
export async function compareRuns(runs: readonly RunRecord[], node?: unknown): Promise<boolean> {
  const n = node as RunsNode | undefined;
  const first = n?.kind === 'run' ? n.record : await pick(runs, 'First run to compare');
  if (!first) return false;
  const others = runs.filter((r) => r.dag === first.dag && r.run_id !== first.run_id);
  if (others.length === 0) {
    void vscode.window.showInformationMessage(`${first.dag} has no other run to compare with.`);
    return false;
  }
  const second = await pick(others, `Compare ${first.dag} ${first.logical_date.slice(0, 10)} with…`);
  if (!second) return false;
  const d = diffRuns(first, second);
  const lines = [
    `# ${first.dag}: ${first.run_id} → ${second.run_id}`,
    '',
    ...d.run.map((x) => `- ${differenceText(x)}`),
    ...(d.params.length ? ['', '## params', ...d.params.map((x) => `- ${differenceText(x)}`)] : []),
    ...d.tasks.flatMap((t) => ['', `## ${t.task}`, ...t.differences.map((x) => `- ${differenceText(x)}`)]),
    '',
    d.tasks.length || d.params.length ? `Same in both: ${d.same.join(', ') || 'none'}` : 'No task differs.',
  ];
  const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: `${lines.join('\n')}\n` });
  await vscode.window.showTextDocument(doc, { preview: true, viewColumn: vscode.ViewColumn.Beside });
  return true;
}

async function pick(runs: readonly RunRecord[], title: string): Promise<RunRecord | undefined> {
  const picked = await vscode.window.showQuickPick(
    runs.map((r) => ({
      label: `${r.dag} · ${r.logical_date.slice(0, 10)}`,
      description: `${r.interrupted ? 'interrupted' : r.state} · ${r.backend}`,
      detail: r.run_id,
      record: r,
    })),
    { title, matchOnDetail: true },
  );
  return picked?.record;
}
