// The Pod's fields and their types as @kubernetes/client-node's generated models describe them
// (their attribute type maps), every model reachable from V1Pod: src/dag/podModel.json, written by
// `npm run schema` (and checked by `npm run schema -- --check`, so an upgrade of client-node that
// changes the Pod cannot go unnoticed). A `kubernetes.pod` patch is checked against it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';

type Attr = { baseName: string; type: string };
type Model = { getAttributeTypeMap(): Attr[] };

export function podModelText(root: string): string {
  const models = k8s as unknown as Record<string, Model | undefined>;
  const out: Record<string, Record<string, string>> = {};
  const queue = ['V1Pod'];
  while (queue.length) {
    const name = queue.shift()!;
    if (out[name]) continue;
    const model = models[name];
    if (!model?.getAttributeTypeMap) throw new Error(`no model ${name} in @kubernetes/client-node`);
    const fields: Record<string, string> = {};
    for (const a of model.getAttributeTypeMap()) {
      fields[a.baseName] = a.type;
      for (const m of a.type.match(/\b(V\d\w*|Core\w+)\b/g) ?? []) if (!out[m]) queue.push(m);
    }
    out[name] = fields;
  }
  const { version } = JSON.parse(
    readFileSync(join(root, 'node_modules', '@kubernetes', 'client-node', 'package.json'), 'utf8'),
  ) as { version: string };
  return `${JSON.stringify({ source: `@kubernetes/client-node ${version}`, root: 'V1Pod', models: out }, null, 1)}\n`;
}
