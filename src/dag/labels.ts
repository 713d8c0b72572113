/** Label keys that mark what this tool created, so it can be found again after a crash. */
export const LABEL_PREFIX = 'io.container-dags';
export const LABELS = {
  managedBy: `${LABEL_PREFIX}/managed-by`,
  dag: `${LABEL_PREFIX}/dag`,
  runId: `${LABEL_PREFIX}/run-id`,
  task: `${LABEL_PREFIX}/task`,
  tryNumber: `${LABEL_PREFIX}/try`,
  /** On a run-scoped service's container or pod (and its Kubernetes Service): the service's name. */
  service: `${LABEL_PREFIX}/service`,
} as const;
export const MANAGED_BY = 'container-dags';

/** A Kubernetes label value: at most 63 of `[A-Za-z0-9_.-]`, alphanumeric at both ends. */
export function labelValue(s: string): string {
  let v = s.replace(/[^A-Za-z0-9_.-]/g, '_');
  if (v.length > 63) v = `${v.slice(0, 54)}-${hash(s).slice(0, 8)}`;
  return v.replace(/^[^A-Za-z0-9]+/, '').replace(/[^A-Za-z0-9]+$/, '');
}

/** FNV-1a, hex: short stable suffixes for names, not security. */
export function hash(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

export function runLabels(dagId: string, runId: string, taskId: string, tryNumber: number): Record<string, string> {
  return {
    [LABELS.managedBy]: MANAGED_BY,
    [LABELS.dag]: labelValue(dagId),
    [LABELS.runId]: labelValue(runId),
    [LABELS.task]: labelValue(taskId),
    [LABELS.tryNumber]: String(tryNumber),
  };
}

/** Names one attempt among a run's containers or pods, from their labels. */
export function attemptKey(taskId: string, tryNumber: number | string): string {
  return `${labelValue(taskId)}#${tryNumber}`;
}

/** Names a run's service among its containers, pods and Services, as `attemptKey` names an attempt. */
export const serviceKey = (service: string): string => `service:${labelValue(service)}`;

/** The key of what carries these labels: a service's, else an attempt's. */
export function keyOfLabels(labels: Readonly<Record<string, string>>): string {
  const service = labels[LABELS.service];
  return service !== undefined
    ? serviceKey(service)
    : attemptKey(labels[LABELS.task] ?? '', labels[LABELS.tryNumber] ?? '');
}

/** What marks a run-scoped service's container, pod or Service as this tool's, for the run. */
export function serviceLabels(dagId: string, runId: string, service: string): Record<string, string> {
  return {
    [LABELS.managedBy]: MANAGED_BY,
    [LABELS.dag]: labelValue(dagId),
    [LABELS.runId]: labelValue(runId),
    [LABELS.service]: labelValue(service),
  };
}
