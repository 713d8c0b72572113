import * as vscode from 'vscode';
import type { Dag } from '../dag/model';
import type { BackendKind } from '../protocol/runRecord';
import type { ClusterChoice } from '../runner/kubernetes/connect';

const SECTION = 'containerDags';

/**
 * Every setting of the extension, read in one place (rust-analyzer's `Config`). The settings that
 * decide where containers run are trust-aware: from an untrusted workspace only the user's own
 * value counts, so a cloned repository cannot point runs at another daemon or cluster.
 */
export class Config {
  /** Where runs go: `containerDags.backend`. */
  backend(): BackendKind {
    return this.trusted('backend') === 'kubernetes' ? 'kubernetes' : 'docker';
  }

  /** The Docker host: the DAG's, else the setting. */
  dockerHost(fromDag?: string): string | undefined {
    return fromDag ?? this.trusted('docker.host');
  }

  /** The kubeconfig from the settings; the context and namespace from the DAG, else the settings. */
  cluster(dag?: Dag): ClusterChoice {
    const kubeconfig = this.trusted('kubernetes.kubeconfig');
    const context = dag?.kubernetes.context ?? this.trusted('kubernetes.context');
    const namespace = dag?.kubernetes.namespace ?? this.trusted('kubernetes.namespace');
    return {
      ...(kubeconfig ? { kubeconfig } : {}),
      ...(context ? { context } : {}),
      ...(namespace ? { namespace } : {}),
    };
  }

  /** How images built here reach a cluster: the registry, else the load command (user settings only). */
  delivery(): { registry?: string; loadImage?: string } {
    const registry = this.trusted('kubernetes.registry');
    const loadImage = this.trusted('kubernetes.loadImageCommand');
    return { ...(registry ? { registry } : {}), ...(loadImage ? { loadImage } : {}) };
  }

  /** Tasks of one run at once: the DAG's `max_active_tasks`, else the setting. */
  maxActiveTasks(dag: Dag): number {
    const n = Number(this.trusted('maxActiveTasks'));
    return dag.maxActiveTasks ?? (n >= 1 ? n : 4);
  }

  keepFailedContainers(): boolean {
    return this.section().get<boolean>('keepFailedContainers', false);
  }

  graphDirection(): 'AUTO' | 'RIGHT' | 'DOWN' {
    const d = this.section().get<string>('graph.direction', 'AUTO');
    return d === 'DOWN' || d === 'RIGHT' ? d : 'AUTO';
  }

  validationDebounceMs(): number {
    return this.section().get<number>('validation.debounceMs', 250);
  }

  /** Saves a choice of backend (and Kubernetes context) as the user's own settings. */
  async chooseBackend(backend: BackendKind, context?: string): Promise<void> {
    await this.section().update('backend', backend, vscode.ConfigurationTarget.Global);
    if (context) await this.section().update('kubernetes.context', context, vscode.ConfigurationTarget.Global);
  }

  async useKubeconfig(path: string): Promise<void> {
    await this.section().update('kubernetes.kubeconfig', path, vscode.ConfigurationTarget.Global);
  }

  /** A restricted setting's value: a workspace's only when the workspace is trusted. */
  private trusted(key: string): string | undefined {
    const i = this.section().inspect<string | number>(key);
    const v = vscode.workspace.isTrusted
      ? (i?.workspaceFolderValue ?? i?.workspaceValue ?? i?.globalValue)
      : i?.globalValue;
    return (typeof v === 'string' && v !== '') || typeof v === 'number' ? String(v) : undefined;
  }

  private section(): vscode.WorkspaceConfiguration {
    return vscode.workspace.getConfiguration(SECTION);
  }
}
