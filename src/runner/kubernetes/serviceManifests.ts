import type { V1Pod, V1Service } from '@kubernetes/client-node';
import type { Dag, Service } from '../../dag/model';
import { hash, serviceLabels } from '../../dag/labels';
import { resourceQuantities } from '../../dag/quantity';
import { secretKeyRef } from '../../dag/secretRefs';
import { DEFAULT_ACTIVE_DEADLINE_SECONDS, tolerationJson } from './podSpec';

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
  return {
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
      activeDeadlineSeconds: DEFAULT_ACTIVE_DEADLINE_SECONDS,
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
}

/**
 * The Service in front of the pod: a ClusterIP that tasks' pods reach under the service's name
 * (`hostAliases`, since a cluster may have no DNS); headless when the service declares no port.
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
