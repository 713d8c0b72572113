import Ajv2020 from 'ajv/dist/2020';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Argo Workflows' published JSON schema (api/jsonschema/schema.json of argo-workflows v3.7.11, from
 * the Go module proxy; `bash scripts/argo-schema.sh` fetches it again), as published and closed:
 * every object that lists its properties rejects others, so a misspelt key fails too.
 */
export const ARGO_SCHEMA = join(__dirname, '..', 'fixtures', 'argo', 'argo-workflows-v3.7.11.schema.json');

type Json = unknown;

function closeObjects(node: Json): void {
  if (Array.isArray(node)) return node.forEach(closeObjects);
  if (!node || typeof node !== 'object') return;
  const o = node as Record<string, Json>;
  if (o.properties && typeof o.properties === 'object' && !('additionalProperties' in o))
    o.additionalProperties = false;
  for (const v of Object.values(o)) closeObjects(v);
}

export type ArgoValidate = (doc: unknown) => string[];

export function argoValidator(): ArgoValidate {
  const schema = JSON.parse(readFileSync(ARGO_SCHEMA, 'utf8')) as { definitions: Record<string, Json> };
  closeObjects(schema.definitions);
  // Kubernetes' IntOrString takes a number too (a probe's port must be one: a string is a port's
  // name); the published schema lists only its string form.
  schema.definitions['io.k8s.apimachinery.pkg.util.intstr.IntOrString'] = { type: ['string', 'integer'] };
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
  const extensions = new Set<string>();
  (function collect(n: Json): void {
    if (Array.isArray(n)) return n.forEach(collect);
    if (n && typeof n === 'object')
      for (const [k, v] of Object.entries(n)) {
        if (k.startsWith('x-')) extensions.add(k);
        collect(v);
      }
  })(schema);
  for (const k of extensions) ajv.addKeyword(k);
  const int = (lo: number, hi: number) => ({
    type: 'number' as const,
    validate: (x: number) => Number.isInteger(x) && x >= lo && x <= hi,
  });
  ajv.addFormat('int32', int(-(2 ** 31), 2 ** 31 - 1));
  ajv.addFormat('int64', int(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER));
  ajv.addFormat('uint64', int(0, Number.MAX_SAFE_INTEGER));
  ajv.addFormat('byte', /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/);
  ajv.addFormat('date-time', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)$/i);
  ajv.addSchema(schema, 'argo');
  return (doc) => {
    const kind = (doc as { kind?: string }).kind;
    if (kind !== 'Workflow' && kind !== 'CronWorkflow') return [`kind ${String(kind)} is not Workflow or CronWorkflow`];
    const fn = ajv.getSchema(`argo#/definitions/io.argoproj.workflow.v1alpha1.${kind}`)!;
    if (fn(doc)) return [];
    return (fn.errors ?? []).map(
      (e) =>
        `${e.instancePath || '/'} ${e.message ?? ''}${e.keyword === 'additionalProperties' ? ` (${String((e.params as { additionalProperty: string }).additionalProperty)})` : ''}`,
    );
  };
}
