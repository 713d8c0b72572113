import { connect } from 'node:net';
import type Docker from 'dockerode';
import { LABELS, MANAGED_BY, hash, labelValue, serviceLabels } from '../../dag/labels';
import { fail, ok, type Errorable } from '../../util/errorable';
import { AsyncQueue } from '../asyncQueue';
import type { LogLine, ServiceBackend, ServiceHandle, ServiceSpec } from '../backend';
import { followLogs } from './dockerAttempt';
import { apiMessage, removeQuietly, status } from './engineErrors';
import type { RunImages } from './runImages';

/** The network a run's services and the tasks that need them share; the services' names are its aliases. */
export const runNetworkName = (runId: string): string => `cdag-run-${hash(runId).slice(0, 12)}`;

/**
 * Run-scoped services on one Docker Engine, as GitHub Actions runs `services:` and Docker Compose a
 * network: each service a container on the run's network with its name as the alias, readiness from
 * Docker's healthcheck (`ready.command`) or a TCP connection to its port (`ready.tcp`).
 */
export class DockerServices implements ServiceBackend {
  private readonly networks = new Map<string, Promise<Errorable<string>>>();

  constructor(
    private readonly docker: Docker,
    private readonly images: RunImages,
  ) {}

  /** The run's network, made on first use and labelled like the run's containers. */
  network(dagId: string, runId: string): Promise<Errorable<string>> {
    let made = this.networks.get(runId);
    if (!made) {
      const name = runNetworkName(runId);
      made = this.docker
        .createNetwork({
          Name: name,
          CheckDuplicate: true,
          Labels: {
            [LABELS.managedBy]: MANAGED_BY,
            [LABELS.dag]: labelValue(dagId),
            [LABELS.runId]: labelValue(runId),
          },
        })
        .then(
          () => ok(name),
          (e: unknown) =>
            status(e) === 409 ? ok(name) : fail(`Docker could not create the run's network ${name}: ${apiMessage(e)}`),
        );
      this.networks.set(runId, made);
    }
    return made;
  }

  async startService(spec: ServiceSpec, signal: AbortSignal): Promise<Errorable<ServiceHandle>> {
    const s = spec.service;
    const net = await this.network(spec.dagId, spec.runId);
    if (!net.succeeded) return net;
    const image = await this.images.ensure(s.image, s.imagePullPolicy, signal);
    if (!image.succeeded) return image;
    if (signal.aborted) return fail('cancelled');
    const name = `cdag-${labelValue(spec.dagId).slice(0, 30)}-svc-${s.name}-${hash(spec.runId).slice(0, 8)}`;
    const ns = (ms: number) => ms * 1_000_000;
    const ready = s.ready;
    let container: Docker.Container;
    try {
      container = await this.docker.createContainer({
        name,
        Image: s.image,
        ...(s.command ? { Entrypoint: [...s.command] } : {}),
        ...(s.args ? { Cmd: [...s.args] } : {}),
        Env: [...Object.entries(s.env), ...Object.entries(spec.secrets)].map(([k, v]) => `${k}=${v}`),
        Labels: serviceLabels(spec.dagId, spec.runId, s.name),
        ...(ready?.command
          ? {
              Healthcheck: {
                Test: ['CMD', ...ready.command],
                Interval: ns(ready.intervalMs),
                Timeout: ns(Math.max(ready.intervalMs, 1000)),
                Retries: Math.max(1, Math.ceil(ready.timeoutMs / ready.intervalMs)),
              },
            }
          : {}),
        ExposedPorts: Object.fromEntries(s.ports.map((p) => [`${p.port}/tcp`, {}])),
        HostConfig: {
          PortBindings: Object.fromEntries(
            // On this machine only: a run's database is for its tasks and the user, not the network.
            s.ports
              .filter((p) => p.hostPort)
              .map((p) => [`${p.port}/tcp`, [{ HostIp: '127.0.0.1', HostPort: String(p.hostPort) }]]),
          ),
          ...(s.resources.memoryBytes ? { Memory: s.resources.memoryBytes } : {}),
          ...(s.resources.cpu ? { NanoCpus: Math.round(s.resources.cpu * 1e9) } : {}),
        },
        NetworkingConfig: { EndpointsConfig: { [net.result]: { Aliases: [s.name] } } },
      });
    } catch (e) {
      if (status(e) !== 409) return fail(`Docker could not create service "${s.name}": ${apiMessage(e)}`);
      // This run's own service, left running by a runner that died: the run taken over uses it again.
      const mine = await this.ownService(name, spec);
      if (mine) return ok(new DockerService(mine, net.result, spec));
      return fail(
        `A container named ${name} already exists (a run that was not cleaned up?). Remove it with "docker rm -f ${name}".`,
      );
    }
    try {
      await container.start();
    } catch (e) {
      await removeQuietly(container);
      return fail(`Service "${s.name}" did not start: ${apiMessage(e)}`);
    }
    return ok(new DockerService(container, net.result, spec));
  }

  /** The container of that name when it is this run's service (by its labels); started if it was only created. */
  private async ownService(name: string, spec: ServiceSpec): Promise<Docker.Container | undefined> {
    const container = this.docker.getContainer(name);
    try {
      const info = await container.inspect();
      const want = serviceLabels(spec.dagId, spec.runId, spec.service.name);
      if (!Object.entries(want).every(([k, v]) => info.Config.Labels?.[k] === v)) return undefined;
      const own = this.docker.getContainer(info.Id);
      if (!info.State.Running && info.State.Status === 'created') await own.start();
      return own;
    } catch {
      return undefined;
    }
  }

  async endServices(runId: string): Promise<void> {
    this.networks.delete(runId);
    try {
      await this.docker.getNetwork(runNetworkName(runId)).remove();
    } catch {
      // Gone already (404), or still in use by a container being removed: the takeover collects it.
    }
  }
}

class DockerService implements ServiceHandle {
  readonly id: string;
  readonly logs: AsyncQueue<LogLine>;
  private code: number | undefined;
  private stopping: Promise<void> | undefined;

  constructor(
    private readonly container: Docker.Container,
    private readonly network: string,
    private readonly spec: ServiceSpec,
  ) {
    this.id = container.id;
    const queue = new AsyncQueue<LogLine>();
    this.logs = queue;
    void followLogs(container, spec.mask, (l) => queue.push(l)).finally(() => queue.end());
    void (container.wait({ condition: 'not-running' }) as Promise<{ StatusCode: number }>).then(
      (w) => (this.code = w.StatusCode),
      () => undefined,
    );
  }

  exited(): number | undefined {
    return this.code;
  }

  async ready(signal: AbortSignal): Promise<Errorable<void>> {
    const r = this.spec.service.ready;
    if (!r) return ok(undefined);
    const until = Date.now() + r.timeoutMs;
    for (;;) {
      if (signal.aborted) return fail('cancelled');
      let info: Docker.ContainerInspectInfo;
      try {
        info = await this.container.inspect();
      } catch (e) {
        return fail(`service "${this.spec.service.name}" is gone: ${apiMessage(e)}`);
      }
      if (!info.State.Running)
        return fail(`service "${this.spec.service.name}" exited with code ${info.State.ExitCode}`);
      if (r.command && info.State.Health?.Status === 'healthy') return ok(undefined);
      if (r.tcp !== undefined) {
        const ip = info.NetworkSettings.Networks[this.network]?.IPAddress;
        if (ip && (await tcpOpen(ip, r.tcp))) return ok(undefined);
      }
      if (Date.now() >= until)
        return fail(
          `service "${this.spec.service.name}" was not ready within ${Math.round(r.timeoutMs / 1000)}s (${r.command ? `\`${r.command.join(' ')}\` did not succeed` : `port ${r.tcp} did not accept a connection`})`,
        );
      await new Promise((res) => setTimeout(res, Math.min(r.intervalMs, 1000)));
    }
  }

  /** Every caller waits for the one removal (a release and the run's end may both ask). */
  stop(): Promise<void> {
    this.stopping ??= removeQuietly(this.container).catch(() => {
      // The engine refused (a daemon going away): the run's leftovers are collected by label later.
    });
    return this.stopping;
  }
}

/** Whether a TCP connection to the address is accepted within a second. */
function tcpOpen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 1000 });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}
