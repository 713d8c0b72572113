import type { Toleration } from './model';

/** A toleration as the Kubernetes API (and Argo) write it: only the fields that are set. */
export function tolerationJson(t: Toleration): Record<string, string | number> {
  return {
    ...(t.key !== undefined ? { key: t.key } : {}),
    ...(t.operator ? { operator: t.operator } : {}),
    ...(t.value !== undefined ? { value: t.value } : {}),
    ...(t.effect ? { effect: t.effect } : {}),
    ...(t.tolerationSeconds !== undefined ? { tolerationSeconds: t.tolerationSeconds } : {}),
  };
}
