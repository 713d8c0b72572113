import { dirname } from 'node:path';
import type { Dag } from '../dag/model';
import type { BackendKind, RunRecord } from '../protocol/runRecord';
import { fail, ok, type Errorable } from '../util/errorable';
import type { Backend, ImageBuilder } from './backend';
import type { Consent } from './hostAccess';
import type { ClusterChoice } from './kubernetes/connect';
import type { LaunchFailure } from './launchFailure';
import { fromDotEnv, fromEnvironment, resolveSecrets, type SecretSource } from './secrets';

/** Where runs go and where secrets come from, as a front end chose them. */
export interface BackendChoice {
  readonly backend: BackendKind;
  /** The Docker host: the DAG's `docker.host`, else the front end's (a setting), else DOCKER_HOST. */
  readonly dockerHost?: string;
  /** The kubeconfig, context and namespace: the DAG's and the front end's, merged by it. */
  readonly cluster?: ClusterChoice;
  /** Sources of secret values tried before the environment and a `.env` beside the DAG. */
  readonly secretSources?: readonly SecretSource[];
  /** Image pull progress, for the UI. */
  readonly onPull?: (image: string, text: string) => void;
  /** Run images as written: tasks with `build` are not built first (`cdag run --no-build`). */
  readonly noBuild?: boolean;
  /**
   * How images built here reach a cluster: a registry it pulls from, or a command that loads a
   * local image into it. The user's choice (flags, settings), never a DAG file's: a file from
   * someone else's repository must not pick where this machine pushes or what it executes.
   */
  readonly delivery?: { readonly registry?: string; readonly loadImage?: string };
}

export interface Connected {
  readonly backend: Backend;
  readonly secretValues: Readonly<Record<string, string>>;
  /** Builds the images of tasks with `build` (on the Docker Engine the tasks run on). */
  readonly builds?: ImageBuilder;
}

/**
 * A backend for runs of one DAG, and the values of the secrets its tasks use. Docker and
 * Kubernetes code load here, on first use (a bundle of their own in the extension and the CLI).
 */
export async function connectBackend(
  dag: Dag,
  file: string,
  choice: BackendChoice,
  consent: Consent,
  env: Readonly<Record<string, string | undefined>>,
  only?: ReadonlySet<string>,
): Promise<Errorable<Connected, LaunchFailure>> {
  if (choice.backend === 'kubernetes') {
    const k8s = await import('./kubernetes/kubernetesBundle');
    const cluster = await k8s.connectKubernetes(choice.cluster ?? {}, env);
    if (!cluster.succeeded) return fail({ code: 'backend-unavailable', backend: 'kubernetes', message: cluster.error });
    const backend = new k8s.KubernetesBackend(cluster.result, dag, consent.granted());
    const builds = await clusterBuilds(dag, file, choice, env, only);
    if (!builds.succeeded) return builds;
    const values = await k8s.clusterSecretValues(cluster.result, backend.namespace, dag, only);
    if (!values.succeeded) return fail({ code: 'secret-unreadable', message: values.error });
    return ok({ backend, secretValues: values.result, ...(builds.result ? { builds: builds.result } : {}) });
  }
  const values = await resolveSecrets(
    dag,
    [...(choice.secretSources ?? []), fromEnvironment(env), fromDotEnv(dirname(file))],
    only,
  );
  if (!values.succeeded) return values;
  const docker = await import('./docker/dockerBundle');
  const engine = await docker.connectDocker(choice.dockerHost, env);
  if (!engine.succeeded) return fail({ code: 'backend-unavailable', backend: 'docker', message: engine.error });
  const backend = new docker.DockerBackend(engine.result, dag, {
    ...consent.granted(),
    ...(choice.onPull ? { onPull: choice.onPull } : {}),
  });
  const builds =
    !choice.noBuild && (dag.tasks.some((t) => t.build) || dag.images.size > 0)
      ? new docker.ImageBuilds(engine.result, dirname(file))
      : undefined;
  return ok({ backend, secretValues: values.result, ...(builds ? { builds } : {}) });
}

/** Images a run of these tasks builds: their own, and those of the services they need. */
function builtImages(dag: Dag, only?: ReadonlySet<string>): string[] {
  const images = new Set<string>();
  for (const t of dag.tasks) {
    if (only && !only.has(t.id)) continue;
    if (t.build) images.add(t.build.image);
    for (const s of t.services) {
      const image = dag.services.get(s)?.image;
      if (image && dag.images.has(image)) images.add(image);
    }
  }
  return [...images];
}

/**
 * For a cluster, images are built on the local Docker Engine and then delivered (pushed to the
 * registry the cluster pulls from, or loaded by the user's command); neither configured is said
 * before anything starts, with both ways to fix it.
 */
async function clusterBuilds(
  dag: Dag,
  file: string,
  choice: BackendChoice,
  env: Readonly<Record<string, string | undefined>>,
  only?: ReadonlySet<string>,
): Promise<Errorable<ImageBuilder | undefined, LaunchFailure>> {
  const images = builtImages(dag, only);
  if (choice.noBuild || images.length === 0) return ok(undefined);
  const registry = choice.delivery?.registry;
  const load = choice.delivery?.loadImage;
  if (!registry && !load) return fail({ code: 'build-not-delivered', images });
  const docker = await import('./docker/dockerBundle');
  const engine = await docker.connectDocker(choice.dockerHost, env);
  if (!engine.succeeded)
    return fail({
      code: 'backend-unavailable',
      backend: 'docker',
      message: `Building ${images.join(', ')} needs a Docker Engine: ${engine.error}`,
    });
  return ok(
    new docker.ClusterDelivery(
      engine.result,
      new docker.ImageBuilds(engine.result, dirname(file)),
      registry ? { kind: 'registry', registry } : { kind: 'load', command: load! },
    ),
  );
}

/**
 * What removes the containers or pods of a run whose runner died, where that run ran: its Docker
 * host, or its context and namespace. Undefined when that backend cannot be reached now.
 */
export async function collectorFor(
  r: RunRecord,
  where: { readonly dockerHost?: string; readonly cluster?: ClusterChoice },
  env: Readonly<Record<string, string | undefined>>,
): Promise<Pick<Backend, 'collect'> | undefined> {
  if (r.backend === 'kubernetes') {
    const k8s = await import('./kubernetes/kubernetesBundle');
    const cluster = await k8s.connectKubernetes({ ...where.cluster, ...(r.cluster ?? {}) }, env);
    if (!cluster.succeeded) return { collect: () => Promise.resolve(cluster) };
    const { result } = cluster;
    return { collect: (ids, keep) => k8s.collectRunPods(result, r.cluster?.namespace ?? result.namespace, ids, keep) };
  }
  const docker = await import('./docker/dockerBundle');
  const engine = await docker.connectDocker(where.dockerHost, env);
  if (!engine.succeeded) return undefined;
  const { result } = engine;
  return { collect: (ids, keep) => docker.collectLeftovers(result, ids, keep) };
}
