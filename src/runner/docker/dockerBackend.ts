import { existsSync, mkdirSync } from 'node:fs';
import type Docker from 'dockerode';
import { fail, ok, type Errorable } from '../../util/errorable';
import type { Dag } from '../../dag/model';
import type { AttemptHandle, AttemptSpec, Backend, PreparedAttempt } from '../backend';
import { Consent, hostNetworkRequest, judgeHostPath, refusal } from '../hostAccess';
import { LABELS, hash, labelValue } from '../../dag/labels';
import { containerCreateBody } from './containerSpec';
import { DockerAttempt } from './dockerAttempt';
import { DockerServices, runNetworkName } from './dockerServices';
import { apiMessage, removeQuietly, status } from './engineErrors';
import { collectLeftovers } from './leftovers';
import { prepareOutputFolder } from './outputFile';
import { RunImages } from './runImages';

const BUILTIN_NETWORKS = new Set(['bridge', 'host', 'none', 'default']);

export interface DockerBackendOptions {
  /** Host paths the user consented to mount for this run. */
  readonly allowedHostPaths?: ReadonlySet<string>;
  /** The user consented to `network: host` for this run. */
  readonly allowHostNetwork?: boolean;
  /** Pull progress, for the UI. */
  readonly onPull?: (image: string, status: string) => void;
}

/** Runs attempts as containers on one Docker Engine, through its API (dockerode). */
export class DockerBackend implements Backend {
  readonly kind = 'docker' as const;
  private readonly images: RunImages;
  /** What the user allowed for this run, checked again at every start. */
  private readonly consent: Consent;
  readonly services: DockerServices;

  constructor(
    private readonly docker: Docker,
    private readonly dag: Dag,
    options: DockerBackendOptions = {},
  ) {
    this.consent = new Consent(options.allowedHostPaths, options.allowHostNetwork);
    this.images = new RunImages(docker, options.onPull);
    this.services = new DockerServices(docker, this.images);
  }

  async start(spec: AttemptSpec, signal: AbortSignal): Promise<Errorable<AttemptHandle>> {
    const created = await this.create(spec, signal);
    return created.succeeded ? this.launch(created.result, signal) : created;
  }

  async prepare(spec: AttemptSpec, signal: AbortSignal): Promise<Errorable<PreparedAttempt>> {
    const created = await this.create(spec, signal);
    if (!created.succeeded) return created;
    return ok({
      start: (startSignal) => this.launch(created.result, startSignal),
      discard: () => removeQuietly(created.result.container),
    });
  }

  /** The container, created with every check of a start and not started. */
  private async create(spec: AttemptSpec, signal: AbortSignal): Promise<Errorable<Created>> {
    const r = spec.rendered;
    const body = containerCreateBody(this.dag, r, spec.runId, spec.tryNumber, spec.secrets);
    if (!body.succeeded) return body;
    for (const m of body.result.HostConfig.Mounts) {
      if (m.Type !== 'bind') continue;
      // What was judged is what is mounted: the resolved path, so a symlink swapped since cannot redirect it.
      const judged = judgeHostPath('docker', r.task.id, m.Source);
      m.Source = judged.subject;
      if (judged.request && !this.consent.allows(judged.request)) return fail(refusal(judged.request));
    }
    if (spec.services?.length && body.result.HostConfig.NetworkMode === 'host')
      return fail(
        `"${r.task.id}" uses the host's network, so it cannot join the run's network where its services are: remove "network: host" or the services.`,
      );
    if (body.result.HostConfig.NetworkMode === 'host') {
      const request = hostNetworkRequest('docker', r.task.id);
      if (!this.consent.allows(request)) return fail(refusal(request));
    }
    const image = await this.images.ensure(r.image, r.task.imagePullPolicy, signal);
    if (!image.succeeded) return image;
    if (signal.aborted) return fail('cancelled');
    const network = body.result.HostConfig.NetworkMode;
    if (network && !BUILTIN_NETWORKS.has(network) && !network.startsWith('container:')) {
      try {
        await this.docker.getNetwork(network).inspect();
      } catch (e) {
        if (status(e) === 404) {
          return fail(
            `Docker network "${network}" does not exist. Create it with "docker network create ${network}", or remove "network" from the DAG.`,
          );
        }
      }
    }
    for (const m of body.result.HostConfig.Mounts) {
      // An existing file or socket (docker.sock) is mounted as it is; only a missing path becomes a folder.
      if (m.Type !== 'bind' || existsSync(m.Source)) continue;
      try {
        mkdirSync(m.Source, { recursive: true });
      } catch (e) {
        return fail(
          `Cannot create the bind-mount folder ${m.Source} (${(e as NodeJS.ErrnoException).code}). Create it yourself or choose a path you can write.`,
        );
      }
    }
    const name = containerName(spec);
    let container: Docker.Container;
    try {
      container = await this.docker.createContainer({ name, ...body.result });
    } catch (e) {
      if (status(e) === 409) {
        return fail(
          `A container named ${name} already exists (another run of the same attempt?). Remove it with "docker rm -f ${name}".`,
        );
      }
      return fail(`Docker could not create the container for "${r.task.id}": ${apiMessage(e)}`);
    }
    if (r.task.outputs.length) {
      try {
        await prepareOutputFolder(container);
      } catch (e) {
        await removeQuietly(container);
        return fail(`Docker could not prepare the output folder of "${r.task.id}": ${apiMessage(e)}`);
      }
    }
    if (spec.services?.length) {
      // The services answer to their names on the run's network; the task joins it besides its own.
      try {
        await this.docker.getNetwork(runNetworkName(spec.runId)).connect({ Container: container.id });
      } catch (e) {
        await removeQuietly(container);
        return fail(`"${r.task.id}" could not join the network of its services: ${apiMessage(e)}`);
      }
    }
    return ok({ container, spec, digest: image.result });
  }

  private async launch(created: Created, signal: AbortSignal): Promise<Errorable<AttemptHandle>> {
    const { container, spec } = created;
    // Registered before start, so an exit that comes at once is not missed.
    const waited = container.wait({ condition: 'next-exit' }) as Promise<{ StatusCode: number }>;
    if (signal.aborted) {
      await removeQuietly(container);
      return fail('cancelled');
    }
    try {
      await container.start();
    } catch (e) {
      await removeQuietly(container);
      return fail(`The container for "${spec.rendered.task.id}" did not start: ${apiMessage(e)}`);
    }
    const readsOutput = spec.rendered.task.outputs.length > 0;
    return ok(new DockerAttempt(container, waited, spec.mask, created.digest, false, readsOutput));
  }

  async reattach(spec: AttemptSpec, recordedId: string | undefined): Promise<Errorable<AttemptHandle | undefined>> {
    // The name is fixed per attempt, so a container created just before a crash (id not yet recorded) is found too.
    const container = this.docker.getContainer(recordedId ?? containerName(spec));
    let info: Docker.ContainerInspectInfo;
    try {
      info = await container.inspect();
    } catch (e) {
      if (status(e) === 404) return ok(undefined);
      return fail(`Docker could not inspect container ${container.id}: ${apiMessage(e)}`);
    }
    if (info.Config.Labels?.[LABELS.runId] !== labelValue(spec.runId)) return ok(undefined);
    // 'not-running' answers at once for a container that exited while nobody watched.
    const waited = container.wait({ condition: 'not-running' }) as Promise<{ StatusCode: number }>;
    return ok(
      new DockerAttempt(
        container,
        waited,
        spec.mask,
        info.Image,
        info.Config.Tty,
        spec.rendered.task.outputs.length > 0,
      ),
    );
  }

  collect(runIds: ReadonlySet<string>, keep?: ReadonlySet<string>): Promise<Errorable<number>> {
    return collectLeftovers(this.docker, runIds, keep);
  }
}

/** A created container and what its start needs. */
interface Created {
  readonly container: Docker.Container;
  readonly spec: AttemptSpec;
  readonly digest: string | undefined;
}

/** Unique per attempt and readable in `docker ps`. */
export function containerName(spec: Pick<AttemptSpec, 'dagId' | 'runId' | 'tryNumber' | 'rendered'>): string {
  const clean = (s: string) =>
    labelValue(s)
      .replace(/[^A-Za-z0-9_.-]/g, '_')
      .slice(0, 40);
  return `cdag-${clean(spec.dagId)}-${clean(spec.rendered.task.id)}-${hash(spec.runId).slice(0, 8)}-${spec.tryNumber}`;
}
