import type Docker from 'dockerode';
import { fail, ok, type Errorable } from '../../util/errorable';

/** Where the engine is: the DAG's `docker.host`, else DOCKER_HOST, else the default socket. */
export function dockerOptions(
  host: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): Docker.DockerOptions {
  const h = host ?? env.DOCKER_HOST;
  if (!h) return { socketPath: '/var/run/docker.sock' };
  if (h.startsWith('unix://')) return { socketPath: h.slice('unix://'.length) };
  const u = new URL(h.replace(/^tcp:/, 'http:'));
  return { host: u.hostname, port: Number(u.port || 2375), protocol: 'http' };
}

export function describeTarget(o: Docker.DockerOptions): string {
  return o.socketPath ? `unix://${o.socketPath}` : `tcp://${o.host}:${o.port}`;
}

/** Connects and pings; a failure names the cause and the fix, never a stack trace. */
export async function connectDocker(
  host: string | undefined,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<Errorable<Docker>> {
  const options = dockerOptions(host, env);
  // Loaded on first use: the extension does not load dockerode until something runs.
  const { default: DockerCtor } = await import('dockerode');
  const docker = new DockerCtor({ ...options, timeout: 0 });
  try {
    await docker.ping();
    return ok(docker);
  } catch (e) {
    return fail(explainConnectError(e, describeTarget(options)));
  }
}

export function explainConnectError(e: unknown, target: string): string {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return `No Docker Engine at ${target} (the socket does not exist). Start Docker (e.g. "sudo systemctl start docker" or Docker Desktop), or set DOCKER_HOST / docker.host to where it runs.`;
    case 'ECONNREFUSED':
      return `The Docker Engine at ${target} refused the connection: it is not running there. Start it, or set DOCKER_HOST / docker.host.`;
    case 'EACCES':
      return `No permission to use the Docker socket ${target}. Add your user to the "docker" group (then log in again), or run with access to the socket.`;
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
      return `The Docker Engine at ${target} did not answer (${code}). Check the address and that the host is reachable.`;
    default:
      return `Could not reach the Docker Engine at ${target}: ${(e as Error).message}`;
  }
}
