import { DAG_SPEC, TASK_SPEC, type ObjectSpec, type Spec } from './schema';

type Json = { [k: string]: unknown };

const FORMAT_PATTERNS: Record<string, string> = {
  duration: '^(\\d+d)?(\\d+h)?(\\d+m)?(\\d+s)?(\\d+ms)?$',
  date: '^\\d{4}-\\d{2}-\\d{2}([T ]\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?(Z|[+-]\\d{2}:?\\d{2})?)?$',
  mount: '^[^:]+:/[^:]*(:(ro|rw))?$',
  cpu: '^(\\d+(\\.\\d+)?|\\.\\d+)m?$',
  memory: '^(\\d+(\\.\\d+)?)(Ki|Mi|Gi|Ti|Pi|Ei|[kMGTPE])?$',
};

/** JSON Schema (draft-07) of the DAG format, for Red Hat YAML and other tools. */
export function toJsonSchema(): Json {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://container-dags.dev/schemas/dag.schema.json',
    title: 'Container DAG',
    ...convert(DAG_SPEC),
    // A task's required fields may come from `defaults` instead: either defaults has them, or every task does.
    anyOf: [
      { required: ['defaults'], properties: { defaults: requiredOf(TASK_SPEC) } },
      { properties: { tasks: { additionalProperties: requiredOf(TASK_SPEC) } } },
    ],
  };
}

/** An object's required keys; one another key makes unnecessary is either of the two. */
function requiredOf(spec: ObjectSpec): Json {
  const unless = spec.requiredUnless ?? {};
  const plain = (spec.required ?? []).filter((r) => !Object.prototype.hasOwnProperty.call(unless, r));
  const either = (spec.required ?? []).filter((r) => Object.prototype.hasOwnProperty.call(unless, r));
  return {
    ...(plain.length ? { required: plain } : {}),
    ...(either.length
      ? { allOf: either.map((r) => ({ anyOf: [{ required: [r] }, { required: [unless[r]!] }] })) }
      : {}),
  };
}

function convert(spec: Spec): Json {
  const description = spec.doc;
  switch (spec.kind) {
    case 'any':
      return { description };
    case 'boolean':
      return { type: 'boolean', description };
    case 'integer':
    case 'number':
      return {
        type: spec.kind,
        description,
        ...(spec.minimum !== undefined ? { minimum: spec.minimum } : {}),
        ...(spec.kind === 'integer' && spec.maximum !== undefined ? { maximum: spec.maximum } : {}),
      };
    case 'string': {
      // As the validator does: a number or boolean whose text is what was written counts as text
      // (`command: [true]`). JSON loses the written text, so the schema accepts them all.
      const base: Json = { type: spec.enum ? 'string' : ['string', 'number', 'boolean'], description };
      if (spec.enum) base.enum = [...spec.enum];
      const pattern = spec.pattern ?? (spec.format ? FORMAT_PATTERNS[spec.format] : undefined);
      if (pattern && !spec.templated) base.pattern = pattern;
      return base;
    }
    case 'stringOrList':
      return {
        description,
        oneOf: [{ type: 'string' }, { type: 'array', items: { type: ['string', 'number', 'boolean'] } }],
      };
    case 'listOrTemplate':
      return { description, oneOf: [{ type: 'array' }, { type: 'string', pattern: '\\{\\{' }] };
    case 'list':
      return { type: 'array', description, items: convert(spec.items) };
    case 'map':
      return {
        type: 'object',
        description,
        ...(spec.keyPattern ? { propertyNames: { pattern: spec.keyPattern } } : {}),
        additionalProperties: convert(spec.values),
      };
    case 'object':
      return {
        type: 'object',
        description,
        additionalProperties: false,
        ...(spec.required && !spec.defaultable ? { required: [...spec.required] } : {}),
        properties: Object.fromEntries(Object.entries(spec.fields).map(([k, v]) => [k, convert(v)])),
      };
  }
}
