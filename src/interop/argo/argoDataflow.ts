import type { Task } from '../../dag/model';
import { scanTemplates } from '../../dag/template';
import type { ExportNote } from '../exportNote';
import type { ArgoInput } from './argoTemplates';

/** Filters that end a template in a truth. */
const TRUTHS = new Set(['eq', 'ne', 'gt', 'ge', 'lt', 'le', 'in', 'not']);

/**
 * Format v2 in Argo's terms. A task's outputs file is its output parameter `output` (read from an
 * emptyDir at /cdag after the container exits); downstream templates get it as an input parameter
 * and read values with `jsonpath`. `expand` is `withItems` (literal lists, crossed) or `withParam`
 * (one upstream output), each variable passed as the input `item-VAR`; `when` is Argo's `when`.
 */

type Json = string | number | boolean | null | Json[] | { [key: string]: Json | undefined };
type JsonMap = { [key: string]: Json | undefined };

const OUTPUT_DIR = '/cdag';
const OUTPUT_VOLUME = 'cdag-output';

/** Adds the output folder and `$CDAG_OUTPUT` to the container; gives the template's volume and output parameter. */
export function outputFile(container: JsonMap): JsonMap {
  container.env = [
    ...((container.env as JsonMap[] | undefined) ?? []),
    { name: 'CDAG_OUTPUT', value: `${OUTPUT_DIR}/output.json` },
  ];
  container.volumeMounts = [
    ...((container.volumeMounts as JsonMap[] | undefined) ?? []),
    { name: OUTPUT_VOLUME, mountPath: OUTPUT_DIR },
  ];
  return {
    volumes: [{ name: OUTPUT_VOLUME, emptyDir: {} }],
    outputs: { parameters: [{ name: 'output', valueFrom: { path: `${OUTPUT_DIR}/output.json` } }] },
  };
}

/** The DAG task's part of format v2: the inputs its template reads, the fan-out, the condition. */
export function dataflowTask(
  t: Task,
  inputs: ReadonlyMap<string, ArgoInput>,
  translate: (s: string, field: string) => string,
  notes: ExportNote[],
): JsonMap {
  const out: JsonMap = {};
  const single = t.expand && t.expand.size === 1 && [...t.expand][0]![1].kind === 'template';
  const parameters: JsonMap[] = [...inputs]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, input]) => ({
      name,
      value:
        input.kind === 'item'
          ? single
            ? '{{item}}'
            : `{{item.${input.variable}}}`
          : input.kind === 'service'
            ? `{{tasks.${input.task}.ip}}`
            : `{{tasks.${input.task}.outputs.parameters.output}}`,
    }));
  if (parameters.length) out.arguments = { parameters };
  if (t.expand) {
    const vars = [...t.expand];
    if (vars.every(([, s]) => s.kind === 'items')) {
      let items: JsonMap[] = [{}];
      for (const [name, s] of vars)
        if (s.kind === 'items') items = items.flatMap((c) => s.items.map((x) => ({ ...c, [name]: x as Json })));
      out.withItems = items;
    } else if (single) {
      const [, source] = vars[0]!;
      if (source.kind === 'template' && isOneExpression(source.template))
        out.withParam = translate(source.template.replace(/\}\}\s*$/, ' | tojson }}'), 'expand');
      else notes.push({ severity: 'warning', task: t.id, message: 'expand: not one expression; not exported.' });
    } else
      notes.push({
        severity: 'warning',
        task: t.id,
        message:
          'expand crosses a list from a template with other lists; Argo fans out over one withParam. Not exported.',
      });
    if (t.expandMaxActive !== undefined)
      notes.push({
        severity: 'info',
        task: t.id,
        message: `expand_max_active ${t.expandMaxActive}: Argo bounds a fan-out with the workflow's parallelism only.`,
      });
  }
  if (t.when !== undefined) {
    out.when = translate(t.when, 'when');
    // Argo's when must be a truth: a template that ends in a comparison gives one, anything else may not.
    const last = scanTemplates(t.when).exprs.at(-1)?.filters.at(-1)?.name;
    if (!last || !TRUTHS.has(last))
      notes.push({
        severity: 'warning',
        task: t.id,
        message:
          'when: Argo needs true or false, and reads no other value as cdag does; end the template in a comparison (`| gt(0)`, `| eq("x")`, `| not`).',
      });
  }
  return out;
}

function isOneExpression(template: string): boolean {
  const { exprs, issues } = scanTemplates(template);
  const e = exprs[0];
  return (
    exprs.length === 1 &&
    issues.length === 0 &&
    !template.slice(0, e!.span.start).trim() &&
    !template.slice(e!.span.end).trim()
  );
}
