import { strategicMerge } from '../../dag/podPatch';
import type { Py } from './python';

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
  for (const [key, arg] of [
    ['affinity', 'affinity'],
    ['priorityClassName', 'priority_class_name'],
    ['hostNetwork', 'host_network'],
    ['securityContext', 'security_context'],
    ['initContainers', 'init_containers'],
  ] as const) {
    if (spec[key] === undefined) continue;
    kw[arg] = spec[key] as Py;
    delete spec[key];
  }
  if (Array.isArray(spec.containers)) {
    const containers = (spec.containers as Array<Record<string, unknown>>).map((c) => ({ ...c }));
    const main = containers.find((c) => c.name === 'task');
    if (main?.ports) {
      kw.ports = main.ports as Py;
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
