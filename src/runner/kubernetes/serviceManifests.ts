import type { V1Pod, V1Service } from '@kubernetes/client-node';
import type { Dag, Service } from '../../dag/model';
import { hash, serviceLabels } from '../../dag/labels';
import { resourceQuantities } from '../../dag/quantity';
import { secretKeyRef } from '../../dag/secretRefs';
import { tolerationJson } from '../../dag/tolerations';
import { strategicMerge } from '../../dag/podPatch';

/**
 * A service pod's backstop when its runner dies and no takeover removes it: longer than a task's
 * (a run with long retry delays outlives a day), still bounded.
 */
export const SERVICE_DEADLINE_SECONDS = 7 * 86_400;

/** The container of a service's pod: `kubectl logs POD -c service`. */
export const SERVICE_CONTAINER = 'service';

/**
 * The pod's and the Service object's name: a DNS-1035 label (a letter first), unique per run and
 * service so two runs of one DAG in a namespace never meet.
 */
export function serviceObjectName(dagId: string, service: string, runId: string): string {
  const clean = (s: string) =>
    s
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-+|-+$/g, '');
  const base = `cdag-${clean(dagId).slice(0, 16)}-svc-${clean(service).slice(0, 24)}`.replace(/--+/g, '-');
  return `${base}-${hash(`${dagId}\u0000${runId}\u0000${service}`)}`.replace(/--+/g, '-');
}

/** The ports tasks reach: the declared ones and the readiness port. */
export function servicePorts(s: Service): number[] {
  const ports = new Set(s.ports.map((p) => p.port));
  if (s.ready?.tcp !== undefined) ports.add(s.ready.tcp);
  return [...ports].sort((a, b) => a - b);
}

/**
 * A service as a pod: the DAG's scheduling settings (node selector, tolerations, service account,
 * pull secrets) as its tasks get them, secrets as `secretKeyRef`s, and `ready` as the container's
 * readiness probe, which the kubelet runs and reports in the pod's Ready condition.
 */
export function servicePod(dag: Dag, s: Service, runId: string, namespace: string): V1Pod {
  const k = dag.kubernetes;
  const r = s.ready;
  const seconds = (ms: number) => Math.max(1, Math.round(ms / 1000));
  const quantities = resourceQuantities(s);
  const env = [
    ...Object.entries(s.env).map(([name, value]) => ({ name, value })),
    ...Object.entries(s.secrets).map(([name, ref]) => ({ name, valueFrom: { secretKeyRef: secretKeyRef(ref) } })),
  ];
  const nodeSelector = { ...k.nodeSelector };
  const tolerations = k.tolerations.map(tolerationJson);
  const envFrom = k.envFrom.map((e) => ({
    ...(e.prefix ? { prefix: e.prefix } : {}),
    ...(e.configMap ? { configMapRef: { name: e.configMap } } : {}),
    ...(e.secret ? { secretRef: { name: e.secret } } : {}),
  }));
  const pod: V1Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: serviceObjectName(dag.id, s.name, runId),
      namespace,
      labels: { ...k.labels, ...serviceLabels(dag.id, runId, s.name) },
      ...(Object.keys(k.annotations).length ? { annotations: { ...k.annotations } } : {}),
    },
    spec: {
      restartPolicy: 'Never',
      // The run stops it; a runner that died leaves it to the takeover, or to this backstop.
      activeDeadlineSeconds: SERVICE_DEADLINE_SECONDS,
      ...(k.serviceAccount ? { serviceAccountName: k.serviceAccount } : {}),
      ...(k.imagePullSecrets.length ? { imagePullSecrets: k.imagePullSecrets.map((name) => ({ name })) } : {}),
      ...(Object.keys(nodeSelector).length ? { nodeSelector } : {}),
      ...(tolerations.length ? { tolerations } : {}),
      containers: [
        {
          name: SERVICE_CONTAINER,
          image: s.image,
          imagePullPolicy: s.imagePullPolicy,
          ...(s.command ? { command: [...s.command] } : {}),
          ...(s.args ? { args: [...s.args] } : {}),
          ...(env.length ? { env } : {}),
          ...(envFrom.length ? { envFrom } : {}),
          ports: servicePorts(s).map((containerPort) => ({ containerPort, protocol: 'TCP' })),
          ...(quantities ? { resources: { requests: quantities, limits: { ...quantities } } } : {}),
          ...(r
            ? {
                readinessProbe: {
                  ...(r.command ? { exec: { command: [...r.command] } } : { tcpSocket: { port: r.tcp! } }),
                  periodSeconds: seconds(r.intervalMs),
                  timeoutSeconds: seconds(r.intervalMs),
                  failureThreshold: 1,
                },
              }
            : {}),
        },
      ],
    },
  };
  // The DAG's pod patch applies as to its tasks' pods (a securityContext a namespace requires); what
  // identifies the pod as this run's service stays ours.
  if (!k.pod) return pod;
  const patched = strategicMerge(pod, k.pod);
  patched.metadata = {
    ...patched.metadata,
    name: pod.metadata!.name!,
    labels: { ...patched.metadata?.labels, ...pod.metadata!.labels },
  };
  patched.spec = { ...patched.spec!, restartPolicy: 'Never' };
  patched.spec.activeDeadlineSeconds ??= SERVICE_DEADLINE_SECONDS;
  return patched;
}

/**
 * The Service in front of the pod: the run's service under a name the cluster knows (`kubectl get
 * svc`, DNS where the cluster has it); headless when the service declares no port. The run's own
 * tasks reach the pod's IP under the service's name (`hostAliases`): no wait for endpoints to be
 * programmed after the pod is ready, and every port, as on Docker.
 */
export function serviceObject(dag: Dag, s: Service, runId: string, namespace: string): V1Service {
  const ports = servicePorts(s);
  const labels = serviceLabels(dag.id, runId, s.name);
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: serviceObjectName(dag.id, s.name, runId), namespace, labels },
    spec: {
      selector: labels,
      ...(ports.length
        ? { ports: ports.map((port) => ({ name: `p${port}`, port, targetPort: port, protocol: 'TCP' })) }
        : { clusterIP: 'None' }),
    },
  };
}
