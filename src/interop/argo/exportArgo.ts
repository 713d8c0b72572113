import { Document, visit } from 'yaml';
import { isoTimestamp } from '../../dag/dates';
import type { Dag, Task } from '../../dag/model';
import { tolerationJson } from '../../dag/tolerations';
import { intervalAt, PRESET_CRON } from '../../dag/schedule';
import type { TriggerRule } from '../../dag/schema';
import { argoCommandNote, builtImageNote, notCarried, type ExportNote } from '../exportNote';
import { resourceQuantities } from '../../dag/quantity';
import { secretKeyRef } from '../../dag/secretRefs';
import { LABELS, labelValue } from '../../dag/labels';
import { airflowTaskId } from '../airflow/exportGroups';
import { commentText } from '../airflow/python';
import { dataflowTask, outputFile } from './argoDataflow';
import { toArgoTemplate, type ArgoInput } from './argoTemplates';
import { serviceAliases, serviceTemplates } from './argoServices';

export interface ArgoExport {
  readonly yaml: string;
  readonly notes: readonly ExportNote[];
}

type Json = string | number | boolean | null | Json[] | { [key: string]: Json | undefined };
type JsonMap = { [key: string]: Json | undefined };

const POD_GC = { always: 'OnPodCompletion', on_success: 'OnPodSuccess', never: undefined } as const;

/** Words of Argo's expression language: a task of that name would read as an operator in `depends`. */
const EXPR_WORDS = new Set([
  'and',
  'or',
  'not',
  'in',
  'true',
  'false',
  'nil',
  'matches',
  'contains',
  'let',
  'if',
  'else',
]);

/**
 * Argo names (tasks, templates): lower-case letters, digits and `-`; one that starts with a digit or
 * is a word of Argo's expressions gets a `t-` prefix, since `depends` reads it as an expression.
 */
function argoName(id: string): string {
  const n =
    id
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'task';
  return /^[0-9]/.test(n) || EXPR_WORDS.has(n) ? `t-${n}` : n;
}

/**
 * A DAG file → an Argo Workflow (a CronWorkflow when it has a cron schedule) with one `dag` template.
 * Integer-or-string fields are written as strings, the form Argo's published JSON schema accepts.
 */
export function exportArgo(dag: Dag, sourceName = `${dag.id}.dag.yaml`): ArgoExport {
  const notes: ExportNote[] = [];
  const names = new Map<string, string>();
  for (const t of dag.tasks) {
    // A group is a prefix here (Argo's DAG has no nesting): `extract.eu` and `orders` make `extract-eu-orders`.
    const base = t.group ? argoName(`${t.group}-${airflowTaskId(t)}`) : argoName(t.id);
    let n = base;
    for (let i = 2; [...names.values()].includes(n); i++) n = `${base}-${i}`;
    names.set(t.id, n);
  }
  let usesDates = false;
  const mapped = new Set(dag.tasks.filter((t) => t.expand).map((t) => t.id));
  const translate = (
    s: string,
    t: Pick<Task, 'id'>,
    field: string,
    scope: 'container' | 'dag',
    inputs?: Map<string, ArgoInput>,
  ): string => {
    const r = toArgoTemplate(s, { dagId: dag.id, taskId: t.id, scope, names, mapped, ...(inputs ? { inputs } : {}) });
    usesDates ||= r.usesDates;
    for (const i of r.issues) notes.push({ severity: 'warning', task: t.id, message: `${field}: ${i}.` });
    return r.text;
  };
  const entry = 'main';
  // Services are daemon steps, their fields rendered with the run's names only (as cdag renders them).
  const daemons = serviceTemplates(dag, new Set([...names.values(), entry]), argoName, (s, service, field) =>
    translate(s, { id: service }, `services.${service}.${field}`, 'container'),
  );
  const tasks: JsonMap[] = [...daemons.tasks];
  const templates: JsonMap[] = [...daemons.templates];
  const volumes = new Map<string, JsonMap>();
  for (const t of dag.tasks) {
    // The container's templates read upstream outputs and items as inputs, which the DAG task passes.
    const inputs = new Map<string, ArgoInput>();
    const tmpl = (s: string, task: Task, field: string) => translate(s, task, field, 'container', inputs);
    const template = containerTemplate(dag, t, names.get(t.id)!, tmpl, volumes, notes);
    if (t.services.length) template.hostAliases = serviceAliases(t.services, daemons.names, inputs);
    if (inputs.size) template.inputs = { parameters: [...inputs.keys()].sort().map((name) => ({ name })) };
    templates.push(template);
    tasks.push({
      ...dagTask(t, names, daemons.names),
      ...dataflowTask(t, inputs, (s, field) => translate(s, t, field, 'dag'), notes),
    });
    notes.push(...notCarried(t, 'Argo', new Set(['outputs', 'expand', 'when', 'group', 'services'])));
    notes.push(...builtImageNote(t, 'Argo'));
    notes.push(...argoCommandNote(t.id, t.command));
    notes.push(...partialAggregateNote(t, mapped));
  }
  const used = new Set(dag.tasks.flatMap((t) => t.services));
  for (const s of dag.services.values())
    if (used.has(s.name)) notes.push(...argoCommandNote(s.name, s.command, 'service'));
  // Only `depends` is written: Argo refuses a DAG template that mixes it with `dependencies`.
  // As in Airflow, a failed task stops only what depends on it: the rest of the DAG goes on.
  templates.unshift({ name: entry, dag: { failFast: false, tasks } });

  const k = dag.kubernetes;
  const spec: JsonMap = { entrypoint: entry };
  const parameters: JsonMap[] = Object.entries(dag.params).map(([name, value]) => ({ name, value: String(value) }));
  const cron = dag.schedule.kind === 'cron' ? (PRESET_CRON[dag.schedule.text] ?? dag.schedule.text) : undefined;
  if (usesDates) {
    parameters.unshift(...dateParameters(dag, cron !== undefined));
    const fixed = cron !== undefined && fixedPeriod(dag) !== undefined;
    if (cron !== undefined && !fixed)
      notes.push({
        severity: 'warning',
        message: `The schedule's intervals are not of one length; the CronWorkflow's logical_date is the time it fires (here it is the interval's start): dates in templates come one interval late.`,
      });
    if (cron === undefined)
      notes.push({
        severity: 'info',
        message:
          'The Workflow runs for the DAG’s first interval unless given another: argo submit -p logical_date=… -p data_interval_end=….',
      });
  }
  if (parameters.length) spec.arguments = { parameters };
  if (dag.maxActiveTasks !== undefined) spec.parallelism = dag.maxActiveTasks;
  if (k.serviceAccount) spec.serviceAccountName = k.serviceAccount;
  if (k.imagePullSecrets.length) spec.imagePullSecrets = k.imagePullSecrets.map((name) => ({ name }));
  if (volumes.size) spec.volumes = [...volumes.values()];
  const gc = POD_GC[k.deletePods];
  if (gc) spec.podGC = { strategy: gc };
  spec.templates = templates;
  if (k.context)
    notes.push({
      severity: 'info',
      message: `kubernetes.context ${k.context}: Argo runs in the cluster it is submitted to.`,
    });
  notes.push({
    severity: 'info',
    message: `startup_timeout has no Argo equivalent; a pod stuck Pending waits for activeDeadlineSeconds.`,
  });

  const labels = { [LABELS.dag]: labelValue(dag.id) };
  const metadata: JsonMap = cron ? { name: argoName(dag.id) } : { generateName: `${argoName(dag.id)}-` };
  if (k.namespace) metadata.namespace = k.namespace;
  metadata.labels = labels;
  if (dag.description) metadata.annotations = { 'workflows.argoproj.io/description': dag.description };
  let doc: JsonMap;
  if (cron) {
    if (dag.catchup && dag.startDate && dag.startDate.getTime() < Date.now())
      notes.push({
        severity: 'info',
        message: 'catchup: a CronWorkflow does not backfill past intervals; submit Workflows for those dates.',
      });
    if (dag.endDate)
      notes.push({
        severity: 'info',
        message: 'end_date: suspend or delete the CronWorkflow after it; Argo has no end date.',
      });
    doc = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'CronWorkflow',
      metadata,
      spec: {
        schedules: [cron],
        timezone: 'UTC',
        concurrencyPolicy: 'Allow',
        workflowMetadata: { labels },
        workflowSpec: spec,
      },
    };
  } else {
    doc = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', metadata, spec };
  }
  const header = `# ${commentText(dag.id)}: exported from ${commentText(sourceName)} by cdag export (Container DAGs) for Argo Workflows 3.6+.\n`;
  return { yaml: header + yaml11(doc), notes };
}

/** Text Go's YAML reader takes for a number (`0o755`, `0X1F`, `-_1`) or a line break (NEL, LS, PS). */
const GO_MISREADS = /^[-+]?[0-9._]|[\u0085\u2028\u2029]/;

/**
 * Kubernetes reads manifests as YAML 1.1, where an unquoted n, yes, on or 0755 is not text (argo
 * submit refused a parameter named n): the 1.1 schema quotes what 1.1 reads otherwise, and what Go's
 * reader reads as a number or a line break beyond it, or a `<<` key as a merge, is quoted as well.
 */
function yaml11(value: unknown): string {
  const d = new Document(value, { version: '1.1', merge: false, aliasDuplicateObjects: false });
  visit(d, {
    Scalar(_, node) {
      if (typeof node.value !== 'string') return;
      if (GO_MISREADS.test(node.value) || node.value === '=') node.type = 'QUOTE_DOUBLE';
      // yaml's 1.1 writer keeps `<<` plain however the node is typed; an explicit tag makes it text.
      if (node.value === '<<') {
        node.type = 'QUOTE_DOUBLE';
        node.tag = 'tag:yaml.org,2002:str';
      }
    },
  });
  // Only double-quoted scalars hold these now, where YAML's \N, \L and \P escapes keep them text.
  return d
    .toString({ lineWidth: 0 })
    .replace(/\u0085/g, '\\N')
    .replace(/\u2028/g, '\\L')
    .replace(/\u2029/g, '\\P');
}

/**
 * Argo aggregates the outputs of a fanned-out task's succeeded instances only, where cdag gives
 * `null` for each other one: the two differ only for a reader that runs after a failed instance.
 */
function partialAggregateNote(t: Task, mapped: ReadonlySet<string>): ExportNote[] {
  if (t.triggerRule === 'all_success') return [];
  const text = JSON.stringify([t.command, t.args, t.env, t.workingDir, t.when, [...(t.expand?.values() ?? [])]]);
  const read = [...mapped].filter((id) => text.includes(`tasks.${id}.outputs.`));
  return read.length
    ? [
        {
          severity: 'warning',
          task: t.id,
          message: `reads outputs of ${read.join(', ')} after any end (${t.triggerRule}): Argo's list holds the succeeded instances' values only, where cdag's has null for each failed one.`,
        },
      ]
    : [];
}

/**
 * `logical_date` and `data_interval_end`. A Workflow gets the DAG's first interval (override with
 * `argo submit -p logical_date=…`); a CronWorkflow's run covers the interval that ends when it fires.
 */
function dateParameters(dag: Dag, cron: boolean): JsonMap[] {
  if (cron && dag.schedule.kind === 'cron') {
    const back = fixedPeriod(dag);
    const fired = 'sprig.toDate("2006-01-02T15:04:05Z07:00", workflow.scheduledTime)';
    const start = back ? `sprig.dateModify("-${back}", ${fired})` : fired;
    return [
      { name: 'logical_date', value: `{{=sprig.date("2006-01-02T15:04:05Z07:00", ${start})}}` },
      { name: 'data_interval_end', value: '{{workflow.scheduledTime}}' },
    ];
  }
  const first = intervalAt(dag.schedule, dag.startDate ?? new Date(Date.UTC(2000, 0, 1)));
  const z = (d: Date): string => isoTimestamp(d).replace('+00:00', 'Z');
  return [
    { name: 'logical_date', value: z(first.start) },
    { name: 'data_interval_end', value: z(first.end) },
  ];
}

/** The schedule's interval as a Go duration, when every interval has that length. */
function fixedPeriod(dag: Dag): string | undefined {
  if (dag.schedule.kind !== 'cron') return undefined;
  const fixed: Record<string, string> = { '@hourly': '1h', '@daily': '24h', '@weekly': '168h' };
  const text = dag.schedule.text.trim();
  return fixed[text] ?? fixed[Object.keys(PRESET_CRON).find((p) => PRESET_CRON[p] === text) ?? ''];
}

/** Argo's `depends` for each trigger rule (plain `dependencies` for all_success). */
function depends(rule: TriggerRule, ups: readonly string[]): string {
  const each = (f: (u: string) => string, join: ' && ' | ' || '): string => ups.map(f).join(join);
  switch (rule) {
    // Argo's Errored is a failure too, and Omitted is Airflow's upstream_failed (a task never run).
    case 'all_failed':
      return each((u) => `(${u}.Failed || ${u}.Errored)`, ' && ');
    case 'all_done':
    case 'always':
      return each((u) => `(${u}.Succeeded || ${u}.Failed || ${u}.Errored || ${u}.Skipped || ${u}.Omitted)`, ' && ');
    case 'one_success':
      return each((u) => `${u}.Succeeded`, ' || ');
    case 'one_failed':
      return each((u) => `(${u}.Failed || ${u}.Errored)`, ' || ');
    case 'none_failed':
      return each((u) => `(${u}.Succeeded || ${u}.Skipped)`, ' && ');
    case 'none_failed_min_one_success':
      return `(${each((u) => `(${u}.Succeeded || ${u}.Skipped)`, ' && ')}) && (${each((u) => `${u}.Succeeded`, ' || ')})`;
    default:
      // all_success: a bare name (or `dependencies`) would also run after a Skipped upstream, which
      // cdag and Airflow skip; with `.Succeeded` Argo omits the task instead, and what follows it.
      return each((u) => `${u}.Succeeded`, ' && ');
  }
}

function dagTask(t: Task, names: ReadonlyMap<string, string>, daemons: ReadonlyMap<string, string>): JsonMap {
  const name = names.get(t.id)!;
  const task: JsonMap = { name, template: name };
  const ups = t.dependsOn.map((u) => names.get(u)!);
  // A task waits for its services' daemons to be ready, whatever its trigger rule says of its upstream.
  const services = t.services.map((s) => daemons.get(s)!);
  if (ups.length === 0) {
    if (services.length) task.depends = services.join(' && ');
    return task;
  }
  // A daemon's bare name is what waits for it: Succeeded, Skipped or Daemoned (running and ready).
  task.depends = services.length
    ? `(${depends(t.triggerRule, ups)}) && ${services.join(' && ')}`
    : depends(t.triggerRule, ups);
  return task;
}

function containerTemplate(
  dag: Dag,
  t: Task,
  name: string,
  tmpl: (s: string, t: Task, field: string) => string,
  volumes: Map<string, JsonMap>,
  notes: ExportNote[],
): JsonMap {
  const container: JsonMap = { image: tmpl(t.image, t, 'image') };
  if (t.command) container.command = t.command.map((c) => tmpl(c, t, 'command'));
  if (t.args) container.args = t.args.map((a) => tmpl(a, t, 'args'));
  const env: JsonMap[] = Object.entries(t.env).map(([n, v]) => ({ name: n, value: tmpl(v, t, `env.${n}`) }));
  for (const [n, ref] of Object.entries(t.secrets))
    env.push({ name: n, valueFrom: { secretKeyRef: secretKeyRef(ref) } });
  if (env.length) container.env = env;
  if (t.workingDir) container.workingDir = tmpl(t.workingDir, t, 'working_dir');
  if (t.user) {
    const uid = Number(t.user);
    if (Number.isInteger(uid)) container.securityContext = { runAsUser: uid };
    else
      notes.push({ severity: 'warning', task: t.id, message: `user "${t.user}" is not a numeric uid; not exported.` });
  }
  const mounts: JsonMap[] = [];
  for (const m of t.mounts) {
    const v = m.volume ? dag.volumes[m.volume]?.kubernetes : undefined;
    if (!m.volume || !v) {
      notes.push({
        severity: 'warning',
        task: t.id,
        message: `the mount ${m.volume ?? m.hostPath ?? '?'}:${m.target} has no Kubernetes source; not exported.`,
      });
      continue;
    }
    const vname = argoName(m.volume);
    if (!volumes.has(vname)) {
      volumes.set(
        vname,
        v.claim
          ? { name: vname, persistentVolumeClaim: { claimName: v.claim } }
          : v.hostPath
            ? { name: vname, hostPath: { path: v.hostPath } }
            : { name: vname, emptyDir: {} },
      );
    }
    mounts.push({ name: vname, mountPath: m.target, ...(m.readOnly ? { readOnly: true } : {}) });
  }
  if (mounts.length) container.volumeMounts = mounts;
  const r = resourceQuantities(t);
  if (r) container.resources = { requests: r, limits: r };
  const output = t.outputs.length ? outputFile(container) : undefined;
  container.imagePullPolicy = t.imagePullPolicy;
  if (t.network)
    notes.push({
      severity: 'info',
      task: t.id,
      message: `network ${t.network} is Docker's; pods use the cluster network.`,
    });

  const template: JsonMap = { name };
  const k = dag.kubernetes;
  const o = t.kubernetes;
  const labels = { ...k.labels, ...o.labels };
  const annotations = { ...k.annotations, ...o.annotations };
  if (Object.keys(labels).length || Object.keys(annotations).length)
    template.metadata = {
      ...(Object.keys(labels).length ? { labels } : {}),
      ...(Object.keys(annotations).length ? { annotations } : {}),
    };
  const nodeSelector = { ...k.nodeSelector, ...o.nodeSelector };
  if (Object.keys(nodeSelector).length) template.nodeSelector = nodeSelector;
  const tolerations = [...k.tolerations, ...o.tolerations].map((t) => tolerationJson(t) as JsonMap);
  if (tolerations.length) template.tolerations = tolerations;
  if (o.serviceAccount) template.serviceAccountName = o.serviceAccount;
  if (t.timeoutMs !== undefined) template.activeDeadlineSeconds = String(Math.ceil(t.timeoutMs / 1000));
  if (t.retries > 0) {
    const backoff: JsonMap = { duration: `${Math.round(t.retryDelayMs / 1000)}s` };
    if (t.retryExponentialBackoff) backoff.factor = '2';
    // Airflow retries whatever made the attempt fail; Argo's default (OnFailure) skips errors.
    template.retryStrategy = { limit: String(t.retries), retryPolicy: 'Always', backoff };
  }
  if (output) Object.assign(template, output);
  template.container = container;
  return template;
}
