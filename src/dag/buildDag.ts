import { parseDate } from './dates';
import { parseDuration } from './duration';
import {
  DEFAULT_RETRY_DELAY_MS,
  DEFAULT_STARTUP_TIMEOUT_MS,
  type Dag,
  type ExpandSource,
  type Mount,
  type PodOverrides,
  type Task,
  type Toleration,
  type Volume,
} from './model';
import { buildServices, groupDefaults, groupsOf, withGroupDependencies } from './buildStructure';
import { imagesOf, withBuild } from './buildImages';
import { parseMount } from './mount';
import { parseCpu, parseMemory } from './quantity';
import { parseSchedule } from './schedule';
import {
  DELETE_POD_POLICIES,
  PULL_POLICIES,
  TRIGGER_RULES,
  type DeletePods,
  type PullPolicy,
  type TriggerRule,
} from './schema';
import { shellSplit } from './shellSplit';
import { dict } from '../util/dict';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const obj = (v: unknown): Obj => (isObj(v) ? v : {});
const str = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
const strMap = (v: unknown): Record<string, string> => {
  const out = dict<string>();
  for (const [k, x] of Object.entries(obj(v))) {
    const s = str(x);
    if (s !== undefined) out[k] = s;
  }
  return out;
};
const strList = (v: unknown): string[] | undefined => {
  if (typeof v === 'string') return shellSplit(v);
  if (!Array.isArray(v)) return undefined;
  return v.map((x) => str(x) ?? '').filter((x, i) => x !== '' || str((v as unknown[])[i]) !== undefined);
};
const oneOf = <T extends string>(v: unknown, allowed: readonly T[], fallback: T): T =>
  allowed.includes(v as T) ? (v as T) : fallback;
const duration = (v: unknown): number | undefined => {
  const s = str(v);
  if (s === undefined) return undefined;
  const d = parseDuration(s);
  return d.succeeded ? d.result : undefined;
};

/** Defaults merged into a task: the task's own value wins; maps merge, lists replace. */
export function mergeDefaults(defaults: Obj, task: Obj): Obj {
  const out: Obj = dict(Object.entries(defaults));
  for (const [k, v] of Object.entries(task)) {
    out[k] = isObj(v) && isObj(out[k]) ? mergeDefaults(out[k] as Obj, v) : v;
  }
  return out;
}

function podOverrides(v: unknown): PodOverrides {
  const o = obj(v);
  const tolerations: Toleration[] = (Array.isArray(o.tolerations) ? o.tolerations : []).filter(isObj).map((t) => ({
    ...(str(t.key) !== undefined ? { key: str(t.key)! } : {}),
    ...(t.operator === 'Equal' || t.operator === 'Exists' ? { operator: t.operator } : {}),
    ...(str(t.value) !== undefined ? { value: str(t.value)! } : {}),
    ...(t.effect === 'NoSchedule' || t.effect === 'PreferNoSchedule' || t.effect === 'NoExecute'
      ? { effect: t.effect }
      : {}),
    ...(typeof t.toleration_seconds === 'number' ? { tolerationSeconds: t.toleration_seconds } : {}),
  }));
  const envFrom = (Array.isArray(o.env_from) ? o.env_from : []).filter(isObj).map((e) => ({
    ...(str(e.config_map) ? { configMap: str(e.config_map)! } : {}),
    ...(str(e.secret) ? { secret: str(e.secret)! } : {}),
    ...(str(e.prefix) ? { prefix: str(e.prefix)! } : {}),
  }));
  return {
    ...(str(o.service_account) ? { serviceAccount: str(o.service_account)! } : {}),
    envFrom,
    ...(isObj(o.pod) ? { pod: o.pod } : {}),
    labels: strMap(o.labels),
    annotations: strMap(o.annotations),
    nodeSelector: strMap(o.node_selector),
    tolerations,
  };
}

function buildTask(id: string, t: Obj, dockerPull: PullPolicy | undefined): Task {
  const mounts: Mount[] = [];
  for (const m of Array.isArray(t.mounts) ? t.mounts : []) {
    const parsed = typeof m === 'string' ? parseMount(m) : undefined;
    if (parsed?.succeeded) {
      const { sourceSpan: _s, ...mount } = parsed.result;
      mounts.push(mount);
    }
  }
  const res = obj(t.resources);
  const cpu = str(res.cpu) !== undefined ? parseCpu(str(res.cpu)!) : undefined;
  const memory = str(res.memory) !== undefined ? parseMemory(str(res.memory)!) : undefined;
  const command = strList(t.command);
  const args = strList(t.args);
  const timeoutMs = duration(t.timeout);
  const expand = new Map<string, ExpandSource>();
  for (const [name, v] of Object.entries(obj(t.expand))) {
    if (Array.isArray(v)) expand.set(name, { kind: 'items', items: v as unknown[] });
    else if (typeof v === 'string') expand.set(name, { kind: 'template', template: v });
  }
  return {
    id,
    image: str(t.image) ?? '',
    ...(command ? { command } : {}),
    ...(args ? { args } : {}),
    env: strMap(t.env),
    secrets: strMap(t.secrets),
    ...(str(t.working_dir) ? { workingDir: str(t.working_dir)! } : {}),
    ...(str(t.user) ? { user: str(t.user)! } : {}),
    mounts,
    dependsOn: (strList(t.depends_on) ?? []).filter((d, i, all) => d !== id && all.indexOf(d) === i),
    triggerRule: oneOf<TriggerRule>(t.trigger_rule, TRIGGER_RULES, 'all_success'),
    retries: typeof t.retries === 'number' && t.retries >= 0 ? Math.floor(t.retries) : 0,
    retryDelayMs: duration(t.retry_delay) ?? DEFAULT_RETRY_DELAY_MS,
    retryExponentialBackoff: t.retry_exponential_backoff === true,
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    resources: {
      ...(cpu?.succeeded ? { cpu: cpu.result } : {}),
      ...(memory?.succeeded ? { memoryBytes: memory.result } : {}),
      ...(typeof res.gpu === 'number' ? { gpu: res.gpu } : {}),
    },
    imagePullPolicy: oneOf<PullPolicy>(t.image_pull_policy, PULL_POLICIES, dockerPull ?? 'IfNotPresent'),
    ...(str(t.network) ? { network: str(t.network)! } : {}),
    kubernetes: podOverrides(t.kubernetes),
    outputs: strList(t.outputs) ?? [],
    ...(expand.size ? { expand } : {}),
    ...(typeof t.expand_max_active === 'number' && t.expand_max_active >= 1
      ? { expandMaxActive: Math.floor(t.expand_max_active) }
      : {}),
    skipOnExitCode: Array.isArray(t.skip_on_exit_code)
      ? t.skip_on_exit_code.filter((c): c is number => typeof c === 'number' && Number.isInteger(c))
      : [],
    ...(str(t.when) !== undefined ? { when: str(t.when)! } : {}),
    dependsOnPast: t.depends_on_past === true,
    ...(str(t.group) ? { group: str(t.group)! } : {}),
    services: (strList(t.services) ?? []).filter((x) => x !== ''),
  };
}

/** The typed model of a DAG from its plain value. Invalid values fall back to defaults: callers check problems first. */
export function buildDag(value: unknown, fallbackId: string): Dag {
  const root = obj(value);
  const defaults = obj(root.defaults);
  const docker = obj(root.docker);
  const k8s = obj(root.kubernetes);
  const dockerPull = PULL_POLICIES.includes(docker.pull as PullPolicy) ? (docker.pull as PullPolicy) : undefined;
  const scheduleText = str(root.schedule);
  const parsedSchedule = parseSchedule(scheduleText);
  const date = (v: unknown) => {
    const s = str(v);
    const d = s === undefined ? undefined : parseDate(s);
    return d?.succeeded ? d.result : undefined;
  };
  const startDate = date(root.start_date);
  const endDate = date(root.end_date);
  const volumes = dict<Volume>();
  for (const [name, v] of Object.entries(obj(root.volumes))) {
    const vo = obj(v);
    const kv = isObj(vo.kubernetes) ? vo.kubernetes : undefined;
    volumes[name] = {
      name,
      ...(str(vo.docker) ? { docker: str(vo.docker)! } : {}),
      ...(kv
        ? {
            kubernetes: {
              ...(str(kv.claim) ? { claim: str(kv.claim)! } : {}),
              ...(str(kv.host_path) ? { hostPath: str(kv.host_path)! } : {}),
              ...('empty_dir' in kv ? { emptyDir: true } : {}),
              ...(str(kv.secret) ? { secret: str(kv.secret)! } : {}),
              ...(str(kv.config_map) ? { configMap: str(kv.config_map)! } : {}),
            },
          }
        : {}),
    };
  }
  const groupsRoot = obj(root.groups);
  const rawTasks = Object.entries(obj(root.tasks)).map(([id, t]) => [id, obj(t)] as const);
  const groups = groupsOf(
    groupsRoot,
    rawTasks.map(([, t]) => str(t.group)),
  );
  // DAG defaults, then each group's from the outermost in, then the task's own.
  const images = imagesOf(root.images);
  const dagId = str(root.dag) ?? fallbackId;
  const tasks = withGroupDependencies(
    rawTasks.map(([id, t]) => {
      const merged = mergeDefaults(mergeDefaults(defaults, groupDefaults(groupsRoot, str(t.group), mergeDefaults)), t);
      return withBuild(buildTask(id, merged, dockerPull), merged.build, images, dagId);
    }),
    groups,
  );
  const startupTimeoutMs = duration(k8s.startup_timeout);
  return {
    id: dagId,
    ...(str(root.description) ? { description: str(root.description)! } : {}),
    schedule: 'schedule' in parsedSchedule ? parsedSchedule.schedule : { kind: 'manual' },
    ...(scheduleText ? { scheduleText } : {}),
    ...(startDate ? { startDate } : {}),
    ...(endDate ? { endDate } : {}),
    catchup: root.catchup !== false,
    params: dict(Object.entries(obj(root.params))),
    ...(typeof root.max_active_tasks === 'number' ? { maxActiveTasks: root.max_active_tasks } : {}),
    volumes,
    docker: {
      ...(str(docker.network) ? { network: str(docker.network)! } : {}),
      ...(str(docker.host) ? { host: str(docker.host)! } : {}),
      ...(dockerPull ? { pull: dockerPull } : {}),
    },
    kubernetes: {
      ...podOverrides(k8s),
      ...(str(k8s.context) ? { context: str(k8s.context)! } : {}),
      ...(str(k8s.namespace) ? { namespace: str(k8s.namespace)! } : {}),
      imagePullSecrets: (strList(k8s.image_pull_secrets) ?? []).filter((s) => s !== ''),
      startupTimeoutMs: startupTimeoutMs ?? DEFAULT_STARTUP_TIMEOUT_MS,
      deletePods: oneOf<DeletePods>(k8s.delete_pods, DELETE_POD_POLICIES, 'on_success'),
    },
    tasks,
    groups,
    services: buildServices(root.services, dockerPull),
    images,
  };
}
