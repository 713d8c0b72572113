import type { Dag, Service } from '../../dag/model';
import { resourceQuantities } from '../../dag/quantity';
import { secretKeyRef } from '../../dag/secretRefs';
import type { ArgoInput } from './argoTemplates';
import { tolerationJson } from '../../dag/tolerations';

type Json = string | number | boolean | null | Json[] | { [key: string]: Json | undefined };
type JsonMap = { [key: string]: Json | undefined };

/**
 * Run-scoped services as Argo daemon steps: a `daemon: true` template whose container carries the
 * service's readiness check as its readiness probe, and a DAG task the tasks that need it depend on
 * (Argo goes on once a daemon is ready). Those tasks reach it under its name through `hostAliases`
 * to the daemon's pod IP (`{{tasks.NAME.ip}}`, passed as an input), as cdag does on a cluster
 * without DNS. Argo stops daemons when the DAG ends, not after their last task.
 */
export function serviceTemplates(
  dag: Dag,
  taken: ReadonlySet<string>,
  argoName: (s: string) => string,
  translate: (s: string, service: string, field: string) => string,
): { readonly names: ReadonlyMap<string, string>; readonly templates: JsonMap[]; readonly tasks: JsonMap[] } {
  const used = [...dag.services.values()].filter((s) => dag.tasks.some((t) => t.services.includes(s.name)));
  const names = new Map<string, string>();
  const templates: JsonMap[] = [];
  const tasks: JsonMap[] = [];
  for (const s of used) {
    const base = `svc-${argoName(s.name)}`;
    let n = base;
    for (let i = 2; taken.has(n) || [...names.values()].includes(n); i++) n = `${base}-${i}`;
    names.set(s.name, n);
    templates.push(daemonTemplate(dag, s, n, translate));
    tasks.push({ name: n, template: n });
  }
  return { names, templates, tasks };
}

function daemonTemplate(
  dag: Dag,
  s: Service,
  name: string,
  translate: (s: string, service: string, field: string) => string,
): JsonMap {
  const tmpl = (v: string, field: string) => translate(v, s.name, field);
  const container: JsonMap = { image: tmpl(s.image, 'image') };
  if (s.command) container.command = s.command.map((c) => tmpl(c, 'command'));
  if (s.args) container.args = s.args.map((a) => tmpl(a, 'args'));
  const env: JsonMap[] = Object.entries(s.env).map(([n, v]) => ({ name: n, value: tmpl(v, `env.${n}`) }));
  for (const [n, ref] of Object.entries(s.secrets))
    env.push({ name: n, valueFrom: { secretKeyRef: secretKeyRef(ref) } });
  if (env.length) container.env = env;
  const ports = new Set(s.ports.map((p) => p.port));
  if (s.ready?.tcp !== undefined) ports.add(s.ready.tcp);
  if (ports.size) container.ports = [...ports].sort((a, b) => a - b).map((containerPort) => ({ containerPort }));
  const r = s.ready;
  if (r) {
    const seconds = (ms: number) => Math.max(1, Math.round(ms / 1000));
    // A port as a number: Kubernetes reads a string as a port's name.
    const check = r.command ? { exec: { command: [...r.command] } } : { tcpSocket: { port: r.tcp! } };
    const period = { periodSeconds: seconds(r.intervalMs), timeoutSeconds: seconds(r.intervalMs) };
    container.readinessProbe = { ...check, ...period, failureThreshold: 1 };
    // Not ready within the timeout fails the daemon (and the tasks after it), as cdag fails them:
    // a readiness probe alone would wait for ever.
    container.startupProbe = {
      ...check,
      ...period,
      failureThreshold: Math.max(1, Math.ceil(r.timeoutMs / r.intervalMs)),
    };
  }
  const envFrom = dag.kubernetes.envFrom.map((e) => ({
    ...(e.prefix ? { prefix: e.prefix } : {}),
    ...(e.configMap ? { configMapRef: { name: e.configMap } } : {}),
    ...(e.secret ? { secretRef: { name: e.secret } } : {}),
  }));
  if (envFrom.length) container.envFrom = envFrom;
  const q = resourceQuantities(s);
  if (q) container.resources = { requests: q, limits: q };
  container.imagePullPolicy = s.imagePullPolicy;
  const template: JsonMap = { name, daemon: true };
  const k = dag.kubernetes;
  // Scheduled where the DAG's tasks are: its node selector and tolerations.
  if (Object.keys(k.nodeSelector).length) template.nodeSelector = { ...k.nodeSelector };
  if (k.tolerations.length) template.tolerations = k.tolerations.map((t) => tolerationJson(t) as JsonMap);
  template.container = container;
  return template;
}

/** The input a task's template reads a service's address from. */
export const serviceInput = (argoTask: string): string => `${argoTask}-ip`;

/** What a task that needs services adds: the inputs with the daemons' IPs, and their names as hosts. */
export function serviceAliases(
  services: readonly string[],
  names: ReadonlyMap<string, string>,
  inputs: Map<string, ArgoInput>,
): JsonMap[] {
  return services.map((s) => {
    const task = names.get(s)!;
    inputs.set(serviceInput(task), { kind: 'service', task });
    return { ip: `{{inputs.parameters.${serviceInput(task)}}}`, hostnames: [s] };
  });
}
