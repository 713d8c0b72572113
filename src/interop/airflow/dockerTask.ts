import { shortName, type Kwargs, type PyValue } from '../python/values';
import { baseTaskFields, reportUnused, taker } from './baseOperator';
import type { DagWish } from './dagWish';
import { looksSecret, secretNameForEnv, type DocMap, type ImportContext } from './importContext';
import type { VolumeRegistry } from './volumes';

/** DockerOperator arguments that only tune how Airflow talks to Docker; nothing to carry over. */
const DOCKER_IGNORED = new Set([
  'auto_remove',
  'mount_tmp_dir',
  'api_version',
  'tty',
  'xcom_all',
  'retrieve_output',
  'retrieve_output_path',
  'container_name',
]);

export interface MappedTask {
  readonly task: DocMap;
  readonly wishes: readonly DagWish[];
  /** The arguments the mapping read, for the fidelity report. */
  readonly used: ReadonlySet<string>;
}

/** `DockerOperator(...)` → a task: `entrypoint` is this format's `command`, `command` its `args` (Docker's Entrypoint and Cmd). */
export function dockerTask(kwargs: Kwargs, ctx: ImportContext, volumes: VolumeRegistry): MappedTask {
  const used = new Set<string>();
  const take = taker(kwargs, used);
  const task: DocMap = {};
  const wishes: DagWish[] = [];
  task.image = ctx.text(take('image'), 'image');
  const entrypoint = ctx.textList(take('entrypoint'), 'entrypoint', { commandLine: true });
  if (entrypoint !== undefined) task.command = entrypoint;
  const command = ctx.textList(take('command'), 'command', { commandLine: true });
  if (command !== undefined) task.args = command;
  const env: Record<string, string> = {};
  const secrets: Record<string, string> = {};
  envEntries(take('environment'), 'environment', ctx, env, secrets);
  privateEnv(take('private_environment'), ctx, secrets);
  if (Object.keys(env).length) task.env = env;
  if (Object.keys(secrets).length) task.secrets = secrets;
  const wd = ctx.text(take('working_dir'), 'working_dir');
  if (wd !== undefined) task.working_dir = wd;
  const user = ctx.text(take('user'), 'user');
  if (user !== undefined) task.user = user;
  const mounts = [...dockerMounts(take('mounts'), ctx, volumes), ...volumeStrings(take('volumes'), ctx, volumes)];
  if (mounts.length) task.mounts = mounts;
  const resources: DocMap = {};
  const cpus = take('cpus');
  if (cpus?.kind === 'num') resources.cpu = cpus.value;
  else if (cpus && cpus.kind !== 'none') ctx.computed(cpus, 'cpus');
  const mem = dockerMemory(take('mem_limit'), ctx);
  if (mem) resources.memory = mem;
  const gpus = gpuCount(take('device_requests'), ctx);
  if (gpus) resources.gpu = gpus;
  if (Object.keys(resources).length) task.resources = resources;
  const forcePull = ctx.bool(take('force_pull'), 'force_pull');
  if (forcePull) task.image_pull_policy = 'Always';
  const network = take('network_mode');
  if (network?.kind === 'str') wishes.push({ path: 'docker.network', value: network.value, node: network.node, task });
  else if (network && network.kind !== 'none') ctx.computed(network, 'network_mode');
  const url = take('docker_url');
  if (url?.kind === 'str') wishes.push({ path: 'docker.host', value: url.value, node: url.node });
  else if (url && url.kind !== 'none') ctx.computed(url, 'docker_url');
  baseTaskFields(kwargs, ctx, task, used);
  for (const k of DOCKER_IGNORED) {
    const v = take(k);
    if (v) ctx.report(v.node, 'info', 'ignored-argument', `${k} only tunes Airflow's Docker client; not needed here.`);
  }
  reportUnused(kwargs, used, ctx, 'DockerOperator');
  return { task, wishes, used };
}

/** Plain environment entries; a value read from a secret-looking environment variable becomes a secret. */
export function envEntries(
  v: PyValue | undefined,
  what: string,
  ctx: ImportContext,
  env: Record<string, string>,
  secrets: Record<string, string>,
): void {
  if (!v || v.kind === 'none') return;
  if (v.kind !== 'dict') return ctx.computed(v, what);
  for (const e of v.entries) {
    if (e.key.kind !== 'str') {
      ctx.computed(e.key, `a key of ${what}`);
      continue;
    }
    if (e.value.kind === 'env' && looksSecret(e.value.name)) {
      secrets[e.key.value] = secretNameForEnv(e.value.name);
      continue;
    }
    if (e.value.kind === 'str' && looksSecret(e.key.value) && e.value.value !== '' && !e.value.value.includes('{{')) {
      // A password written into the DAG file: never copied; it becomes a secret to set.
      secrets[e.key.value] = secretNameForEnv(e.key.value);
      ctx.report(
        e.value.node,
        'warning',
        'literal-secret',
        `${what}["${e.key.value}"] is a literal that looks like a secret; the value was not copied. It is the secret "${secretNameForEnv(e.key.value)}" now: set it with "Container DAGs: Set Secret", the environment variable ${e.key.value.toUpperCase()} or a .env file.`,
      );
      continue;
    }
    const s = ctx.text(e.value, `${what}["${e.key.value}"]`);
    if (s !== undefined) env[e.key.value] = s;
  }
}

/** `private_environment`: Airflow's masked environment. Each entry becomes a secret, never a literal in the file. */
function privateEnv(v: PyValue | undefined, ctx: ImportContext, secrets: Record<string, string>): void {
  if (!v || v.kind === 'none') return;
  if (v.kind !== 'dict') return ctx.computed(v, 'private_environment');
  for (const e of v.entries) {
    if (e.key.kind !== 'str') {
      ctx.computed(e.key, 'a key of private_environment');
      continue;
    }
    const name = e.key.value;
    const val = e.value;
    if (val.kind === 'env') secrets[name] = secretNameForEnv(val.name);
    else if (val.kind === 'call' && ['_secret', 'get'].includes(shortName(val.callee)) && val.args[0]?.kind === 'str') {
      // What cdag export writes (_secret("name", "ENV")), or Variable.get("name").
      secrets[name] = val.args[0].value;
    } else if (
      val.kind === 'str' &&
      /^\{\{\s*var\.value(?:\.get\(\s*['"]([\w.-]+)['"][^)]*\)|\.([\w-]+))\s*\}\}$/.test(val.value)
    ) {
      const m = /var\.value(?:\.get\(\s*['"]([\w.-]+)['"]|\.([\w-]+))/.exec(val.value)!;
      secrets[name] = secretNameForEnv(m[1] ?? m[2]!);
    } else if (val.kind === 'str') {
      secrets[name] = secretNameForEnv(name);
      ctx.report(
        val.node,
        'warning',
        'literal-secret',
        `private_environment["${name}"] is a literal in the Python file; the value was not copied. It is the secret "${secretNameForEnv(name)}" now: set it with "Container DAGs: Set Secret", the environment variable ${name.toUpperCase()} or a .env file.`,
      );
    } else ctx.computed(val, `private_environment["${name}"]`);
  }
}

/** `[Mount(source="/tmp/data", target="/data", type="bind")]` → `["data:/data"]`. */
function dockerMounts(v: PyValue | undefined, ctx: ImportContext, volumes: VolumeRegistry): string[] {
  if (!v || v.kind === 'none') return [];
  if (v.kind !== 'list') {
    ctx.computed(v, 'mounts');
    return [];
  }
  const out: string[] = [];
  for (const m of v.items) {
    if (m.kind !== 'call' || shortName(m.callee) !== 'Mount') {
      ctx.computed(m, 'an entry of mounts');
      continue;
    }
    const [targetArg, sourceArg, typeArg, roArg] = m.args;
    const target = m.kwargs.get('target') ?? targetArg;
    const source = m.kwargs.get('source') ?? sourceArg;
    const type = m.kwargs.get('type') ?? typeArg;
    const ro = m.kwargs.get('read_only') ?? roArg;
    const typeText = type?.kind === 'str' ? type.value : type ? undefined : 'volume';
    if (target?.kind !== 'str' || source?.kind !== 'str' || !typeText) {
      ctx.computed(m, 'a Mount whose source, target or type');
      continue;
    }
    if (typeText !== 'bind' && typeText !== 'volume') {
      ctx.report(
        m.node,
        'warning',
        'unsupported-argument',
        `Mount type "${typeText}" has no equivalent (bind and volume do); not translated.`,
      );
      continue;
    }
    const name = volumes.docker(source.value);
    out.push(`${name}:${target.value}${ro?.kind === 'bool' && ro.value ? ':ro' : ''}`);
  }
  return out;
}

/** The older provider's `volumes=["/host:/container:ro"]`. */
function volumeStrings(v: PyValue | undefined, ctx: ImportContext, volumes: VolumeRegistry): string[] {
  if (!v || v.kind === 'none') return [];
  if (v.kind !== 'list') {
    ctx.computed(v, 'volumes');
    return [];
  }
  const out: string[] = [];
  for (const item of v.items) {
    const parts = item.kind === 'str' ? item.value.split(':') : [];
    if (parts.length < 2 || parts.length > 3 || !parts[1]!.startsWith('/')) {
      if (item.kind === 'str')
        ctx.report(
          item.node,
          'warning',
          'unsupported-argument',
          `"${item.value}" is not SOURCE:/path[:ro]; not translated.`,
        );
      else ctx.computed(item, 'an entry of volumes');
      continue;
    }
    out.push(`${volumes.docker(parts[0]!)}:${parts[1]}${parts[2] === 'ro' ? ':ro' : ''}`);
  }
  return out;
}

/** Docker's `512m`/`1g` (binary units) or a byte count → `512Mi`/`1Gi`. */
function dockerMemory(v: PyValue | undefined, ctx: ImportContext): string | undefined {
  if (!v || v.kind === 'none') return undefined;
  if (v.kind === 'num') return String(Math.round(v.value));
  if (v.kind === 'str') {
    const m = /^(\d+)\s*([bkmg])?b?$/i.exec(v.value.trim());
    if (m) {
      const unit = (m[2] ?? 'b').toLowerCase();
      return unit === 'b' ? m[1] : `${m[1]}${unit.toUpperCase()}i`;
    }
  }
  ctx.computed(v, 'mem_limit');
  return undefined;
}

/** `[DeviceRequest(count=N, capabilities=[["gpu"]])]` → N. */
function gpuCount(v: PyValue | undefined, ctx: ImportContext): number | undefined {
  if (!v || v.kind === 'none') return undefined;
  const req = v.kind === 'list' && v.items.length === 1 ? v.items[0] : undefined;
  const count = req?.kind === 'call' && shortName(req.callee) === 'DeviceRequest' ? req.kwargs.get('count') : undefined;
  if (count?.kind === 'num' && Number.isInteger(count.value) && count.value > 0) return count.value;
  ctx.report(
    v.node,
    'warning',
    'unsupported-argument',
    'Only device_requests=[DeviceRequest(count=N, capabilities=[["gpu"]])] is translated (as resources.gpu).',
  );
  return undefined;
}
