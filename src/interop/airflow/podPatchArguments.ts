import { strategicMerge } from '../../dag/podPatch';
import { elementModel, modelFields } from '../../dag/podModel';
import { call, type Py } from './python';
import { own } from '../../util/dict';

/** `containerPort` → `container_port`; the Python client spells `exec` and `from` with a leading underscore. */
function snake(camel: string): string {
  if (camel === 'exec' || camel === 'from') return `_${camel}`;
  return camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/**
 * API JSON as the Python client's objects — `k8s.V1ContainerPort(container_port=8080)` — which the
 * KubernetesPodOperator's converters insist on for ports, init containers and the like.
 */
export function k8sPython(value: unknown, type: string): Py {
  if (value === null || value === undefined) return null;
  if (type.startsWith('Array<') && Array.isArray(value)) return value.map((v) => k8sPython(v, type.slice(6, -1)));
  const model = elementModel(type);
  const fields = model ? modelFields(model) : undefined;
  if (fields && typeof value === 'object' && !Array.isArray(value)) {
    const kw: Record<string, Py> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>))
      kw[snake(k)] = k8sPython(v, own(fields, k) ?? 'any');
    return call(`k8s.${model}`, kw);
  }
  return value as Py;
}

/**
 * A task's pod patch (the DAG's, then its own) as KubernetesPodOperator arguments: affinity,
 * priority_class_name, host_network, security_context, init_containers, and the task container's
 * ports and security context; whatever has no argument of its own goes to `pod_template_dict`,
 * whose container `base` is the operator's (ours is `task`).
 */
export function podPatchArguments(
  dagPatch: Readonly<Record<string, unknown>> | undefined,
  taskPatch: Readonly<Record<string, unknown>> | undefined,
  securityContext: Py | undefined,
): Record<string, Py> {
  if (!dagPatch && !taskPatch) return {};
  const patch = strategicMerge(structuredClone(dagPatch ?? {}), taskPatch ?? {}) as Record<string, unknown>;
  const kw: Record<string, Py> = {};
  const spec = { ...((patch.spec as Record<string, unknown> | undefined) ?? {}) };
  for (const [key, arg, type] of [
    ['affinity', 'affinity', 'V1Affinity'],
    ['priorityClassName', 'priority_class_name', 'string'],
    ['hostNetwork', 'host_network', 'boolean'],
    ['securityContext', 'security_context', 'V1PodSecurityContext'],
    ['initContainers', 'init_containers', 'Array<V1Container>'],
  ] as const) {
    if (spec[key] === undefined) continue;
    kw[arg] = k8sPython(spec[key], type);
    delete spec[key];
  }
  if (Array.isArray(spec.containers)) {
    const containers = (spec.containers as Array<Record<string, unknown>>).map((c) => ({ ...c }));
    const main = containers.find((c) => c.name === 'task');
    if (main?.ports) {
      kw.ports = k8sPython(main.ports, 'Array<V1ContainerPort>');
      delete main.ports;
    }
    if (main?.securityContext) {
      kw.container_security_context = {
        ...((securityContext as Record<string, Py> | undefined) ?? {}),
        ...(main.securityContext as Record<string, Py>),
      };
      delete main.securityContext;
    }
    const rest = containers
      .map((c) => (c.name === 'task' ? { ...c, name: 'base' } : c))
      .filter((c) => Object.keys(c).length > 1);
    if (rest.length) spec.containers = rest;
    else delete spec.containers;
  }
  const template = { ...patch, ...(Object.keys(spec).length ? { spec } : {}) };
  if (!Object.keys(spec).length) delete template.spec;
  if (Object.keys(template).length) kw.pod_template_dict = template as Py;
  return kw;
}
