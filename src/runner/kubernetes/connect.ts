import { kubeconfigFiles } from './kubeconfigPath';
import type { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { fail, ok, type Errorable } from '../../util/errorable';
import { explainApiError } from './apiErrors';

export interface Cluster {
  readonly kc: KubeConfig;
  readonly core: CoreV1Api;
  readonly context: string;
  readonly namespace: string;
  readonly server: string;
  /**
   * Reads the kubeconfig again into `kc` (same context): after a 401, credentials that were rotated
   * on disk (a renewed token, a re-login) are picked up once (as the KubernetesPodOperator does).
   */
  readonly refresh?: () => void;
}

export interface ClusterChoice {
  /** A kubeconfig path (a setting); else KUBECONFIG, else ~/.kube/config. */
  readonly kubeconfig?: string;
  /** The DAG's, a setting's or a picker's; else the kubeconfig's current context. */
  readonly context?: string;
  readonly namespace?: string;
}

/**
 * Loads the kubeconfig and asks the API server for its version; a failure names the cause and the
 * fix (no kubeconfig, unknown context, server unreachable, credentials refused), never a stack.
 */
export async function connectKubernetes(
  choice: ClusterChoice,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<Errorable<Cluster>> {
  const k8s = await import('@kubernetes/client-node');
  const kc = new k8s.KubeConfig();
  const { path, found } = kubeconfigFiles(choice.kubeconfig, env);
  if (!found)
    return fail(
      `No kubeconfig: KUBECONFIG is not set and ${path} does not exist. Point KUBECONFIG at your cluster's kubeconfig (e.g. "kind export kubeconfig"), or choose a kubeconfig file for this tool.`,
    );
  try {
    if (choice.kubeconfig) kc.loadFromFile(choice.kubeconfig);
    else kc.loadFromDefault();
  } catch (e) {
    return fail(
      `The kubeconfig ${path} could not be read: ${(e as Error).message}. Fix the file or point KUBECONFIG at another.`,
    );
  }
  if (choice.context) {
    if (!kc.getContextObject(choice.context))
      return fail(
        `The kubeconfig has no context "${choice.context}" (it has: ${
          kc
            .getContexts()
            .map((c) => c.name)
            .join(', ') || 'none'
        }). Fix kubernetes.context in the DAG or pick another context.`,
      );
    kc.setCurrentContext(choice.context);
  }
  const context = kc.getCurrentContext();
  const cluster = kc.getCurrentCluster();
  if (!context || !cluster)
    return fail(
      `The kubeconfig ${path} has no current context. Run "kubectl config use-context NAME" or set kubernetes.context in the DAG.`,
    );
  const namespace = choice.namespace ?? kc.getContextObject(context)?.namespace ?? 'default';
  const core = kc.makeApiClient(k8s.CoreV1Api);
  try {
    await withTimeout(kc.makeApiClient(k8s.VersionApi).getCode(), 10_000);
  } catch (e) {
    return fail(explainApiError(e, cluster.server, context));
  }
  const refresh = () => {
    if (choice.kubeconfig) kc.loadFromFile(choice.kubeconfig);
    else kc.loadFromDefault();
    kc.setCurrentContext(context);
  };
  return ok({ kc, core, context, namespace, server: cluster.server, refresh });
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    p,
    new Promise<T>((_, reject) =>
      setTimeout(() => reject(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })), ms),
    ),
  ]);
}

/** The contexts of the kubeconfig the backend would use, and the current one, for a picker. */
export async function listContexts(
  kubeconfig: string | undefined,
): Promise<Errorable<{ contexts: Array<{ name: string; namespace?: string }>; current: string }>> {
  const k8s = await import('@kubernetes/client-node');
  const kc = new k8s.KubeConfig();
  try {
    if (kubeconfig) kc.loadFromFile(kubeconfig);
    else kc.loadFromDefault();
  } catch (e) {
    return fail(`The kubeconfig could not be read: ${(e as Error).message}`);
  }
  return ok({
    contexts: kc.getContexts().map((c) => ({ name: c.name, ...(c.namespace ? { namespace: c.namespace } : {}) })),
    current: kc.getCurrentContext(),
  });
}
