/** Host paths whose mounting gives a container control of the host (M1: Docker's attack surface, CIS 5.31). */
const SENSITIVE = [
  '/var/run/docker.sock',
  '/run/docker.sock',
  '/var/run',
  '/run',
  '/etc',
  '/proc',
  '/sys',
  '/dev',
  '/boot',
  '/root',
  '/var/lib/docker',
  '/var/lib/kubelet',
  '/usr',
  '/bin',
  '/sbin',
  '/lib',
];

/** Why mounting this host path needs the user's consent for this run, or undefined when it does not. */
export function sensitiveHostPath(path: string): string | undefined {
  const p = path.replace(/\/+$/, '') || '/';
  if (p === '/') return 'the host’s whole file system';
  if (p.endsWith('docker.sock')) return 'the Docker socket (full control of the host)';
  for (const s of SENSITIVE) if (p === s || p.startsWith(`${s}/`)) return `the host’s system folder ${s}`;
  return undefined;
}
