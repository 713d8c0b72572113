import { fail, ok, type Errorable } from '../../util/errorable';
import type { Dag } from '../../dag/model';
import { tolerationJson } from '../../dag/tolerations';
import { hash, runLabels } from '../../dag/labels';
import { strategicMerge } from '../../dag/podPatch';
import { OUTPUT_PATHS } from '../outputs';
import type { RenderedTask } from '../renderTask';
import { resourceQuantities } from '../../dag/quantity';
import { secretKeyRef } from '../../dag/secretRefs';

/** The pod manifest fields this tool sets; names follow the Kubernetes API (core/v1 Pod). */
export interface PodManifest {
  apiVersion: 'v1';
  kind: 'Pod';
  metadata: { name: string; namespace: string; labels: Record<string, string>; annotations?: Record<string, string> };
  spec: {
    restartPolicy: 'Never';
    activeDeadlineSeconds: number;
    serviceAccountName?: string;
    automountServiceAccountToken: boolean;
    enableServiceLinks: boolean;
    imagePullSecrets?: Array<{ name: string }>;
    nodeSelector?: Record<string, string>;
    tolerations?: Array<Record<string, string | number>>;
    volumes?: Array<Record<string, unknown>>;
    hostAliases?: Array<{ ip: string; hostnames: string[] }>;
    containers: [
      {
        name: 'task';
        image: string;
        imagePullPolicy: string;
        command?: string[];
        args?: string[];
        env?: Array<
          { name: string; value: string } | { name: string; valueFrom: { secretKeyRef: { name: string; key: string } } }
        >;
        envFrom?: Array<Record<string, unknown>>;
        workingDir?: string;
        securityContext?: { runAsUser: number };
        volumeMounts?: Array<{ name: string; mountPath: string; readOnly?: boolean }>;
        resources?: { requests: Record<string, string>; limits: Record<string, string> };
        terminationMessagePath?: string;
        terminationMessagePolicy?: 'File';
      },
    ];
  };
}

/** Without a task timeout the cluster still kills a forgotten pod after a day. */
export const DEFAULT_ACTIVE_DEADLINE_SECONDS = 86_400;

/** A DNS-1123 label: lowercase, at most 63, with a hash of the run and try so retries never clash. */
export function podName(dagId: string, taskId: string, runId: string, tryNumber: number): string {
  const clean = (s: string) =>
    s
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-+|-+$/g, '');
  const suffix = hash(`${dagId}\u0000${runId}\u0000${taskId}\u0000${tryNumber}`);
  const base = `${clean(dagId).slice(0, 20)}-${clean(taskId).slice(0, 32)}`.replace(/^-+|-+$/g, '') || 'task';
  return `${base}-${suffix}`.replace(/--+/g, '-');
}

/** Task → Pod. Secrets are `secretKeyRef`s: the manifest never holds a secret's value. */
export function podManifest(dag: Dag, r: RenderedTask, runId: string, tryNumber: number): Errorable<PodManifest> {
  const t = r.task;
  const k = dag.kubernetes;
  const volumes: Array<Record<string, unknown>> = [];
  const volumeMounts: Array<{ name: string; mountPath: string; readOnly?: boolean }> = [];
  for (const m of r.mounts) {
    if (m.hostPath) {
      return fail(
        `Task "${t.id}" mounts the host path "${m.hostPath}", which only Docker understands. Declare a volume with a kubernetes source and mount it by name.`,
      );
    }
    const v = dag.volumes[m.volume ?? '']?.kubernetes;
    if (!v) {
      return fail(
        `Task "${t.id}" mounts volume "${m.volume}", which has no kubernetes source. Add "kubernetes: {claim: NAME}" under volumes.${m.volume}.`,
      );
    }
    const name = `vol-${(m.volume ?? '').toLowerCase().replace(/[^a-z0-9-]/g, '-')}`.slice(0, 63);
    if (!volumes.some((x) => x.name === name)) {
      volumes.push({
        name,
        ...(v.claim ? { persistentVolumeClaim: { claimName: v.claim } } : {}),
        ...(v.hostPath ? { hostPath: { path: v.hostPath, type: 'DirectoryOrCreate' } } : {}),
        ...(v.emptyDir ? { emptyDir: {} } : {}),
        ...(v.secret ? { secret: { secretName: v.secret } } : {}),
        ...(v.configMap ? { configMap: { name: v.configMap } } : {}),
      });
    }
    volumeMounts.push({ name, mountPath: m.target, ...(m.readOnly ? { readOnly: true } : {}) });
  }
  const env = [
    ...Object.entries(r.env).map(([name, value]) => ({ name, value })),
    ...Object.entries(t.secrets).map(([name, ref]) => ({ name, valueFrom: { secretKeyRef: secretKeyRef(ref) } })),
    ...(t.outputs.length ? [{ name: 'CDAG_OUTPUT', value: OUTPUT_PATHS.kubernetes }] : []),
  ];
  const envFrom = [...k.envFrom, ...t.kubernetes.envFrom].map((e) => ({
    ...(e.prefix ? { prefix: e.prefix } : {}),
    ...(e.configMap ? { configMapRef: { name: e.configMap } } : {}),
    ...(e.secret ? { secretRef: { name: e.secret } } : {}),
  }));
  const quantities = resourceQuantities(t) ?? {};
  const labels = { ...k.labels, ...t.kubernetes.labels, ...runLabels(dag.id, runId, t.id, tryNumber) };
  const annotations = { ...k.annotations, ...t.kubernetes.annotations };
  const nodeSelector = { ...k.nodeSelector, ...t.kubernetes.nodeSelector };
  const tolerations = [...k.tolerations, ...t.kubernetes.tolerations].map(tolerationJson);
  const serviceAccount = t.kubernetes.serviceAccount ?? k.serviceAccount;
  const startupSeconds = Math.ceil(k.startupTimeoutMs / 1000);
  const uid = t.user !== undefined && /^\d+$/.test(t.user) ? Number(t.user) : undefined;
  const pod: PodManifest = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: podName(dag.id, t.id, runId, tryNumber),
      namespace: k.namespace ?? 'default',
      labels,
      ...(Object.keys(annotations).length ? { annotations } : {}),
    },
    spec: {
      restartPolicy: 'Never',
      // A backstop beyond our own timeout: pending time counts against the deadline too.
      activeDeadlineSeconds: t.timeoutMs
        ? Math.ceil(t.timeoutMs / 1000) + startupSeconds
        : DEFAULT_ACTIVE_DEADLINE_SECONDS,
      ...(serviceAccount ? { serviceAccountName: serviceAccount } : {}),
      // A task gets API credentials only when its DAG names a service account for it: a DAG file may
      // come from someone else's repository. Without the token's projected volume and the variables
      // of every Service in the namespace, each pod also starts sooner (`kubernetes.pod` may set either).
      automountServiceAccountToken: serviceAccount !== undefined,
      enableServiceLinks: false,
      ...(k.imagePullSecrets.length ? { imagePullSecrets: k.imagePullSecrets.map((name) => ({ name })) } : {}),
      ...(Object.keys(nodeSelector).length ? { nodeSelector } : {}),
      ...(tolerations.length ? { tolerations } : {}),
      ...(volumes.length ? { volumes } : {}),
      containers: [
        {
          name: 'task',
          image: r.image,
          imagePullPolicy: t.imagePullPolicy,
          ...(r.command ? { command: [...r.command] } : {}),
          ...(r.args ? { args: [...r.args] } : {}),
          ...(env.length ? { env } : {}),
          ...(envFrom.length ? { envFrom } : {}),
          ...(r.workingDir ? { workingDir: r.workingDir } : {}),
          ...(uid !== undefined ? { securityContext: { runAsUser: uid } } : {}),
          ...(volumeMounts.length ? { volumeMounts } : {}),
          ...(Object.keys(quantities).length ? { resources: { requests: quantities, limits: { ...quantities } } } : {}),
          // Outputs travel as the termination message: the kubelet puts it in the container status.
          ...(t.outputs.length
            ? { terminationMessagePath: OUTPUT_PATHS.kubernetes, terminationMessagePolicy: 'File' as const }
            : {}),
        },
      ],
    },
  };
  // The DAG's patch, then the task's; what identifies the pod as ours (name, labels) stays ours.
  let patched = pod;
  for (const patch of [k.pod, t.kubernetes.pod]) if (patch) patched = strategicMerge(patched, patch);
  patched.metadata = {
    ...patched.metadata,
    name: pod.metadata.name,
    labels: { ...patched.metadata.labels, ...pod.metadata.labels },
  };
  patched.spec.restartPolicy = 'Never';
  // A patch may shorten the deadline, never remove it.
  patched.spec.activeDeadlineSeconds ??= pod.spec.activeDeadlineSeconds;
  return ok(patched);
}
