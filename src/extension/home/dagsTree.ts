import { MAX_FILE_BYTES } from '../../dag/parse';
import * as vscode from 'vscode';
import { analyzeDag } from '../../dag/analyze';
import type { RunRecord } from '../../protocol/runRecord';
import type { ImageStatus } from '../../runner/docker/imageStatus';
import { duration, stateIcon } from '../runs/runStates';

/** What the DAGs view finds in the workspace: a file and what is known of it without running anything. */
export type DagsNode =
  | {
      kind: 'dag';
      uri: vscode.Uri;
      /** The DAG's id, or undefined when the file does not parse. */
      dagId?: string;
      problems: number;
      tasks: number;
      /** Task ids whose image the next run would build (a Docker look-up, when the DAG builds images). */
      stale: readonly string[];
    }
  | { kind: 'image'; uri: vscode.Uri; taskId: string };

/** Files above this many are listed by name only, so a monorepo does not stall the view. */
const MAX_FILES = 500;
const PATTERN = '**/*.dag.{yaml,yml}';
const EXCLUDE = '**/{node_modules,.git,.venv,out,dist}/**';

/**
 * "DAGs": every `*.dag.yaml` of the workspace with its last run's state, the count of its problems and
 * the task images a run would rebuild; Run and Graph inline, as the GitHub Actions view lists
 * workflows with their last run.
 */
export class DagsTreeProvider implements vscode.TreeDataProvider<DagsNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<DagsNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly watcher = vscode.workspace.createFileSystemWatcher(PATTERN);
  private readonly stale = new Map<string, readonly string[]>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly latestRunOf: (file: string) => RunRecord | undefined,
    private readonly imageStatus: (uri: vscode.Uri) => Promise<ImageStatus | undefined>,
  ) {
    const changed = () => this.refreshSoon();
    this.watcher.onDidCreate(changed);
    this.watcher.onDidDelete(changed);
    this.watcher.onDidChange(changed);
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  /** File events come in bursts (a checkout, a save with format): one refresh for them all. */
  refreshSoon(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.refresh(), 300);
  }

  async getChildren(node?: DagsNode): Promise<DagsNode[]> {
    if (node?.kind === 'dag') return node.stale.map((taskId): DagsNode => ({ kind: 'image', uri: node.uri, taskId }));
    if (node) return [];
    const files = await vscode.workspace.findFiles(PATTERN, EXCLUDE, MAX_FILES);
    files.sort((a, b) => vscode.workspace.asRelativePath(a).localeCompare(vscode.workspace.asRelativePath(b)));
    return Promise.all(files.map((uri) => this.describe(uri)));
  }

  private async describe(uri: vscode.Uri): Promise<DagsNode> {
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    const text = open ? open.getText() : await readText(uri);
    const a = analyzeDag(text ?? '', uri.fsPath);
    const dag = a.hasErrors ? undefined : a.dag;
    let stale = this.stale.get(uri.toString()) ?? [];
    if (dag && (dag.tasks.some((t) => t.build) || dag.images.size)) {
      const s = await this.imageStatus(uri).catch(() => undefined);
      stale = s?.stale ?? [];
      this.stale.set(uri.toString(), stale);
    }
    return {
      kind: 'dag',
      uri,
      ...(a.symbols?.dagId !== undefined || dag ? { dagId: dag?.id ?? a.symbols?.dagId } : {}),
      problems: a.problems.filter((p) => p.severity === 'error').length,
      tasks: a.symbols?.tasks.size ?? 0,
      stale,
    };
  }

  getTreeItem(node: DagsNode): vscode.TreeItem {
    if (node.kind === 'image') {
      const item = new vscode.TreeItem(node.taskId, vscode.TreeItemCollapsibleState.None);
      item.description = 'image out of date: the next run builds it';
      item.iconPath = new vscode.ThemeIcon('package', new vscode.ThemeColor('list.warningForeground'));
      item.contextValue = 'dag-image';
      return item;
    }
    const name = vscode.workspace.asRelativePath(node.uri);
    const item = new vscode.TreeItem(
      node.dagId ?? name,
      node.stale.length ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None,
    );
    item.resourceUri = node.uri;
    item.id = node.uri.toString();
    const last = this.latestRunOf(node.uri.fsPath);
    const parts = [
      node.problems
        ? `${node.problems} error${node.problems === 1 ? '' : 's'}`
        : `${node.tasks} task${node.tasks === 1 ? '' : 's'}`,
      last ? `last run ${last.interrupted ? 'interrupted' : last.state} ${ago(last.started_at)}` : 'never run',
      ...(node.stale.length ? [`${node.stale.length} image${node.stale.length === 1 ? '' : 's'} out of date`] : []),
    ];
    item.description = parts.join(' · ');
    item.tooltip = new vscode.MarkdownString(
      [
        `**${node.dagId ?? name}** — \`${name}\``,
        node.problems ? `${node.problems} error(s): see Problems` : `${node.tasks} task(s)`,
        last
          ? `Last run: ${last.state} on ${last.logical_date.slice(0, 10)} (${last.backend}, ${duration(last.started_at, last.ended_at)})`
          : 'Not run yet',
        ...(node.stale.length ? [`Images a run would build first: ${node.stale.join(', ')}`] : []),
      ].join('\n\n'),
    );
    item.iconPath = node.problems
      ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.errorForeground'))
      : last
        ? stateIcon(last.state)
        : new vscode.ThemeIcon('type-hierarchy');
    item.contextValue = node.problems ? 'dag-invalid' : 'dag';
    item.command = { command: 'vscode.open', title: 'Open DAG File', arguments: [node.uri] };
    return item;
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.watcher.dispose();
    this.changed.dispose();
  }
}

/** A DAG file's text, or undefined when it cannot be read or is over the size any DAG file may have (not read in). */
export async function readText(uri: vscode.Uri): Promise<string | undefined> {
  try {
    if ((await vscode.workspace.fs.stat(uri)).size > MAX_FILE_BYTES) return undefined;
    return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  } catch {
    return undefined;
  }
}

function ago(iso?: string): string {
  if (!iso) return '';
  const s = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86_400)} d ago`;
}
