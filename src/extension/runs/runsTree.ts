import { countsLabel, runCounts } from '../../runner/runCounts';
import * as vscode from 'vscode';
import type { RunRecord, RunState, ServiceRecord, TaskRecord } from '../../protocol/runRecord';
import { instanceId } from '../../dag/instanceIds';
import { shortValue } from '../../graph/taskViews';
import { own } from '../../util/dict';
import { duration, serviceIcon, stateIcon } from './runStates';

const detail = (label: string, v: unknown): RunsNode => ({ kind: 'detail', label, value: shortValue(v) });

/** The tree's nodes: a run, one of its tasks, or a detail line of a task's attempt. */
export type RunsNode =
  /** The runs of one DAG, newest first, as the GitHub Actions view groups runs under their workflow. */
  | { kind: 'dag'; dag: string; records: readonly RunRecord[] }
  | { kind: 'run'; record: RunRecord }
  | { kind: 'task'; record: RunRecord; taskId: string; task: TaskRecord }
  /** A run-scoped service of the run (GitHub Actions lists a job's service containers likewise). */
  | { kind: 'service'; record: RunRecord; name: string; service: ServiceRecord }
  | { kind: 'detail'; label: string; value: string }
  /** A Kubernetes attempt's pod: expands into what `kubectl describe pod` tells, read when shown. */
  | { kind: 'pod'; record: RunRecord; taskId: string; name: string };

/** The id a service's log and pod go by among a run's tasks: `service.NAME` (its log is `service.NAME/1.log`). */
export const serviceLogId = (name: string): string => `service.${name}`;

/** Reads a pod's description for the tree: rows, or a message saying why there are none. */
export type DescribePod = (record: RunRecord, taskId: string) => Promise<{ rows: Array<[string, string]> } | string>;

/** "DAG Runs": runs newest first → tasks with state, attempt and duration → the last attempt's details. */
export class RunsTreeProvider implements vscode.TreeDataProvider<RunsNode> {
  private readonly changed = new vscode.EventEmitter<RunsNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  /** The run states shown, or every state when undefined ("Filter by State…"). */
  private shown: ReadonlySet<RunState> | undefined;

  /** Whether a cancel was asked for this run and it has not ended yet: shown at once, not when the run ends. */
  isCancelling: ((runId: string) => boolean) | undefined;

  /** Told when there is no run at all, so the welcome content can say why (no Docker Engine). */
  onEmpty: (() => void) | undefined;

  constructor(
    private readonly runs: () => RunRecord[],
    private readonly describe?: DescribePod,
  ) {}

  refresh(): void {
    this.changed.fire(undefined);
  }

  get filter(): ReadonlySet<RunState> | undefined {
    return this.shown;
  }

  /** Shows only runs in these states (all when undefined or empty); the view's title tells it through a context key. */
  setFilter(states: ReadonlySet<RunState> | undefined): void {
    this.shown = states?.size ? states : undefined;
    void vscode.commands.executeCommand('setContext', 'containerDags.runsFiltered', this.shown !== undefined);
    this.refresh();
  }

  async getChildren(node?: RunsNode): Promise<RunsNode[]> {
    if (node?.kind === 'pod') {
      const d = await this.describe?.(node.record, node.taskId).catch(
        (e: unknown) => `could not describe: ${(e as Error).message}`,
      );
      if (!d) return [{ kind: 'detail', label: 'pod', value: 'no description available' }];
      if (typeof d === 'string') return [{ kind: 'detail', label: 'pod', value: d }];
      return d.rows.map(([label, value]) => ({ kind: 'detail', label, value }));
    }
    return this.children(node);
  }

  private children(node?: RunsNode): RunsNode[] {
    if (!node) {
      const all = this.runs();
      if (all.length === 0) this.onEmpty?.();
      return groupByDag(all.filter((r) => !this.shown || this.shown.has(r.state)));
    }
    if (node.kind === 'dag') return node.records.map((record) => ({ kind: 'run', record }));
    if (node.kind === 'run') {
      // Instances sit under their mapped task, as Airflow's grid lists map indexes under the task.
      const tasks = Object.entries(node.record.tasks)
        .filter(([, task]) => task.mapped_from === undefined)
        .map(([taskId, task]): RunsNode => ({ kind: 'task', record: node.record, taskId, task }));
      const services = Object.entries(node.record.services ?? {}).map(([name, service]): RunsNode => ({
        kind: 'service',
        record: node.record,
        name,
        service,
      }));
      return [...tasks, ...services];
    }
    if (node.kind === 'service') {
      const s = node.service;
      const rows: Array<[string, string | number | undefined]> = [
        ['needed by', s.tasks.join(', ')],
        [
          node.record.backend === 'kubernetes' ? 'pod' : 'container',
          s.container_id?.slice(0, node.record.backend === 'kubernetes' ? undefined : 12),
        ],
        ['ready after', s.ready_at ? duration(s.started_at, s.ready_at) : undefined],
        ['exit code', s.exit_code],
        ['reason', s.reason],
        ['duration', duration(s.started_at, s.ended_at)],
      ];
      const details = rows
        .filter(([, v]) => v !== undefined && v !== '')
        .map(([label, v]): RunsNode => ({ kind: 'detail', label, value: String(v) }));
      if (node.record.backend === 'kubernetes' && s.container_id)
        details.unshift({ kind: 'pod', record: node.record, taskId: serviceLogId(node.name), name: s.container_id });
      return details;
    }
    if (node.kind === 'task') {
      const values = [
        ...Object.entries(node.task.item ?? {}).map(([k, v]): RunsNode => detail(`item.${k}`, v)),
        ...Object.entries(node.task.outputs ?? {}).map(([k, v]): RunsNode => detail(`outputs.${k}`, v)),
      ];
      // A reason is shown whole (the tree's tooltip wraps it); values are cut to one line.
      const reason: RunsNode[] = node.task.reason ? [{ kind: 'detail', label: 'reason', value: node.task.reason }] : [];
      if (node.task.instances !== undefined) {
        const instances = Array.from({ length: node.task.instances }, (_, i) => instanceId(node.taskId, i))
          .map((taskId) => ({ taskId, task: own(node.record.tasks, taskId) }))
          .filter((x): x is { taskId: string; task: TaskRecord } => !!x.task)
          .map(({ taskId, task }): RunsNode => ({ kind: 'task', record: node.record, taskId, task }));
        return [...reason, ...instances, ...values];
      }
      const a = node.task.attempts.at(-1);
      if (!a) return [...reason, ...values];
      const rows: Array<[string, string | number | undefined]> = [
        ['attempt', `${a.try} of ${node.task.attempts.length}`],
        ['container', a.container_id?.slice(0, 12)],
        ['image', a.image],
        ['digest', a.image_digest],
        ['exit code', a.exit_code],
        ['reason', a.reason],
        ['duration', duration(a.started_at, a.ended_at)],
      ];
      const details: RunsNode[] = rows
        .filter(
          ([, v]) =>
            v !== undefined &&
            v !== '' &&
            !(node.record.backend === 'kubernetes' && v === a.container_id?.slice(0, 12)),
        )
        .map(([label, v]) => ({ kind: 'detail', label, value: String(v) }));
      if (node.record.backend === 'kubernetes' && a.container_id)
        details.unshift({ kind: 'pod', record: node.record, taskId: node.taskId, name: a.container_id });
      // Earlier tries (retries, or a Clear of this run) stay in its history, newest first.
      const earlier = node.task.attempts
        .slice(0, -1)
        .reverse()
        .map((x): RunsNode => ({
          kind: 'detail',
          label: `try ${x.try}`,
          value: [
            x.state,
            x.exit_code !== undefined ? `exit code ${x.exit_code}` : '',
            duration(x.started_at, x.ended_at),
          ]
            .filter(Boolean)
            .join(' · '),
        }));
      return [...details, ...earlier, ...values];
    }
    return [];
  }

  getTreeItem(node: RunsNode): vscode.TreeItem {
    switch (node.kind) {
      case 'dag': {
        // Expanded at first (VS Code then remembers what the user collapsed, by id).
        const item = new vscode.TreeItem(node.dag, vscode.TreeItemCollapsibleState.Expanded);
        const last = node.records[0]!;
        item.description = `${node.records.length} run${node.records.length === 1 ? '' : 's'} · last ${last.interrupted ? 'interrupted' : last.state}`;
        item.iconPath = new vscode.ThemeIcon('type-hierarchy');
        item.tooltip = last.file ?? node.dag;
        item.contextValue = 'dag-runs';
        item.id = `dag/${node.dag}`;
        return item;
      }
      case 'run': {
        const r = node.record;
        const item = new vscode.TreeItem(
          `${r.dag} · ${r.logical_date.slice(0, 10)}`,
          vscode.TreeItemCollapsibleState.Collapsed,
        );
        const cancelling = this.isCancelling?.(r.run_id) && (r.state === 'running' || r.state === 'queued');
        item.description = `${r.interrupted ? 'interrupted' : cancelling ? 'cancelling…' : r.state} · ${countsLabel(runCounts(r))} · ${duration(r.started_at, r.ended_at)}`;
        item.iconPath = stateIcon(r.state);
        item.tooltip = `${r.run_id}\n${r.backend}${r.file ? `\n${r.file}` : ''}`;
        const failures = Object.values(r.tasks).some((t) => t.state === 'failed' || t.state === 'upstream_failed');
        // Re-run failed tasks is offered only where there are some (Airflow's "clear failed" likewise).
        item.contextValue =
          r.state === 'running' || r.state === 'queued' ? 'run-active' : failures ? 'run-done-failures' : 'run-done';
        item.id = r.run_id;
        return item;
      }
      case 'task': {
        const t = node.task;
        const item = new vscode.TreeItem(node.taskId, vscode.TreeItemCollapsibleState.Collapsed);
        const a = t.attempts.at(-1);
        const phase =
          t.state !== 'running'
            ? t.state === 'no_status'
              ? 'no status (not selected)'
              : t.state
            : a?.phase === 'building'
              ? 'building its image'
              : a?.phase === 'pending'
                ? `pending${a.pending_reason ? `: ${a.pending_reason}` : ''}`
                : t.state;
        item.description = `${t.instances !== undefined ? `×${t.instances} · ` : ''}${phase}${t.tries > 1 ? ` · try ${t.tries}` : ''}${t.started_at ? ` · ${duration(t.started_at, t.ended_at)}` : ''}`;
        item.iconPath = stateIcon(t.state === 'running' && a?.phase === 'pending' ? 'queued' : t.state);
        item.tooltip = [
          t.reason ?? (t.state === 'running' && a?.phase === 'pending' ? phase : t.state),
          ...(t.instances !== undefined ? [`${t.instances} instance(s)`] : []),
          ...Object.entries(t.item ?? {}).map(([k, v]) => `item.${k} = ${shortValue(v)}`),
          ...Object.entries(t.outputs ?? {}).map(([k, v]) => `outputs.${k} = ${shortValue(v)}`),
        ].join('\n');
        // `-done`: its run has ended, so the task can be cleared (run again in it).
        item.contextValue = `task-${t.state}${node.record.ended_at ? '-done' : ''}${node.record.backend === 'kubernetes' ? '-k8s' : ''}`;
        item.id = `${node.record.run_id}/${node.taskId}`;
        if (t.attempts.length) {
          item.command = { command: 'containerDags.showTaskLog', title: 'Show Task Log', arguments: [node] };
        }
        return item;
      }
      case 'service': {
        const s = node.service;
        const item = new vscode.TreeItem(node.name, vscode.TreeItemCollapsibleState.Collapsed);
        item.description = `service · ${s.state}${s.started_at ? ` · ${duration(s.started_at, s.ended_at)}` : ''}`;
        item.iconPath = serviceIcon(s.state);
        item.tooltip = [`service ${node.name}: ${s.reason ?? s.state}`, `needed by ${s.tasks.join(', ')}`].join('\n');
        item.contextValue = `service-${s.state}${node.record.backend === 'kubernetes' ? '-k8s' : ''}`;
        item.id = `${node.record.run_id}/service/${node.name}`;
        if (s.log_file)
          item.command = { command: 'containerDags.showTaskLog', title: 'Show Service Log', arguments: [node] };
        return item;
      }
      case 'pod': {
        const item = new vscode.TreeItem(`pod ${node.name}`, vscode.TreeItemCollapsibleState.Collapsed);
        item.description = node.record.cluster ? `${node.record.cluster.context}/${node.record.cluster.namespace}` : '';
        item.iconPath = new vscode.ThemeIcon('server-process');
        item.tooltip =
          'What kubectl describe pod tells, read when expanded; while the run goes on it follows the pod and its events (a watch)';
        item.id = `${node.record.run_id}/${node.taskId}/pod`;
        return item;
      }
      case 'detail': {
        const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
        item.description = node.value;
        item.tooltip = node.value;
        return item;
      }
    }
  }
}

/** Runs grouped by DAG id, groups in the order of their newest run (runs come newest first). */
export function groupByDag(runs: readonly RunRecord[]): RunsNode[] {
  const groups = new Map<string, RunRecord[]>();
  for (const r of runs) {
    const g = groups.get(r.dag);
    if (g) g.push(r);
    else groups.set(r.dag, [r]);
  }
  return [...groups].map(([dag, records]): RunsNode => ({ kind: 'dag', dag, records }));
}
