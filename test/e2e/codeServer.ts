import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..', '..');
export const ARTIFACTS = join(ROOT, 'test', 'e2e', 'artifacts');

export interface CodeServer {
  readonly url: string;
  readonly workspace: string;
  /** Kills the extension host with SIGKILL, as a crash would: no deactivate, no cleanup of its own. */
  crashExtensionHost(): number;
  stop(): Promise<void>;
}

/** Processes below `root` whose command line contains `marker` (read from /proc). */
function descendants(root: number, marker: string): number[] {
  const parent = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      parent.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const below = (pid: number): boolean => {
    for (let p = parent.get(pid); p; p = parent.get(p)) if (p === root) return true;
    return false;
  };
  return [...parent.keys()].filter((pid) => {
    if (!below(pid)) return false;
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker);
    } catch {
      return false;
    }
  });
}

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
    s.on('error', rej);
  });
}

async function waitForHttp(url: string, ms: number, proc: ChildProcess, log: () => string): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (proc.exitCode !== null) throw new Error(`code-server exited (${proc.exitCode}):\n${log()}`);
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`code-server did not answer at ${url} within ${ms} ms:\n${log()}`);
}

/** Installs (cached) code-server, installs our packaged .vsix into it, and serves a copy of the workspace. */
export interface StartOptions {
  /** Files written into the workspace before start. */
  readonly extraFiles?: Record<string, string>;
  /** Ask whether to trust the folder (Restricted Mode tests) instead of trusting it. */
  readonly workspaceTrust?: boolean;
  /** User settings added to the defaults. */
  readonly settings?: Record<string, unknown>;
}

export async function startCodeServer(vsix: string, options: StartOptions = {}): Promise<CodeServer> {
  const entry = execFileSync('bash', [join(ROOT, 'scripts', 'install-code-server.sh')], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .pop()!;
  const base = mkdtempSync(join(tmpdir(), 'cdag-e2e-'));
  const userData = join(base, 'user-data');
  const extensions = join(base, 'extensions');
  const workspace = join(base, 'workspace');
  mkdirSync(join(userData, 'User'), { recursive: true });
  cpSync(join(ROOT, 'test', 'e2e', 'workspace'), workspace, { recursive: true });
  for (const [name, text] of Object.entries(options.extraFiles ?? {})) {
    mkdirSync(dirname(join(workspace, name)), { recursive: true });
    writeFileSync(join(workspace, name), text);
  }
  writeFileSync(
    join(userData, 'User', 'settings.json'),
    JSON.stringify({
      'security.workspace.trust.enabled': options.workspaceTrust ?? false,
      'workbench.startupEditor': 'none',
      'workbench.tips.enabled': false,
      'telemetry.telemetryLevel': 'off',
      'extensions.autoUpdate': false,
      'extensions.autoCheckUpdates': false,
      'editor.hover.delay': 100,
      'containerDags.validation.debounceMs': 100,
      'workbench.colorTheme': 'Default Dark Modern',
      ...options.settings,
    }),
  );
  const common = ['--user-data-dir', userData, '--extensions-dir', extensions];
  execFileSync('node', [entry, ...common, '--install-extension', vsix], { stdio: 'pipe' });
  const port = await freePort();
  let log = '';
  const proc = spawn(
    'node',
    [
      entry,
      ...common,
      '--auth',
      'none',
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--disable-telemetry',
      '--disable-update-check',
      ...(options.workspaceTrust ? [] : ['--disable-workspace-trust']),
      workspace,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  proc.stdout!.on('data', (d) => (log += d));
  proc.stderr!.on('data', (d) => (log += d));
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/healthz`, 60_000, proc, () => log);
  return {
    url: `${url}/?folder=${encodeURIComponent(workspace)}`,
    workspace,
    crashExtensionHost() {
      const hosts = descendants(proc.pid!, 'extensionHost');
      if (hosts.length === 0) throw new Error('no extension host process found below code-server');
      for (const pid of hosts) process.kill(pid, 'SIGKILL');
      return hosts.length;
    },
    async stop() {
      proc.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 300));
      if (proc.exitCode === null) proc.kill('SIGKILL');
      // CDAG_E2E_KEEP=1 keeps the user data (logs of the extension host) for a failed run to be read.
      if (process.env.CDAG_E2E_KEEP) console.log(`kept ${base}`);
      else rmSync(base, { recursive: true, force: true });
    },
  };
}
