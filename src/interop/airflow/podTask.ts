import { shortName, type Kwargs, type PyValue } from '../python/values';
import { baseTaskFields, reportUnused, taker } from './baseOperator';
import type { DagWish } from './dagWish';
import type { MappedTask } from './dockerTask';
import { envEntries } from './dockerTask';
import type { Doc, DocMap, ImportContext } from './importContext';
import type { VolumeRegistry } from './volumes';
import { k8sJson } from './k8sObjects';
import { strategicMerge } from '../../dag/podPatch';

const FINISH_ACTIONS: Readonly<Record<string, string>> = {
  delete_pod: 'always',
  delete_succeeded_pod: 'on_success',
  keep_pod: 'never',
};

/** KubernetesPodOperator arguments about how Airflow reaches the cluster or reads the pod; nothing to carry over. */
const POD_IGNORED = new Set([
  'name',
  'random_name_suffix',
  'in_cluster',
  'config_file',
  'get_logs',
  'log_events_on_failure',
  'reattach_on_restart',
  'kubernetes_conn_id',
  'poll_interval',
  'deferrable',
]);

/** `KubernetesPodOperator(...)` → a task, following the spec's pod table backwards. */
export function podTask(kwargs: Kwargs, ctx: ImportContext, volumes: VolumeRegistry): MappedTask {
  const used = new Set<string>();
  const take = taker(kwargs, used);
  const task: DocMap = {};
  const wishes: DagWish[] = [];
  const wish = (path: string, v: PyValue | undefined, value: Doc | undefined): void => {
    if (v && value !== undefined) wishes.push({ path, value, node: v.node });
  };
  task.image = ctx.text(take('image'), 'image');
  const cmds = ctx.textList(take('cmds'), 'cmds', { commandLine: true });
  if (cmds !== undefined) task.command = cmds;
  const args = ctx.textList(take('arguments'), 'arguments', { commandLine: true });
  if (args !== undefined) task.args = args;

  const env: Record<string, string> = {};
  const secrets: Record<string, string> = {};
  const envVars = take('env_vars');
  if (envVars?.kind === 'list') for (const e of envVars.items) v1EnvVar(e, ctx, env, secrets);
  else envEntries(envVars, 'env_vars', ctx, env, secrets);
  secretObjects(take('secrets'), ctx, secrets);
  if (Object.keys(env).length) task.env = env;
  if (Object.keys(secrets).length) task.secrets = secrets;

  const volumeNames = podVolumes(take('volumes'), ctx, volumes);
  const mounts = volumeMounts(take('volume_mounts'), ctx, volumeNames);
  if (mounts.length) task.mounts = mounts;
  const resources = containerResources(take('container_resources'), ctx);
  if (resources) task.resources = resources;
  const policy = take('image_pull_policy');
  const policyText = ctx.text(policy, 'image_pull_policy');
  if (policyText) task.image_pull_policy = policyText;

  // The pod fields this format has no key for go into the task's `kubernetes.pod` patch.
  const spec: DocMap = {};
  const main: DocMap = {};
  const security = take('container_security_context');
  const securityJson = security ? k8sJson(security, ctx, 'container_security_context') : undefined;
  const uid = securityJson && typeof securityJson === 'object' ? (securityJson as DocMap).runAsUser : undefined;
  if (typeof uid === 'number' && Object.keys(securityJson as DocMap).length === 1) task.user = String(uid);
  else if (securityJson && typeof securityJson === 'object') main.securityContext = securityJson;
  for (const [arg, key] of [
    ['affinity', 'affinity'],
    ['priority_class_name', 'priorityClassName'],
    ['host_network', 'hostNetwork'],
    ['security_context', 'securityContext'],
    ['init_containers', 'initContainers'],
  ] as const) {
    const v = take(arg);
    const json = v ? k8sJson(v, ctx, arg) : undefined;
    if (json !== undefined && !(Array.isArray(json) && json.length === 0)) spec[key] = json;
  }
  const ports = take('ports');
  const portsJson = ports ? k8sJson(ports, ctx, 'ports') : undefined;
  if (Array.isArray(portsJson) && portsJson.length) main.ports = portsJson;
  if (Object.keys(main).length) spec.containers = [{ name: 'task', ...main }];
  const template = take('pod_template_dict');
  const pod = mergeTemplate({ ...(Object.keys(spec).length ? { spec } : {}) }, template, ctx);

  const fullPod = take('full_pod_spec');
  const container = fullPod ? firstContainer(fullPod) : undefined;
  const wd = container ? kw(container, 'working_dir') : undefined;
  if (wd?.kind === 'str') task.working_dir = wd.value;
  else if (fullPod && fullPod.kind !== 'none')
    ctx.report(
      fullPod.node,
      'warning',
      'unsupported-argument',
      'Of full_pod_spec only the container’s working_dir is translated.',
    );

  const overrides: DocMap = {};
  const sa = ctx.text(take('service_account_name'), 'service_account_name');
  if (sa) overrides.service_account = sa;
  for (const [arg, key] of [
    ['labels', 'labels'],
    ['annotations', 'annotations'],
    ['node_selector', 'node_selector'],
  ] as const) {
    const m = ctx.stringMap(take(arg), arg);
    if (m && Object.keys(m).length) overrides[key] = m;
  }
  const tolerations = podTolerations(take('tolerations'), ctx);
  if (tolerations.length) overrides.tolerations = tolerations;
  const envFrom = envFromSources(take('env_from'), ctx);
  if (envFrom.length) overrides.env_from = envFrom;
  if (Object.keys(pod).length) overrides.pod = pod;
  if (Object.keys(overrides).length) task.kubernetes = overrides;

  const ns = take('namespace');
  wish('kubernetes.namespace', ns, ctx.text(ns, 'namespace'));
  const context = take('cluster_context');
  wish('kubernetes.context', context, ctx.text(context, 'cluster_context'));
  const startup = take('startup_timeout_seconds');
  const startupSeconds = ctx.int(startup, 'startup_timeout_seconds');
  wish('kubernetes.startup_timeout', startup, startupSeconds === undefined ? undefined : `${startupSeconds}s`);
  const pullSecrets = imagePullSecrets(take('image_pull_secrets'), ctx);
  if (pullSecrets.length)
    wishes.push({
      path: 'kubernetes.image_pull_secrets',
      value: pullSecrets,
      node: kwargs.get('image_pull_secrets')!.node,
    });
  const finish = take('on_finish_action');
  if (finish?.kind === 'str' && FINISH_ACTIONS[finish.value])
    wish('kubernetes.delete_pods', finish, FINISH_ACTIONS[finish.value]);
  else if (finish) ctx.computed(finish, 'on_finish_action');
  const legacyDelete = take('is_delete_operator_pod');
  if (legacyDelete?.kind === 'bool' && !finish)
    wish('kubernetes.delete_pods', legacyDelete, legacyDelete.value ? 'always' : 'never');

  baseTaskFields(kwargs, ctx, task, used);
  for (const k of POD_IGNORED) {
    const v = take(k);
    if (v)
      ctx.report(
        v.node,
        'info',
        'ignored-argument',
        `${k} only tunes how Airflow reaches the cluster or names the pod; not needed here.`,
      );
  }
  reportUnused(kwargs, used, ctx, 'KubernetesPodOperator');
  return { task, wishes, used };
}

/** `env_from=[V1EnvFromSource(config_map_ref=V1ConfigMapEnvSource(name=…), prefix=…)]` → `env_from` entries. */
function envFromSources(v: PyValue | undefined, ctx: ImportContext): DocMap[] {
  if (!v || v.kind === 'none') return [];
  if (v.kind !== 'list') {
    ctx.computed(v, 'env_from');
    return [];
  }
  const out: DocMap[] = [];
  for (const e of v.items) {
    const json = k8sJson(e, ctx, 'an entry of env_from') as DocMap | undefined;
    const cm = (json?.configMapRef as DocMap | undefined)?.name;
    const secret = (json?.secretRef as DocMap | undefined)?.name;
    if (typeof cm !== 'string' && typeof secret !== 'string') {
      ctx.report(
        e.node,
        'warning',
        'unsupported-argument',
        'An env_from entry without a named ConfigMap or Secret is not translated.',
      );
      continue;
    }
    out.push({
      ...(typeof cm === 'string' ? { config_map: cm } : {}),
      ...(typeof secret === 'string' ? { secret } : {}),
      ...(typeof json?.prefix === 'string' ? { prefix: json.prefix } : {}),
    });
  }
  return out;
}

/** `pod_template_dict` under the explicit arguments (they win, as KPO's own fields win over its template); its `base` container is the task's. */
function mergeTemplate(pod: DocMap, template: PyValue | undefined, ctx: ImportContext): DocMap {
  if (!template || template.kind === 'none') return pod;
  const json = k8sJson(template, ctx, 'pod_template_dict');
  if (!json || typeof json !== 'object' || Array.isArray(json)) return pod;
  const t = structuredClone(json) as DocMap;
  const tspec = t.spec as DocMap | undefined;
  if (Array.isArray(tspec?.containers))
    tspec!.containers = (tspec!.containers as DocMap[]).map((c) => (c.name === 'base' ? { ...c, name: 'task' } : c));
  return strategicMerge(t, pod) as DocMap;
}

function kw(v: PyValue, name: string, position?: number): PyValue | undefined {
  if (v.kind !== 'call') return undefined;
  return v.kwargs.get(name) ?? (position === undefined ? undefined : v.args[position]);
}

function str(v: PyValue | undefined): string | undefined {
  return v?.kind === 'str' ? v.value : undefined;
}

/** `k8s.V1EnvVar(name=…, value=…)` or with `value_from=V1EnvVarSource(secret_key_ref=V1SecretKeySelector(name, key))`. */
function v1EnvVar(e: PyValue, ctx: ImportContext, env: Record<string, string>, secrets: Record<string, string>): void {
  if (e.kind !== 'call' || shortName(e.callee) !== 'V1EnvVar') return ctx.computed(e, 'an entry of env_vars');
  const name = str(kw(e, 'name', 0));
  if (!name) return ctx.computed(e, 'an env var whose name');
  const from = kw(e, 'value_from', 2);
  if (from) {
    const ref = kw(from, 'secret_key_ref');
    const secret = ref ? str(kw(ref, 'name')) : undefined;
    const key = ref ? str(kw(ref, 'key')) : undefined;
    if (secret && key) secrets[name] = key === secret ? secret : `${secret}/${key}`;
    else
      ctx.report(
        from.node,
        'warning',
        'unsupported-argument',
        `env var ${name}: only value_from a secret_key_ref is translated.`,
      );
    return;
  }
  const value = ctx.text(kw(e, 'value', 1), `env var ${name}`);
  if (value !== undefined) env[name] = value;
}

/** `Secret("env", "VAR", "secret-name", "key")` → `VAR: secret-name/key`. */
function secretObjects(v: PyValue | undefined, ctx: ImportContext, secrets: Record<string, string>): void {
  if (!v || v.kind === 'none') return;
  if (v.kind !== 'list') return ctx.computed(v, 'secrets');
  for (const s of v.items) {
    if (s.kind !== 'call' || shortName(s.callee) !== 'Secret') {
      ctx.computed(s, 'an entry of secrets');
      continue;
    }
    const deployType = str(kw(s, 'deploy_type', 0));
    const target = str(kw(s, 'deploy_target', 1));
    const secret = str(kw(s, 'secret', 2));
    const key = str(kw(s, 'key', 3));
    if (deployType !== 'env') {
      ctx.report(
        s.node,
        'warning',
        'unsupported-argument',
        `Secret mounted as a ${deployType ?? '?'}: only "env" secrets are translated.`,
      );
      continue;
    }
    if (!target || !secret) {
      ctx.report(
        s.node,
        'warning',
        'unsupported-argument',
        'A Secret without an env var name (all keys as env) is not translated; name the key.',
      );
      continue;
    }
    secrets[target] = key && key !== secret ? `${secret}/${key}` : secret;
  }
}

/** `V1Volume(name, persistent_volume_claim=…|host_path=…|empty_dir=…)` → the import's volume names. */
function podVolumes(v: PyValue | undefined, ctx: ImportContext, volumes: VolumeRegistry): Map<string, string> {
  const names = new Map<string, string>();
  if (!v || v.kind === 'none') return names;
  if (v.kind !== 'list') {
    ctx.computed(v, 'volumes');
    return names;
  }
  for (const vol of v.items) {
    const name = vol.kind === 'call' && shortName(vol.callee) === 'V1Volume' ? str(kw(vol, 'name', 0)) : undefined;
    if (!name) {
      ctx.computed(vol, 'an entry of volumes');
      continue;
    }
    const pvc = kw(vol, 'persistent_volume_claim');
    const hostPath = kw(vol, 'host_path');
    const emptyDir = kw(vol, 'empty_dir');
    const secret = kw(vol, 'secret');
    const configMap = kw(vol, 'config_map');
    let source: DocMap | undefined;
    if (pvc) source = { claim: str(kw(pvc, 'claim_name', 0)) };
    else if (hostPath) source = { host_path: str(kw(hostPath, 'path', 0)) };
    else if (emptyDir) source = { empty_dir: {} };
    else if (secret) source = { secret: str(kw(secret, 'secret_name')) };
    else if (configMap) source = { config_map: str(kw(configMap, 'name')) };
    if (!source || Object.values(source).some((x) => x === undefined)) {
      ctx.report(
        vol.node,
        'warning',
        'unsupported-argument',
        `Volume ${name}: only a PVC, a hostPath, an emptyDir, a Secret or a ConfigMap is translated.`,
      );
      continue;
    }
    names.set(name, volumes.kubernetes(name, source));
  }
  return names;
}

function volumeMounts(v: PyValue | undefined, ctx: ImportContext, names: ReadonlyMap<string, string>): string[] {
  if (!v || v.kind === 'none') return [];
  if (v.kind !== 'list') {
    ctx.computed(v, 'volume_mounts');
    return [];
  }
  const out: string[] = [];
  for (const m of v.items) {
    const name = m.kind === 'call' && shortName(m.callee) === 'V1VolumeMount' ? str(kw(m, 'name', 0)) : undefined;
    const path = str(kw(m, 'mount_path', 1));
    if (!name || !path) {
      ctx.computed(m, 'an entry of volume_mounts');
      continue;
    }
    const sub = kw(m, 'sub_path');
    if (sub && sub.kind !== 'none')
      ctx.report(
        sub.node,
        'warning',
        'unsupported-argument',
        'sub_path has no equivalent; the whole volume is mounted.',
      );
    const volume = names.get(name);
    if (!volume) {
      ctx.report(
        m.node,
        'warning',
        'unsupported-argument',
        `The volume mount names ${name}, which is not among this operator's volumes.`,
      );
      continue;
    }
    const ro = kw(m, 'read_only');
    out.push(`${volume}:${path}${ro?.kind === 'bool' && ro.value ? ':ro' : ''}`);
  }
  return out;
}

/** Requests and limits are one value here (requests = limits); limits win when both are given. */
function containerResources(v: PyValue | undefined, ctx: ImportContext): DocMap | undefined {
  if (!v || v.kind === 'none') return undefined;
  if (v.kind !== 'call' || shortName(v.callee) !== 'V1ResourceRequirements') {
    ctx.computed(v, 'container_resources');
    return undefined;
  }
  const pick = (field: string): Record<string, string> => ctx.stringMap(kw(v, field), field) ?? {};
  const merged = { ...pick('requests'), ...pick('limits') };
  const out: DocMap = {};
  if (merged.cpu) out.cpu = /^\d+(\.\d+)?$/.test(merged.cpu) ? Number(merged.cpu) : merged.cpu;
  if (merged.memory) out.memory = merged.memory;
  if (merged['nvidia.com/gpu']) out.gpu = Number(merged['nvidia.com/gpu']);
  return Object.keys(out).length ? out : undefined;
}

function podTolerations(v: PyValue | undefined, ctx: ImportContext): DocMap[] {
  if (!v || v.kind === 'none') return [];
  if (v.kind !== 'list') {
    ctx.computed(v, 'tolerations');
    return [];
  }
  const out: DocMap[] = [];
  for (const t of v.items) {
    const fields: DocMap = {};
    const get = (k: string): PyValue | undefined =>
      t.kind === 'call'
        ? t.kwargs.get(k)
        : t.kind === 'dict'
          ? t.entries.find((e) => str(e.key) === k)?.value
          : undefined;
    if (t.kind !== 'dict' && !(t.kind === 'call' && shortName(t.callee) === 'V1Toleration')) {
      ctx.computed(t, 'an entry of tolerations');
      continue;
    }
    for (const k of ['key', 'operator', 'value', 'effect']) {
      const s = str(get(k));
      if (s !== undefined) fields[k] = s;
    }
    const secs = get('toleration_seconds') ?? get('tolerationSeconds');
    if (secs?.kind === 'num') fields.toleration_seconds = secs.value;
    out.push(fields);
  }
  return out;
}

function imagePullSecrets(v: PyValue | undefined, ctx: ImportContext): string[] {
  if (!v || v.kind === 'none') return [];
  if (v.kind === 'str')
    return v.value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  if (v.kind === 'list') {
    return v.items.flatMap((i) => {
      const name = i.kind === 'str' ? i.value : str(kw(i, 'name', 0));
      if (!name) ctx.computed(i, 'an entry of image_pull_secrets');
      return name ? [name] : [];
    });
  }
  ctx.computed(v, 'image_pull_secrets');
  return [];
}

/** `k8s.V1Pod(spec=k8s.V1PodSpec(containers=[k8s.V1Container(...)]))` → that container. */
function firstContainer(pod: PyValue): PyValue | undefined {
  const spec = kw(pod, 'spec');
  const containers = spec ? kw(spec, 'containers') : undefined;
  return containers?.kind === 'list' ? containers.items[0] : undefined;
}
