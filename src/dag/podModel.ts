import type { Node } from 'yaml';
import { own } from '../util/dict';
import { problem, type Problem } from './problem';
import type { ObjectSpec, Spec } from './schema';
import MODEL from './podModel.json';
import { didYouMean } from './suggest';
import { isMap, isScalar, isSeq, rangeOf } from './yamlNodes';

type Models = Readonly<Record<string, Readonly<Record<string, string>>>>;
const MODELS = MODEL.models as Models;

/** What a `kubernetes.pod` patch may not ask for without the user's consent per run. */
export interface PodPatchRisk {
  readonly kind: 'host-network' | 'host-path' | 'host-namespace' | 'privileged';
  readonly subject: string;
}

/** The fields of a model (`V1PodSpec`), JSON names → types as client-node writes them. */
export function modelFields(model: string): Readonly<Record<string, string>> | undefined {
  return own(MODELS, model);
}

/** The model a type names, for descending: `Array<V1Container>` → `V1Container`. */
export function elementModel(type: string): string | undefined {
  const m = /^(?:Array<)?((?:V\d\w*|Core\w+))>?$/.exec(type);
  return m?.[1];
}

/**
 * Checks a Kubernetes object written in YAML against client-node's model of its type: unknown
 * fields (with did-you-mean) and values of the wrong type, each at its range. Only the shape is
 * checked; the API server checks the rest when the pod is created.
 */
export function checkModel(node: unknown, model: string, text: string, out: Problem[], path = ''): void {
  const fields = modelFields(model);
  if (!fields) return;
  if (!isMap(node)) {
    out.push(
      problem(
        'wrong-type',
        'error',
        `Expected a mapping (a Kubernetes ${model.replace(/^V1/, '')}).`,
        rangeOf(node as Node),
      ),
    );
    return;
  }
  for (const pair of node.items) {
    const key = pair.key;
    if (!isScalar(key)) continue;
    const k = String(key.value);
    const type = own(fields, k);
    if (!type) {
      const guess = didYouMean(k, Object.keys(fields));
      out.push(
        problem(
          'unknown-key',
          'error',
          `Unknown field "${k}" in ${path || model.replace(/^V1/, '')} (Kubernetes ${model}).${guess ? ` Did you mean "${guess}"?` : ''}`,
          rangeOf(key),
          guess ? { fixes: [{ title: `Change to "${guess}"`, range: rangeOf(key), newText: guess }] } : {},
        ),
      );
      continue;
    }
    checkValue(pair.value, type, text, out, path ? `${path}.${k}` : k);
  }
}

function checkValue(value: unknown, type: string, text: string, out: Problem[], path: string): void {
  const at = rangeOf(value as Node);
  const wrong = (what: string): void => {
    out.push(problem('wrong-type', 'error', `${path}: expected ${what} (Kubernetes type ${type}).`, at));
  };
  if (value === null || value === undefined || (isScalar(value) && value.value === null)) return;
  if (type.startsWith('Array<')) {
    if (!isSeq(value)) return wrong('a list');
    const inner = type.slice(6, -1);
    value.items.forEach((item, i) => checkValue(item, inner, text, out, `${path}[${i}]`));
    return;
  }
  const sub = elementModel(type);
  if (sub) return checkModel(value, sub, text, out, path);
  switch (type) {
    case 'string':
    case 'Date':
      if (!isScalar(value) || typeof value.value === 'object') wrong('text');
      return;
    case 'number':
      if (!isScalar(value) || typeof value.value !== 'number') wrong('a number');
      return;
    case 'boolean':
      if (!isScalar(value) || typeof value.value !== 'boolean') wrong('true or false');
      return;
    case 'IntOrString':
      if (!isScalar(value) || (typeof value.value !== 'number' && typeof value.value !== 'string'))
        wrong('a number or text');
      return;
    case '{ [key: string]: string; }':
      if (!isMap(value)) return wrong('a mapping of text');
      for (const p of value.items)
        if (!isScalar(p.value) || typeof p.value.value === 'object')
          out.push(problem('wrong-type', 'error', `${path}: values are text.`, rangeOf(p.value as Node)));
      return;
    default:
      return; // `any`: free-form
  }
}

/** What a pod patch (as plain data) asks for that needs consent: host network/namespaces, host paths, privilege. */
export function podPatchRisks(patch: unknown): PodPatchRisk[] {
  const out: PodPatchRisk[] = [];
  const spec = (patch as { spec?: Record<string, unknown> } | undefined)?.spec;
  if (!spec || typeof spec !== 'object') return out;
  if (spec.hostNetwork === true) out.push({ kind: 'host-network', subject: 'host' });
  for (const ns of ['hostPID', 'hostIPC', 'hostUsers'] as const)
    if (spec[ns] === true && ns !== 'hostUsers') out.push({ kind: 'host-namespace', subject: ns });
  for (const v of Array.isArray(spec.volumes) ? spec.volumes : []) {
    const path = (v as { hostPath?: { path?: unknown } }).hostPath?.path;
    if (typeof path === 'string') out.push({ kind: 'host-path', subject: path });
  }
  for (const list of ['containers', 'initContainers', 'ephemeralContainers'])
    for (const c of Array.isArray(spec[list]) ? (spec[list] as unknown[]) : []) {
      const sc = (c as { securityContext?: { privileged?: unknown; allowPrivilegeEscalation?: unknown } })
        .securityContext;
      if (sc?.privileged === true)
        out.push({ kind: 'privileged', subject: String((c as { name?: unknown }).name ?? list) });
    }
  return out;
}

const specs = new Map<string, ObjectSpec>();

/** A model as the schema's object spec, for completion and hover inside a `pod` patch. */
export function modelSpec(model: string): ObjectSpec | undefined {
  const fields = modelFields(model);
  if (!fields) return undefined;
  let spec = specs.get(model);
  if (!spec) {
    const out: Record<string, Spec> = {};
    for (const [k, type] of Object.entries(fields)) out[k] = typeSpec(type, `Kubernetes ${model} field (${type}).`);
    spec = { kind: 'object', doc: `A Kubernetes ${model}.`, fields: out };
    specs.set(model, spec);
  }
  return spec;
}

function typeSpec(type: string, doc: string): Spec {
  if (type.startsWith('Array<')) return { kind: 'list', doc, items: typeSpec(type.slice(6, -1), doc) };
  const sub = elementModel(type);
  if (sub) return { kind: 'any', doc, model: sub };
  if (type === 'number') return { kind: 'number', doc };
  if (type === 'boolean') return { kind: 'boolean', doc };
  if (type.startsWith('{')) return { kind: 'map', doc, values: { kind: 'string', doc: 'A value.' } };
  return type === 'any' ? { kind: 'any', doc } : { kind: 'string', doc };
}
