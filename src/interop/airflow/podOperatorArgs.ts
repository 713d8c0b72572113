import type { Dag, Task } from '../../dag/model';
import { resourceQuantities } from '../../dag/quantity';
import { secretKeyRef } from '../../dag/secretRefs';
import type { ExportNote } from '../exportNote';
import { podPatchArguments } from './podPatchArguments';
import { call, type Py } from './python';
import { AIRFLOW_OUTPUT_PATHS } from './pythonHelpers';

/** What an operator's arguments need of the export: the DAG, templates in Airflow's spelling, notes. */
export interface OperatorContext {
  readonly dag: Dag;
  tmpl(s: string, t: Task, field: string, rendered?: boolean): string;
  note(severity: ExportNote['severity'], task: string | undefined, message: string): void;
}

const DELETE_PODS = { always: 'delete_pod', on_success: 'delete_succeeded_pod', never: 'keep_pod' } as const;

export function mapValues(m: Readonly<Record<string, string>>, f: (v: string, k: string) => Py): Record<string, Py> {
  return Object.fromEntries(Object.entries(m).map(([k, v]) => [k, f(v, k)]));
}

/** A task as KubernetesPodOperator arguments (the pod model of the runner, backwards). */
export function podOperatorArgs(t: Task, c: OperatorContext): Record<string, Py | undefined> {
  const k = c.dag.kubernetes;
  const kw: Record<string, Py | undefined> = {
    name:
      t.id
        .toLowerCase()
        .replace(/[^a-z0-9-]/g, '-')
        .replace(/^-+|-+$/g, '') || 'task',
  };
  if (k.namespace) kw.namespace = k.namespace;
  kw.image = c.tmpl(t.image, t, 'image');
  if (t.command) kw.cmds = t.command.map((x) => c.tmpl(x, t, 'command'));
  if (t.args) kw.arguments = t.args.map((a) => c.tmpl(a, t, 'args'));
  const plain = mapValues(t.env, (v, key) => c.tmpl(v, t, `env.${key}`));
  // The operator's sidecar reads this file into the XCom return_value; the subclass splits it per output.
  if (t.outputs.length) plain.CDAG_OUTPUT = AIRFLOW_OUTPUT_PATHS.kubernetes;
  if (t.outputs.length) kw.do_xcom_push = true;
  if (Object.keys(t.secrets).length) {
    // As V1EnvVar with a secretKeyRef, not Secret(): Secret upper-cases the variable's name.
    kw.env_vars = [
      ...Object.entries(plain).map(([name, value]) => call('k8s.V1EnvVar', { name, value })),
      ...Object.entries(t.secrets).map(([name, ref]) =>
        call('k8s.V1EnvVar', {
          name,
          value_from: call('k8s.V1EnvVarSource', {
            secret_key_ref: call('k8s.V1SecretKeySelector', secretKeyRef(ref)),
          }),
        }),
      ),
    ];
  } else if (Object.keys(plain).length) kw.env_vars = plain;
  const volumes = new Map<string, Py>();
  const mounts: Py[] = [];
  for (const m of t.mounts) {
    const v = m.volume ? c.dag.volumes[m.volume]?.kubernetes : undefined;
    if (!m.volume || !v) {
      c.note(
        'warning',
        t.id,
        `the mount ${m.volume ?? m.hostPath ?? '?'}:${m.target} has no Kubernetes source; not exported.`,
      );
      continue;
    }
    const source = v.claim
      ? { persistent_volume_claim: call('k8s.V1PersistentVolumeClaimVolumeSource', { claim_name: v.claim }) }
      : v.hostPath
        ? { host_path: call('k8s.V1HostPathVolumeSource', { path: v.hostPath }) }
        : v.secret
          ? { secret: call('k8s.V1SecretVolumeSource', { secret_name: v.secret }) }
          : v.configMap
            ? { config_map: call('k8s.V1ConfigMapVolumeSource', { name: v.configMap }) }
            : { empty_dir: call('k8s.V1EmptyDirVolumeSource') };
    volumes.set(m.volume, call('k8s.V1Volume', { name: m.volume, ...source }));
    mounts.push(call('k8s.V1VolumeMount', { name: m.volume, mount_path: m.target, read_only: m.readOnly }));
  }
  if (volumes.size) kw.volumes = [...volumes.values()];
  if (mounts.length) kw.volume_mounts = mounts;
  const res = resourceQuantities(t);
  if (res) kw.container_resources = call('k8s.V1ResourceRequirements', { requests: res, limits: res });
  // The operator has no working_dir argument; a pod spec it merges its own container into does.
  if (t.workingDir)
    kw.full_pod_spec = call('k8s.V1Pod', {
      spec: call('k8s.V1PodSpec', {
        containers: [
          call('k8s.V1Container', { name: 'base', working_dir: c.tmpl(t.workingDir, t, 'working_dir', false) }),
        ],
      }),
    });
  if (t.user) {
    const uid = Number(t.user);
    if (Number.isInteger(uid)) kw.container_security_context = { runAsUser: uid };
    else
      c.note(
        'warning',
        t.id,
        `user "${t.user}" is not a numeric uid; Kubernetes needs runAsUser as a number. Not exported.`,
      );
  }
  kw.image_pull_policy = t.imagePullPolicy;
  const o = t.kubernetes;
  const sa = o.serviceAccount ?? k.serviceAccount;
  if (sa) kw.service_account_name = sa;
  const labels = { ...k.labels, ...o.labels };
  if (Object.keys(labels).length) kw.labels = labels;
  const annotations = { ...k.annotations, ...o.annotations };
  if (Object.keys(annotations).length) kw.annotations = annotations;
  const nodeSelector = { ...k.nodeSelector, ...o.nodeSelector };
  if (Object.keys(nodeSelector).length) kw.node_selector = nodeSelector;
  const tolerations = [...k.tolerations, ...o.tolerations];
  if (tolerations.length)
    kw.tolerations = tolerations.map((tol) =>
      call('k8s.V1Toleration', {
        key: tol.key,
        operator: tol.operator,
        value: tol.value,
        effect: tol.effect,
        toleration_seconds: tol.tolerationSeconds,
      }),
    );
  const envFrom = [...k.envFrom, ...o.envFrom];
  if (envFrom.length)
    kw.env_from = envFrom.map((e) =>
      call('k8s.V1EnvFromSource', {
        ...(e.configMap ? { config_map_ref: call('k8s.V1ConfigMapEnvSource', { name: e.configMap }) } : {}),
        ...(e.secret ? { secret_ref: call('k8s.V1SecretEnvSource', { name: e.secret }) } : {}),
        ...(e.prefix ? { prefix: e.prefix } : {}),
      }),
    );
  Object.assign(kw, podPatchArguments(k.pod, o.pod, kw.container_security_context));
  if (k.imagePullSecrets.length)
    kw.image_pull_secrets = k.imagePullSecrets.map((n) => call('k8s.V1LocalObjectReference', { name: n }));
  if (k.context) kw.cluster_context = k.context;
  kw.startup_timeout_seconds = Math.round(k.startupTimeoutMs / 1000);
  kw.on_finish_action = DELETE_PODS[k.deletePods];
  if (t.network) c.note('info', t.id, `network ${t.network} is Docker's; pods use the cluster network.`);
  return kw;
}
