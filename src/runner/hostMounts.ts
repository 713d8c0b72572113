import { realpathSync } from 'node:fs';
import { posix } from 'node:path';

/**
 * Host folders whose mounting gives a container control of the host (Docker's attack surface,
 * CIS 5.31): each, and everything under it. `/var` holds the Docker socket's usual path,
 * `/var/lib/docker` and `/var/lib/kubelet`.
 */
const SENSITIVE = ['/etc', '/root', '/proc', '/sys', '/boot', '/dev', '/var', '/run', '/usr', '/bin', '/sbin', '/lib'];

/** Why mounting this (resolved) host path needs the user's consent for this run, or undefined. */
export function sensitiveHostPath(resolved: string): string | undefined {
  const p = posix.normalize(resolved).replace(/\/+$/, '') || '/';
  if (p === '/' || p === '//') return 'the host’s whole file system';
  if (p.endsWith('docker.sock')) return 'the Docker socket (full control of the host)';
  for (const s of SENSITIVE) if (p === s || p.startsWith(`${s}/`)) return `the host’s system folder ${s}`;
  return undefined;
}

/**
 * The path a host path really names: normalised (`/tmp/../etc`, `//etc`, `/etc/.` are `/etc`) and
 * with every symlink along it resolved, as far as it exists (the rest is appended as written, since
 * Docker creates a missing bind source). What is judged, consented to and mounted is this path, so
 * a symlink cannot be swapped between the question and the mount.
 */
export function resolveHostPath(path: string, realpath: (p: string) => string = realpathSync): string {
  const normal = posix.normalize(`/${path}`).replace(/\/+$/, '') || '/';
  const parts = normal.split('/').filter(Boolean);
  // The longest prefix that exists resolves whole; what is missing below it cannot be a link yet.
  for (let n = parts.length; n >= 0; n--) {
    const prefix = `/${parts.slice(0, n).join('/')}`;
    let real: string;
    try {
      real = realpath(prefix);
    } catch {
      continue;
    }
    const rest = parts.slice(n).join('/');
    return rest ? posix.join(real, rest) : real;
  }
  return normal;
}
