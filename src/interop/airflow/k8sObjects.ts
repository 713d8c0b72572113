import type { PyValue } from '../python/values';
import type { Doc, DocMap, ImportContext } from './importContext';
import { dict } from '../../util/dict';

/** `node_affinity` → `nodeAffinity`; the Python client's `_exec`, `_from` → `exec`, `from`. */
export function camel(snake: string): string {
  return snake.replace(/^_+/, '').replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/**
 * A Kubernetes object as Airflow code writes it — `k8s.V1Affinity(node_affinity=…)` calls with
 * snake_case keywords, or dicts in the API's camelCase — as the API's JSON (what a `kubernetes.pod`
 * patch holds). What cannot be read literally is said and left out.
 */
export function k8sJson(v: PyValue, ctx: ImportContext, what: string): Doc | undefined {
  switch (v.kind) {
    case 'str':
    case 'num':
    case 'bool':
      return v.value;
    case 'none':
      return undefined;
    case 'list': {
      const out: Doc[] = [];
      for (const item of v.items) {
        const d = k8sJson(item, ctx, what);
        if (d !== undefined) out.push(d);
      }
      return out;
    }
    case 'dict': {
      const out = dict<Doc>() as DocMap;
      for (const e of v.entries) {
        if (e.key.kind !== 'str') {
          ctx.computed(e.key, `a key of ${what}`);
          continue;
        }
        const d = k8sJson(e.value, ctx, what);
        if (d !== undefined) out[e.key.value] = d;
      }
      return out;
    }
    case 'call': {
      if (v.args.length) {
        ctx.report(
          v.node,
          'warning',
          'unsupported-argument',
          `${what}: positional arguments of a Kubernetes object are not read; write them as keywords.`,
        );
      }
      const out = dict<Doc>() as DocMap;
      for (const [k, val] of v.kwargs) {
        const d = k8sJson(val, ctx, what);
        if (d !== undefined) out[camel(k)] = d;
      }
      return out;
    }
    default:
      ctx.computed(v, what);
      return undefined;
  }
}
