import { DEFAULT_RETRY_DELAY_MS, type Dag, type Mount, type Task } from '../../dag/model';
import { PRESET_CRON } from '../../dag/schedule';
import { envNameOf } from '../../dag/secretRefs';
import { builtImageNote, notCarried, type ExportNote } from '../exportNote';
import { mappedArgument, returnedOutputs } from './exportDataflow';
import { airflowTaskId, dependencyLines, groupedTaskLines, TASK_GROUP_IMPORT } from './exportGroups';
import { mapValues, podOperatorArgs, type OperatorContext } from './podOperatorArgs';
import { call, docText, py, pyStr, raw, type Py } from './python';
import {
  AIRFLOW_OUTPUT_PATHS,
  DATAFLOW_HELPERS,
  DOCKER_CLASS,
  DOCKER_DATAFLOW_SUBCLASS,
  DOCKER_SUBCLASS,
  POD_CLASS,
  POD_DATAFLOW_SUBCLASS,
  PREV_DS_HELPER,
  SECRET_HELPER,
} from './pythonHelpers';
import { toAirflowTemplate } from './templates';

export type AirflowOperator = 'docker' | 'kubernetes';

export interface AirflowExport {
  readonly python: string;
  readonly notes: readonly ExportNote[];
}

/**
 * Python's keywords and builtins, and every name the written file defines or imports (read from the
 * helpers' own text), so no task variable shadows one: a task named `type` or `super` must not
 * break the helpers that call them.
 */
const PY_KEYWORDS = new Set([
  ...[
    'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield',
    'abs all any ascii bin bool breakpoint bytearray bytes callable chr classmethod compile complex delattr dict dir divmod enumerate eval exec filter float format frozenset getattr globals hasattr hash help hex id input int isinstance issubclass iter len list locals map max memoryview min next object oct open ord pow print property range repr reversed round set setattr slice sorted staticmethod str sum super tuple type vars zip',
    'dag os io json tarfile datetime timedelta timezone DAG Mount DeviceRequest k8s Secret Variable croniter',
    'CronDataIntervalTimetable DockerOperator KubernetesPodOperator AirflowException AirflowSkipException TaskGroup',
  ]
    .join(' ')
    .split(' '),
  ...[SECRET_HELPER, DATAFLOW_HELPERS, DOCKER_DATAFLOW_SUBCLASS, POD_DATAFLOW_SUBCLASS, PREV_DS_HELPER].flatMap(
    (text) => [...text.matchAll(/^(?:def|class) (\w+)/gm)].map((m) => m[1]!),
  ),
]);

/**
 * A DAG file → an Airflow DAG (2.x and 3.x) on DockerOperator or KubernetesPodOperator. Dates keep
 * their Airflow 2 meaning on both versions: the schedule is a CronDataIntervalTimetable, so the run
 * for 2019-01-01 of a daily DAG still covers [01-01, 01-02) on Airflow 3.
 */
export function exportAirflow(dag: Dag, operator: AirflowOperator, sourceName = `${dag.id}.dag.yaml`): AirflowExport {
  return new AirflowWriter(dag, operator, sourceName).write();
}

class AirflowWriter implements OperatorContext {
  private readonly notes: ExportNote[] = [];
  private readonly imports = new Set<string>();
  private usesEnv = false;
  private usesSecrets = false;
  private usesPrevDs = false;
  private usesGroups = false;
  private readonly vars = new Map<string, string>();
  private readonly groupVarNames: string[] = [];
  /** The DAG uses format v2 (outputs, expand, when): the operators get the subclasses that carry it. */
  private readonly dataflow: boolean;
  private readonly mapped: ReadonlySet<string>;
  /** Outputs a downstream task is expanded over, by task: Airflow maps over a task's return value only. */
  private readonly returned: ReadonlyMap<string, string>;

  constructor(
    readonly dag: Dag,
    private readonly operator: AirflowOperator,
    private readonly sourceName: string,
  ) {
    this.dataflow = dag.tasks.some((t) => t.outputs.length || t.expand || t.when !== undefined);
    this.mapped = new Set(dag.tasks.filter((t) => t.expand).map((t) => t.id));
    this.returned = returnedOutputs(dag.tasks);
  }

  write(): AirflowExport {
    this.imports.add('from airflow import DAG');
    this.imports.add('from datetime import datetime, timedelta, timezone');
    for (const t of this.dag.tasks) this.vars.set(t.id, this.variable(t.id));
    const groupVars = new Map<string, string>();
    for (const g of this.dag.groups.keys()) {
      const v = this.variable(`${g.replace(/\./g, '_')}_group`);
      groupVars.set(g, v);
      this.groupVarNames.push(v);
    }
    const groupVar = (g: string) => groupVars.get(g)!;
    const calls = new Map(this.dag.tasks.map((t) => [t.id, this.operatorCall(t)] as const));
    const tasks = groupedTaskLines(this.dag, calls, this.vars, groupVar);
    const deps = dependencyLines(this.dag, this.vars, groupVar);
    if (this.dag.groups.size) this.usesGroups = true;
    const dagCall = py(call('DAG', this.dagKwargs()), 0);
    if (this.operator === 'docker') {
      this.imports.add('from airflow.providers.docker.operators.docker import DockerOperator');
      this.imports.add('from docker.types import Mount');
    } else {
      this.imports.add('from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator');
      this.imports.add('from kubernetes.client import models as k8s');
    }
    if (this.usesEnv || this.usesSecrets) this.imports.add('import os');
    if (this.dataflow) {
      this.imports.add('import json');
      this.imports.add('from airflow.exceptions import AirflowException, AirflowSkipException');
      if (this.operator === 'docker') ['import io', 'import tarfile'].forEach((i) => this.imports.add(i));
    }
    const header = [
      `"""${docText(this.dag.id)}${this.dag.description ? `: ${docText(this.dag.description)}` : ''}`,
      '',
      `Exported from ${docText(this.sourceName)} by cdag export (Container DAGs) for Airflow 2.x and 3.x,`,
      `with the ${this.operator === 'docker' ? 'DockerOperator' : 'KubernetesPodOperator'}.`,
      '"""',
    ].join('\n');
    const parts = [header, '', importBlock(this.imports), ''];
    if (this.usesGroups) parts.push(TASK_GROUP_IMPORT, '');
    if (this.usesSecrets) parts.push('', SECRET_HELPER, '');
    if (this.dataflow) parts.push('', DATAFLOW_HELPERS, '');
    if (this.usesPrevDs) parts.push('', PREV_DS_HELPER, '');
    if (this.operator === 'docker') parts.push('', this.dataflow ? DOCKER_DATAFLOW_SUBCLASS : DOCKER_SUBCLASS, '');
    else if (this.dataflow) parts.push('', POD_DATAFLOW_SUBCLASS, '');
    parts.push('', `with ${dagCall} as dag:`, tasks.join('\n'));
    if (deps.length) parts.push(deps.map((d) => `    ${d}`).join('\n'));
    return {
      python: `${parts
        .join('\n')
        .replace(/\n{3,}/g, '\n\n\n')
        .trimEnd()}\n`,
      notes: this.notes,
    };
  }

  private variable(id: string): string {
    let v = id.replace(/[^A-Za-z0-9_]/g, '_');
    if (/^\d/.test(v)) v = `t_${v}`;
    if (PY_KEYWORDS.has(v)) v = `${v}_task`;
    const taken = new Set([...this.vars.values(), ...this.groupVarNames]);
    for (let i = 2; taken.has(v); i++) v = `${v}_${i}`;
    return v;
  }

  private dagKwargs(): Record<string, Py | undefined> {
    const d = this.dag;
    const kw: Record<string, Py | undefined> = { dag_id: d.id };
    if (d.description) kw.description = d.description;
    kw.schedule = this.schedule();
    if (d.startDate) kw.start_date = date(d.startDate);
    if (d.endDate) kw.end_date = date(d.endDate);
    kw.catchup = d.catchup;
    if (Object.keys(d.params).length) kw.params = d.params as Py;
    if (d.maxActiveTasks !== undefined) kw.max_active_tasks = d.maxActiveTasks;
    // `{{ env.X }}` reads the environment of the process that parses the DAG, as cdag reads its own.
    const macros: Record<string, Py> = {};
    if (this.usesEnv) macros.env = raw('dict(os.environ)');
    if (this.dataflow) for (const h of ['cdag_text', 'cdag_truthy', 'cdag_json']) macros[h] = raw(h);
    if (this.usesPrevDs) macros.cdag_prev_ds = raw('cdag_prev_ds');
    if (Object.keys(macros).length) kw.user_defined_macros = macros;
    return kw;
  }

  /** The schedule as a cron expression, presets spelled out; undefined without a cron schedule. */
  private cron(): string | undefined {
    const s = this.dag.schedule;
    return s.kind === 'cron' ? (PRESET_CRON[s.text] ?? s.text) : undefined;
  }

  private schedule(): Py {
    const s = this.dag.schedule;
    if (s.kind === 'manual') return null;
    if (s.kind === 'once') return '@once';
    this.imports.add('from airflow.timetables.interval import CronDataIntervalTimetable');
    const cron = PRESET_CRON[s.text] ?? s.text;
    return call('CronDataIntervalTimetable', { timezone: 'UTC' }, [cron]);
  }

  /** A templated string for a field Airflow renders; `rendered: false` for fields it passes as they are. */
  tmpl(s: string, task: Task, field: string, rendered = true): string {
    // Jinja reads `{%` and `{#` in any rendered field; written as literals, they stay text.
    if (rendered) s = s.replace(/\{([%#])/g, "{{ '{$1' }}");
    if (!s.includes('{{')) return s;
    if (!rendered) {
      this.note(
        'warning',
        task.id,
        `${field} holds a template, but Airflow's ${this.operatorName()} does not render that field; it is passed as written.`,
      );
      return s;
    }
    if (/\{\{[^}]*\benv\./.test(s)) this.usesEnv = true;
    const t = toAirflowTemplate(s, { mapped: this.mapped, ...(this.cron() ? { cron: this.cron() } : {}) });
    if (t.text.includes('cdag_prev_ds(')) this.usesPrevDs = true;
    for (const issue of t.issues) this.note('warning', task.id, `${field}: ${issue}.`);
    return t.text;
  }

  /** The class the tasks are made of: for Docker, a subclass that renders what cdag renders. */
  private operatorName(): string {
    return this.operator === 'docker' ? DOCKER_CLASS : this.dataflow ? POD_CLASS : 'KubernetesPodOperator';
  }

  note(severity: ExportNote['severity'], task: string | undefined, message: string): void {
    this.notes.push({ severity, task, message });
  }

  private operatorCall(t: Task): Py {
    const common: Record<string, Py | undefined> = {};
    if (t.retries) common.retries = t.retries;
    // A delay given without retries is kept too (a default may add retries later; Airflow keeps it).
    if (t.retries || t.retryDelayMs !== DEFAULT_RETRY_DELAY_MS) common.retry_delay = duration(t.retryDelayMs);
    if (t.retryExponentialBackoff) common.retry_exponential_backoff = true;
    if (t.timeoutMs !== undefined) common.execution_timeout = duration(t.timeoutMs);
    if (t.triggerRule !== 'all_success') common.trigger_rule = t.triggerRule;
    // Both operators take these as they are (BaseOperator's depends_on_past; the operators' skip_on_exit_code).
    if (t.dependsOnPast) common.depends_on_past = true;
    if (t.skipOnExitCode.length) common.skip_on_exit_code = [...t.skipOnExitCode];
    if (t.outputs.length) common.cdag_outputs = [...t.outputs];
    const returned = this.returned.get(t.id);
    if (returned !== undefined) {
      common.cdag_return = returned;
      common.do_xcom_push = true;
    }
    if (t.when !== undefined) common.cdag_when = this.tmpl(t.when, t, 'when');
    const specific = this.operator === 'docker' ? this.docker(t) : podOperatorArgs(t, this);
    // Everything of format v2's dataflow is carried; what is not yet is named.
    for (const n of notCarried(
      t,
      'Airflow',
      new Set(['outputs', 'expand', 'when', 'skip_on_exit_code', 'depends_on_past', 'group', 'services']),
    ))
      this.notes.push(n);
    this.notes.push(...builtImageNote(t, 'Airflow'));
    // Airflow has nothing that starts a container for part of a run: said, never exported half-way.
    if (t.services.length)
      this.note(
        'warning',
        t.id,
        `services ${t.services.join(', ')}: Airflow has no run-scoped services; the task expects ${t.services.length > 1 ? 'them' : 'it'} reachable by name, so start ${t.services.length > 1 ? 'them' : 'it'} beside Airflow (a container on the task's network, a Kubernetes Service) before the DAG runs.`,
      );
    const mapped = mappedArgument(t, (id) => this.vars.get(id), this.returned);
    if (mapped && 'problem' in mapped)
      this.note('warning', t.id, `${mapped.problem}: the exported task runs once, not per item.`);
    if (!mapped || 'problem' in mapped)
      return call(this.operatorName(), { task_id: airflowTaskId(t), ...specific, ...common });
    const partial = call(`${this.operatorName()}.partial`, {
      task_id: airflowTaskId(t),
      ...specific,
      ...common,
      ...mapped.partial,
    });
    return raw(`${py(partial, 1)}.expand(cdag_item=${py(mapped.over, 1)})`);
  }

  private docker(t: Task): Record<string, Py | undefined> {
    const kw: Record<string, Py | undefined> = { image: this.tmpl(t.image, t, 'image') };
    // Docker's Entrypoint and Cmd: this format's command and args; DockerOperator's entrypoint and command.
    if (t.command) kw.entrypoint = t.command.map((c) => this.tmpl(c, t, 'command'));
    if (t.args) kw.command = t.args.map((a) => this.tmpl(a, t, 'args'));
    const env = mapValues(t.env, (v, k) => this.tmpl(v, t, `env.${k}`));
    if (t.outputs.length) env.CDAG_OUTPUT = AIRFLOW_OUTPUT_PATHS.docker;
    if (Object.keys(env).length) kw.environment = env;
    if (t.outputs.length) {
      kw.retrieve_output = true;
      kw.retrieve_output_path = AIRFLOW_OUTPUT_PATHS.docker;
    }
    if (Object.keys(t.secrets).length) {
      this.usesSecrets = true;
      kw.private_environment = mapValues(t.secrets, (name) =>
        raw(`_secret(${pyStr(name)}, ${pyStr(envNameOf(name))})`),
      );
    }
    const mounts = t.mounts.flatMap((m) => this.dockerMount(m, t));
    if (mounts.length) kw.mounts = mounts;
    const network = t.network ?? this.dag.docker.network;
    if (network) kw.network_mode = network;
    if (this.dag.docker.host) kw.docker_url = this.dag.docker.host;
    if (t.workingDir) kw.working_dir = this.tmpl(t.workingDir, t, 'working_dir');
    if (t.user) kw.user = this.tmpl(t.user, t, 'user');
    if (t.resources.cpu !== undefined) {
      kw.cpus = t.resources.cpu;
      this.note('info', t.id, "DockerOperator's cpus is a relative weight (cpu_shares), not the hard limit cdag sets.");
    }
    if (t.resources.memoryBytes !== undefined) kw.mem_limit = t.resources.memoryBytes;
    if (t.resources.gpu) {
      this.imports.add('from docker.types import DeviceRequest');
      kw.device_requests = [call('DeviceRequest', { count: t.resources.gpu, capabilities: [['gpu']] })];
    }
    if (t.imagePullPolicy === 'Always') kw.force_pull = true;
    if (t.imagePullPolicy === 'Never')
      this.note(
        'info',
        t.id,
        'image_pull_policy Never: DockerOperator pulls a missing image; make sure it is present.',
      );
    // The operator's own temporary mount needs a host path Airflow shares with Docker; the task does not use it.
    kw.mount_tmp_dir = false;
    kw.auto_remove = 'success';
    // Otherwise the container's last output line is stored in Airflow's XCom table.
    kw.do_xcom_push = false;
    return kw;
  }

  private dockerMount(m: Mount, t: Task): Py[] {
    const source = m.volume ? this.dag.volumes[m.volume]?.docker : m.hostPath;
    if (!source) {
      this.note('warning', t.id, `the mount ${m.volume ?? '?'}:${m.target} has no Docker source; not exported.`);
      return [];
    }
    const kw: Record<string, Py> = {
      source: this.tmpl(source, t, 'mount'),
      target: m.target,
      type: source.startsWith('/') ? 'bind' : 'volume',
    };
    if (m.readOnly) kw.read_only = true;
    return [call('Mount', kw)];
  }
}

function date(d: Date): Py {
  const parts = [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()];
  const time = [d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()];
  if (time.some((x) => x)) parts.push(...time);
  return call('datetime', { tzinfo: raw('timezone.utc') }, parts);
}

function duration(ms: number): Py {
  return call('timedelta', { seconds: ms / 1000 });
}

/** Imports as isort groups them: standard library, then third party; one line per module. */
function importBlock(lines: ReadonlySet<string>): string {
  const byModule = new Map<string, Set<string>>();
  const plain = new Set<string>();
  for (const line of lines) {
    const m = /^from (\S+) import (.+)$/.exec(line);
    if (!m) plain.add(line);
    else for (const name of m[2]!.split(', ')) byModule.set(m[1]!, (byModule.get(m[1]!) ?? new Set()).add(name));
  }
  const all = [
    ...[...plain].map((l) => ({ module: l.slice('import '.length), line: l })),
    ...[...byModule].map(([module, names]) => ({
      module,
      line: `from ${module} import ${[...names].sort().join(', ')}`,
    })),
  ];
  const stdlib = (m: string): boolean => ['os', 'datetime', 'io', 'json', 'tarfile'].includes(m.split('.')[0]!);
  const sorted = (xs: typeof all): string[] =>
    xs
      .sort(
        (a, b) =>
          Number(a.line.startsWith('from')) - Number(b.line.startsWith('from')) || a.module.localeCompare(b.module),
      )
      .map((x) => x.line);
  return [
    sorted(all.filter((x) => stdlib(x.module))).join('\n'),
    sorted(all.filter((x) => !stdlib(x.module))).join('\n'),
  ].join('\n\n');
}
