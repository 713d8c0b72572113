import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { kubeconfig, kubectl } from '../kubernetes/clusterEnv';

/** The Argo Workflows version scripts/argo/lib.sh builds (the same override), and where its argo CLI lands. */
export const ARGO_VERSION = process.env.CDAG_ARGO_VERSION ?? 'v3.7.15';
export const ARGO_CLI = join(
  process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'),
  'container-dags',
  `argo-${ARGO_VERSION}`,
  'argo',
);

/** Fails with the fix when the controller of `npm run argo:up` is not there and ready. */
export function controllerOrFail(): void {
  if (!existsSync(ARGO_CLI)) throw new Error(`No argo CLI at ${ARGO_CLI}: run "npm run argo:up".`);
  let ready = '';
  try {
    ready = kubectl('-n', 'argo', 'get', 'deployment', 'workflow-controller', '-o', 'jsonpath={.status.readyReplicas}');
  } catch {
    // reported below
  }
  if (ready.trim() !== '1') throw new Error('The Argo Workflows controller is not ready: run "npm run argo:up".');
}

/** The argo CLI on the project's cluster; throws with its output when it fails. */
export function argo(...args: string[]): string {
  const r = spawnSync(ARGO_CLI, args, { encoding: 'utf8', env: { ...process.env, KUBECONFIG: kubeconfig() } });
  if (r.status !== 0) throw new Error(`argo ${args.join(' ')} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

interface WorkflowStatus {
  readonly phase?: string;
  readonly message?: string;
  readonly nodes?: Record<string, { displayName: string; phase: string; type: string; message?: string }>;
}

/** A Workflow's status by name, as the controller left it. */
export function workflowStatus(namespace: string, name: string): WorkflowStatus {
  return (JSON.parse(argo('get', '-n', namespace, name, '-o', 'json')) as { status?: WorkflowStatus }).status ?? {};
}

/** Every Pod node's display name and phase, sorted: what ran and how it ended. */
export function podPhases(status: WorkflowStatus): string[] {
  return Object.values(status.nodes ?? {})
    .filter((n) => n.type === 'Pod' || n.type === 'Skipped')
    .map((n) => `${n.displayName} ${n.phase}`)
    .sort();
}

/** Why a Workflow ended as it did: its message and each node's phase and message. */
export function explain(status: WorkflowStatus): string {
  const nodes = Object.values(status.nodes ?? {}).map((n) => `  ${n.displayName} ${n.phase} ${n.message ?? ''}`);
  return [`${status.phase ?? '?'} ${status.message ?? ''}`, ...nodes.sort()].join('\n');
}

/** Submits (argo submit ARGS), waits for the end whatever it is, and gives the Workflow's status. */
export function submitAndWait(namespace: string, ...args: string[]): WorkflowStatus {
  const name = argo('submit', '-n', namespace, ...args, '-o', 'name')
    .trim()
    .split('\n')
    .pop()!;
  // A Workflow stuck on an image it cannot pull never ends: the test reports where it was after 5 minutes.
  spawnSync(ARGO_CLI, ['wait', '-n', namespace, name], {
    env: { ...process.env, KUBECONFIG: kubeconfig() },
    timeout: 300_000,
  });
  return workflowStatus(namespace, name);
}

export function sleep(seconds: number): void {
  execFileSync('sleep', [String(seconds)]);
}
