/**
 * Lists Kubernetes merges element by element, by the field its strategic merge patch names (the
 * `patchMergeKey`s of core/v1); any other list is replaced whole, as the API server does.
 */
const MERGE_KEYS: Readonly<Record<string, string>> = Object.assign(Object.create(null) as Record<string, string>, {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  volumes: 'name',
  env: 'name',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  ports: 'containerPort',
  imagePullSecrets: 'name',
  hostAliases: 'ip',
  resourceClaims: 'name',
});

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/**
 * A strategic merge patch applied to a pod (`kubectl patch --type strategic`, Argo's `podSpecPatch`):
 * mappings merge key by key, lists of containers, volumes, env… merge by name, other lists and
 * scalars are replaced, `null` removes a field. Returns a new object; neither input is changed.
 */
export function strategicMerge<T>(base: T, patch: unknown, field = ''): T {
  if (patch === null) return undefined as T;
  if (Array.isArray(patch)) {
    const key = MERGE_KEYS[field];
    if (!key || !Array.isArray(base)) return structuredClone(patch) as T;
    const out = (base as unknown[]).map((x) => structuredClone(x));
    for (const item of patch) {
      const at = isObject(item) ? out.findIndex((x) => isObject(x) && x[key] === item[key]) : -1;
      if (at >= 0) out[at] = strategicMerge(out[at], item);
      else out.push(structuredClone(item));
    }
    return out as T;
  }
  if (!isObject(patch) || !isObject(base)) return structuredClone(patch) as T;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    const merged = strategicMerge(out[k], v, k);
    if (merged === undefined) delete out[k];
    // A patch is user input: `__proto__` is a key like any other, never the object's prototype.
    else Object.defineProperty(out, k, { value: merged, enumerable: true, writable: true, configurable: true });
  }
  return out as T;
}
