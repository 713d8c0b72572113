import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { analyzeDag } from '../../../src/dag/analyze';
import type { Dag } from '../../../src/dag/model';
import { exportAirflow } from '../../../src/interop/airflow/exportAirflow';
import { importAirflowDag } from '../../../src/interop/airflow/importDag';
import { toAirflowTemplate } from '../../../src/interop/airflow/templates';
import { fromAirflowTemplate } from '../../../src/interop/airflow/templatesFromAirflow';
import { toArgoTemplate } from '../../../src/interop/argo/argoTemplates';
import { exportArgo } from '../../../src/interop/argo/exportArgo';
import { argoValidator, type ArgoValidate } from '../../support/argoSchema';
import { FIXTURES } from '../helpers';
import { roundTripCorpus } from './corpus';

function dagOf(text: string): Dag {
  const a = analyzeDag(text, 'x.dag.yaml');
  assert.ok(a.dag && !a.hasErrors, a.problems.map((p) => p.message).join('\n'));
  return a.dag;
}

const SECRET_DAG = `dag: s
schedule: "@daily"
start_date: 2024-01-01
tasks:
  a:
    image: busybox
    command: [sh, -c]
    args: ["run.sh --day {{ ds }}"]
    secrets: { DB_PASSWORD: db-password, TOKEN: api/token }
`;

describe('cdag export --to airflow', () => {
  it('passes secrets as private_environment (Docker) or Secret env (Kubernetes), never in a command', () => {
    const docker = exportAirflow(dagOf(SECRET_DAG), 'docker').python;
    assert.match(docker, /private_environment=\{[^}]*"DB_PASSWORD": _secret\("db-password", "DB_PASSWORD"\)/);
    assert.match(docker, /"TOKEN": _secret\("api\/token", "API"\)/);
    const k8s = exportAirflow(dagOf(SECRET_DAG), 'kubernetes').python;
    assert.match(
      k8s,
      /name="DB_PASSWORD",\s+value_from=k8s\.V1EnvVarSource\(\s*secret_key_ref=k8s\.V1SecretKeySelector\(name="db-password", key="db-password"\)/,
    );
    assert.match(k8s, /secret_key_ref=k8s\.V1SecretKeySelector\(name="api", key="token"\)/);
    for (const py of [docker, k8s]) {
      const command = /(command|arguments|cmds)=\[[^\]]*\]/g;
      for (const m of py.match(command) ?? []) assert.ok(!/password|_secret|Secret|secret_key_ref/i.test(m), m);
    }
  });

  it('keeps Airflow 2 data intervals on Airflow 3 with a CronDataIntervalTimetable, and translates next_ds for Airflow 3', () => {
    const py = exportAirflow(
      dagOf(`dag: n
schedule: "@daily"
start_date: 2019-01-01
tasks:
  a: { image: busybox, args: ["{{ next_ds }}", "{{ ds | ds_add(1) }}", "{{ try_number }}", "{{ env.HOME }}"] }
`),
      'kubernetes',
    ).python;
    assert.match(py, /schedule=CronDataIntervalTimetable\("0 0 \* \* \*", timezone="UTC"\)/);
    for (const t of [
      '{{ data_interval_end | ds }}',
      '{{ macros.ds_add(ds, 1) }}',
      '{{ ti.try_number }}',
      '{{ env.HOME }}',
    ])
      assert.ok(py.includes(`"${t}"`), t);
    assert.match(py, /user_defined_macros=\{"env": dict\(os\.environ\)\}/);
  });

  it('writes a DockerOperator subclass that renders entrypoint, working_dir and user and reads no string as a template file', () => {
    const py = exportAirflow(dagOf(SECRET_DAG), 'docker').python;
    assert.match(py, /class ContainerDagsDockerOperator\(DockerOperator\):/);
    assert.match(py, /template_fields = \(\*DockerOperator\.template_fields, "entrypoint", "working_dir", "user"\)/);
    assert.match(py, /template_ext = \(\)/);
    assert.match(py, /mount_tmp_dir=False/);
  });

  it('maps retries, delays, timeouts and trigger rules to the operator arguments Airflow has', () => {
    const py = exportAirflow(
      dagOf(`dag: r
tasks:
  a: { image: busybox, retries: 3, retry_delay: 2m, retry_exponential_backoff: true, timeout: 1h }
  b: { image: busybox, depends_on: [a], trigger_rule: one_failed }
`),
      'docker',
    ).python;
    assert.match(
      py,
      /retries=3,\s+retry_delay=timedelta\(seconds=120\),\s+retry_exponential_backoff=True,\s+execution_timeout=timedelta\(seconds=3600\)/,
    );
    assert.match(py, /trigger_rule="one_failed"/);
    assert.match(py, /schedule=None/);
    assert.ok(py.includes('\n    a >> b\n'));
  });
});

describe('templates between this format and Airflow', () => {
  it('writes macros for filters and reads them back', () => {
    for (const [ours, theirs] of [
      ['{{ ds | ds_add(-7) }}', '{{ macros.ds_add(ds, -7) }}'],
      ['{{ ds | ds_format("%Y/%m/%d") }}', "{{ macros.ds_format(ds, '%Y-%m-%d', '%Y/%m/%d') }}"],
      ['{{ data_interval_end | ds_format("%H") }}', "{{ data_interval_end.strftime('%H') }}"],
      ['{{ params.x | upper }}', '{{ params.x | upper }}'],
      ['{{ dag.id }}-{{ task.id }}', '{{ dag.dag_id }}-{{ task.task_id }}'],
    ] as const) {
      assert.equal(toAirflowTemplate(ours).text, theirs);
      assert.equal(fromAirflowTemplate(theirs).text, ours);
    }
  });

  it('spells Airflow 3’s removed names from the data interval', () => {
    assert.equal(toAirflowTemplate('{{ next_ds }}').text, '{{ data_interval_end | ds }}');
    assert.equal(toAirflowTemplate('{{ tomorrow_ds }}').text, '{{ macros.ds_add(ds, 1) }}');
    assert.equal(fromAirflowTemplate('{{ next_ds }}').text, '{{ data_interval_end | ds_format("%Y-%m-%d") }}');
    assert.equal(fromAirflowTemplate('{{ yesterday_ds }}').text, '{{ ds | ds_add(-1) }}');
  });
});

describe('cdag export --to argo', () => {
  let validate: ArgoValidate;
  before(() => {
    validate = argoValidator();
  });

  for (const { name, text } of roundTripCorpus()) {
    it(`${name}: valid against Argo's published JSON schema, closed to unknown keys`, () => {
      const dag = dagOf(text);
      const doc = parse(exportArgo(dag).yaml) as { kind: string; spec: Record<string, unknown> };
      assert.deepEqual(validate(doc), []);
      assert.equal(doc.kind, dag.schedule.kind === 'cron' ? 'CronWorkflow' : 'Workflow');
    });
  }

  it('the schema check fails on what Argo would refuse (a proof the check can fail)', () => {
    const doc = parse(exportArgo(dagOf(SECRET_DAG)).yaml) as {
      spec: { workflowSpec: { templates: Array<Record<string, unknown>> } };
    };
    doc.spec.workflowSpec.templates[1]!.contianer = {};
    assert.ok(validate(doc).some((e) => e.includes('contianer')));
  });

  it('has a dag template with depends for every trigger rule (Argo refuses a mix with dependencies), retryStrategy, deadlines, volumes and Secret env', () => {
    const out = parse(
      exportArgo(
        dagOf(`dag: w
volumes: { data: { kubernetes: { claim: data-volume } } }
tasks:
  fetch_it: { image: busybox, mounts: [data:/data], retries: 2, retry_delay: 10s, timeout: 10m, secrets: { PW: db/pw } }
  rank: { image: busybox, depends_on: [fetch_it] }
  report: { image: busybox, depends_on: [fetch_it, rank], trigger_rule: all_done }
`),
      ).yaml,
    ) as { spec: { volumes: unknown[]; templates: Array<Record<string, unknown>> } };
    const [main, fetch] = out.spec.templates;
    assert.deepEqual((main!.dag as { tasks: unknown[] }).tasks, [
      { name: 'fetch-it', template: 'fetch-it' },
      { name: 'rank', template: 'rank', depends: 'fetch-it.Succeeded' },
      {
        name: 'report',
        template: 'report',
        depends:
          '(fetch-it.Succeeded || fetch-it.Failed || fetch-it.Errored || fetch-it.Skipped || fetch-it.Omitted) && (rank.Succeeded || rank.Failed || rank.Errored || rank.Skipped || rank.Omitted)',
      },
    ]);
    assert.deepEqual(fetch!.retryStrategy, { limit: '2', retryPolicy: 'Always', backoff: { duration: '10s' } });
    assert.equal(fetch!.activeDeadlineSeconds, '600');
    assert.deepEqual(out.spec.volumes, [{ name: 'data', persistentVolumeClaim: { claimName: 'data-volume' } }]);
    assert.deepEqual((fetch!.container as { env: unknown }).env, [
      { name: 'PW', valueFrom: { secretKeyRef: { name: 'db', key: 'pw' } } },
    ]);
  });

  it('runs an all_success task only after its upstream succeeded: a skipped one omits it, as cdag skips it', () => {
    const out = parse(
      exportArgo(dagOf('dag: w\ntasks:\n  a: { image: b }\n  c: { image: b }\n  d: { image: b, depends_on: [a, c] }\n'))
        .yaml,
    ) as { spec: { templates: Array<{ dag?: { tasks: unknown[] } }> } };
    assert.deepEqual(out.spec.templates[0]!.dag!.tasks[2], {
      name: 'd',
      template: 'd',
      depends: 'a.Succeeded && c.Succeeded',
    });
  });

  it('quotes text that YAML 1.1 or Go’s reader, which Kubernetes uses, would take for a truth, a number, a merge or a line break', () => {
    const { yaml } = exportArgo(
      dagOf(
        'dag: w\nparams: { n: "on", o: "0o755", x: "0X1F", u: "-_1", l: "a\\u2028b" }\ntasks:\n  y: { image: b, args: ["no", "0755", "<<", "="] }\n',
      ),
    );
    assert.match(yaml, /name: "n"\n\s+value: "on"/);
    for (const quoted of ['"0o755"', '"0X1F"', '"-_1"', '"a\\Lb"', '- "no"', '- "0755"', '- !!str "<<"', '- "="'])
      assert.ok(yaml.includes(quoted), `${quoted} in\n${yaml}`);
    // Read back as YAML 1.1 (what the quoting is for), every value is the text it was.
    const doc = parse(yaml.replace('!!str ', ''), { version: '1.1' }) as {
      spec: {
        arguments: { parameters: Array<{ value: unknown }> };
        templates: Array<{ container?: { args: unknown[] } }>;
      };
    };
    assert.deepEqual(
      doc.spec.arguments.parameters.map((p) => p.value),
      ['on', '0o755', '0X1F', '-_1', 'a\u2028b'],
    );
    assert.deepEqual(doc.spec.templates[1]!.container!.args, ['no', '0755', '<<', '=']);
  });

  it('names a task that starts with a digit or is a word of Argo’s expressions so that depends reads it as a name', () => {
    const out = parse(
      exportArgo(
        dagOf('dag: w\ntasks:\n  in: { image: b }\n  1st: { image: b }\n  d: { image: b, depends_on: [in, 1st] }\n'),
      ).yaml,
    ) as { spec: { templates: Array<{ dag?: { tasks: Array<{ name: string; depends?: string }> } }> } };
    const tasks = out.spec.templates[0]!.dag!.tasks;
    assert.deepEqual(
      tasks.map((t) => t.name),
      ['t-in', 't-1st', 'd'],
    );
    assert.equal(tasks[2]!.depends, 't-in.Succeeded && t-1st.Succeeded');
  });

  it('turns dates into expressions over two workflow parameters', () => {
    const t = toArgoTemplate('/data/{{ ds }}/{{ ds | ds_add(1) }}', { dagId: 'd', taskId: 't' });
    assert.equal(
      t.text,
      '/data/{{=sprig.date("2006-01-02", sprig.toDate("2006-01-02T15:04:05Z07:00", workflow.parameters.logical_date))}}/{{=sprig.date("2006-01-02", sprig.dateModify("24h", sprig.toDate("2006-01-02T15:04:05Z07:00", workflow.parameters.logical_date)))}}',
    );
    assert.ok(t.usesDates);
    assert.equal(toArgoTemplate('{{ params.host }}', { dagId: 'd', taskId: 't' }).text, '{{workflow.parameters.host}}');
    assert.deepEqual(toArgoTemplate('{{ env.HOME }}', { dagId: 'd', taskId: 't' }).issues.length, 1);
  });
});

describe('export of format v2 fields', () => {
  const dag = () =>
    analyzeDag(
      'dag: x\ntasks:\n  a: {image: busybox, outputs: [n], skip_on_exit_code: [99], depends_on_past: true}\n  b: {image: busybox, depends_on: [a], when: "{{ tasks.a.outputs.n | gt(0) }}", expand: {v: [1, 2]}}\n',
    ).dag!;

  it('writes depends_on_past and skip_on_exit_code as both Airflow operators take them', () => {
    for (const op of ['docker', 'kubernetes'] as const) {
      const { python } = exportAirflow(dag(), op, 'x.dag.yaml');
      assert.match(python, /depends_on_past=True,/);
      assert.match(python, /skip_on_exit_code=\[99\],/);
    }
  });

  it('names every field it does not carry yet, per task and target, rather than drop it silently', () => {
    const argo = exportArgo(dag(), 'x.dag.yaml').notes.map((n) => `${n.task}: ${n.message}`);
    assert.ok(
      argo.includes(
        'a: skip_on_exit_code, depends_on_past are not exported to Argo yet; the exported task runs without them.',
      ),
    );
  });
});

describe('export of dataflow to Airflow', () => {
  const DAG = `dag: x
tasks:
  list: {image: busybox, outputs: [days, n]}
  fetch:
    image: busybox
    depends_on: [list]
    expand: {day: "{{ tasks.list.outputs.days }}"}
    expand_max_active: 3
    args: ["{{ item.day }}", "{{ map_index }}"]
    outputs: [rows]
  grid: {image: busybox, expand: {a: [1, 2], b: [x, y]}, args: ["{{ item.a }}-{{ item.b }}"]}
  total:
    image: busybox
    depends_on: [fetch]
    when: "{{ tasks.list.outputs.n | gt(1) }}"
    args: ["{{ tasks.fetch.outputs.rows | sum }}", "{{ tasks.fetch.outputs.rows }}", "{{ tasks.list.outputs.days | not }}"]
`;

  it('maps a task over an upstream output with partial().expand(), the output being that task’s return value', () => {
    for (const op of ['docker', 'kubernetes'] as const) {
      const { python, notes } = exportAirflow(dagOf(DAG), op, 'x.dag.yaml');
      assert.deepEqual(notes, []);
      const cls = op === 'docker' ? 'ContainerDagsDockerOperator' : 'ContainerDagsPodOperator';
      assert.match(python, new RegExp(`fetch = ${cls}\\.partial\\(`));
      assert.match(python, /\)\.expand\(cdag_item=list_task\.output\)/);
      assert.match(python, /cdag_item_var="day",/);
      assert.match(python, /max_active_tis_per_dagrun=3,/);
      const list = python.slice(python.indexOf('list_task = '), python.indexOf('fetch = '));
      assert.match(list, /cdag_return="days",/);
      assert.match(list, /do_xcom_push=True,/);
      assert.match(python, /"\{\{ cdag_text\(task\.cdag_item\['day'\]\) \}\}", "\{\{ ti\.map_index \}\}"/);
    }
  });

  it('crosses literal lists into one item per instance, in the engine’s order', () => {
    const { python } = exportAirflow(dagOf(DAG), 'docker', 'x.dag.yaml');
    assert.match(
      python,
      /\.expand\(cdag_item=\[\{"a": 1, "b": "x"\}, \{"a": 1, "b": "y"\}, \{"a": 2, "b": "x"\}, \{"a": 2, "b": "y"\}\]\)/,
    );
  });

  it('reads outputs as XComs of their names (a list of every instance’s value for a mapped task) and when as cdag reads it', () => {
    const { python } = exportAirflow(dagOf(DAG), 'docker', 'x.dag.yaml');
    assert.match(python, /"\{\{ ti\.xcom_pull\(task_ids=\['fetch'\], key='rows'\) \| list \| sum \}\}"/);
    assert.match(python, /"\{\{ cdag_text\(ti\.xcom_pull\(task_ids=\['fetch'\], key='rows'\)\) \}\}"/);
    assert.match(python, /"\{\{ cdag_text\(not cdag_truthy\(ti\.xcom_pull\(task_ids='list', key='days'\)\)\) \}\}"/);
    assert.match(python, /cdag_when="\{\{ cdag_text\(ti\.xcom_pull\(task_ids='list', key='n'\) > 1\) \}\}"/);
    assert.match(
      python,
      /user_defined_macros=\{"cdag_text": cdag_text, "cdag_truthy": cdag_truthy, "cdag_json": cdag_json\}/,
    );
  });

  it('has each operator write its outputs where Airflow collects them: a retrieved file (Docker), the XCom sidecar (Kubernetes)', () => {
    const docker = exportAirflow(dagOf(DAG), 'docker', 'x.dag.yaml').python;
    assert.match(
      docker,
      /environment=\{"CDAG_OUTPUT": "\/cdag\/output\.json"\},\n\s+retrieve_output=True,\n\s+retrieve_output_path="\/cdag\/output\.json",/,
    );
    assert.match(docker, /cli\.put_archive\(container, "\/", _cdag_output_folder\(\)\)/);
    assert.match(docker, /pickling_library = _CdagJsonFile/);
    const pod = exportAirflow(dagOf(DAG), 'kubernetes', 'x.dag.yaml').python;
    assert.match(pod, /env_vars=\{"CDAG_OUTPUT": "\/airflow\/xcom\/return\.json"\},/);
    assert.match(pod, /class ContainerDagsPodOperator\(_CdagDataflow, KubernetesPodOperator\):/);
  });

  it('keeps v1 exports as they were: no subclass for the pod operator, no helpers', () => {
    const pod = exportAirflow(dagOf('dag: v1\ntasks:\n  a: {image: busybox}\n'), 'kubernetes', 'x.dag.yaml').python;
    assert.ok(!pod.includes('cdag_') && pod.includes('a = KubernetesPodOperator('));
  });

  it('says what it cannot map: a template that is not one upstream output, or such a list crossed with others', () => {
    const notes = exportAirflow(
      dagOf(
        'dag: x\nparams: {l: [1]}\ntasks:\n  a: {image: b, outputs: [l]}\n  p: {image: b, expand: {v: "{{ params.l }}"}}\n  q: {image: b, depends_on: [a], expand: {v: "{{ tasks.a.outputs.l }}", w: [1, 2]}}\n',
      ),
      'docker',
      'x.dag.yaml',
    ).notes.map((n) => `${n.task}: ${n.message}`);
    assert.deepEqual(notes, [
      'p: expand.v is a template that is not one upstream output ({{ tasks.ID.outputs.NAME }}); it is not mapped: the exported task runs once, not per item.',
      'q: expand crosses a list from a template with other lists; Airflow expands one XCom per argument, so it is not mapped: the exported task runs once, not per item.',
    ]);
  });
});

describe('export of dataflow to Argo', () => {
  const features = () => dagOf(readFileSync(join(FIXTURES, 'dataflow', 'airflow_features.dag.yaml'), 'utf8'));
  let validate: ArgoValidate;
  before(() => {
    validate = argoValidator();
  });

  it('is valid against Argo’s schema: an output parameter from the output file, withParam, withItems and when', () => {
    const { yaml } = exportArgo(features(), 'x.dag.yaml');
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a parsed document, read by shape in the asserts
    const doc = parse(yaml) as { spec: { workflowSpec: { templates: Array<Record<string, any>> } } };
    assert.deepEqual(validate(doc), []);
    const [main, ...containers] = doc.spec.workflowSpec.templates;
    const task = (n: string) => main!.dag.tasks.find((t: { name: string }) => t.name === n);
    assert.equal(
      task('count').withParam,
      '{{=toJson(jsonpath(tasks["list-days"].outputs.parameters.output, "$.days"))}}',
    );
    assert.deepEqual(task('count').arguments.parameters, [{ name: 'item-day', value: '{{item}}' }]);
    assert.deepEqual(task('grid').withItems, [
      { a: 1, b: 'x' },
      { a: 1, b: 'y' },
      { a: 2, b: 'x' },
      { a: 2, b: 'y' },
    ]);
    assert.equal(task('total').when, '{{=asFloat(jsonpath(tasks["list-days"].outputs.parameters.output, "$.n")) > 1}}');
    const list = containers.find((t) => t.name === 'list-days')!;
    assert.deepEqual(list.outputs, { parameters: [{ name: 'output', valueFrom: { path: '/cdag/output.json' } }] });
    assert.ok(list.container.env.some((e: { name: string }) => e.name === 'CDAG_OUTPUT'));
    const total = containers.find((t) => t.name === 'total')!;
    assert.deepEqual(total.inputs, { parameters: [{ name: 'count-output' }, { name: 'list-days-output' }] });
    assert.equal(total.container.args[2], '{{=len(jsonpath(inputs.parameters["list-days-output"], "$.days"))}}');
  });

  it('says what Argo cannot carry: the map index, expand_max_active', () => {
    const notes = exportArgo(features(), 'x.dag.yaml').notes.map((n) => `${n.task}: ${n.message}`);
    assert.ok(
      notes.some((n) =>
        n.startsWith('count: command: {{ map_index }}: map_index: Argo gives a fanned-out task no index'),
      ),
    );
    assert.ok(notes.some((n) => n.startsWith('count: expand_max_active 2')));
    assert.ok(!notes.some((n) => n.startsWith('total:')), notes.join('\n'));
  });

  it("reads a fanned-out task's output as the list of every instance's value, from Argo's aggregate of them", () => {
    const { yaml } = exportArgo(features(), 'x.dag.yaml');
    assert.ok(yaml.includes('{{=sum(jsonpath(inputs.parameters["count-output"], "$[*].rows"))}}'), yaml);
    assert.ok(yaml.includes('value: "{{tasks.count.outputs.parameters.output}}"'), yaml);
  });

  it('says where Argo’s list of a fanned-out task’s outputs differs from cdag’s: a reader that runs after a failed instance', () => {
    const dag = (rule: string) =>
      dagOf(
        `dag: x\ntasks:\n  m: {image: b, expand: {v: [1, 2]}, outputs: [n]}\n  r: {image: b, depends_on: [m], trigger_rule: ${rule}, args: ["{{ tasks.m.outputs.n | tojson }}"]}\n`,
      );
    const notes = (rule: string) =>
      exportArgo(dag(rule), 'x.dag.yaml').notes.filter((n) => n.task === 'r' && n.severity === 'warning');
    assert.match(notes('all_done')[0]?.message ?? '', /succeeded instances' values only/);
    assert.deepEqual(notes('all_success'), []);
  });

  it('tells an input holding an upstream output from an item, whatever the task is called (item_list)', () => {
    const { yaml } = exportArgo(
      dagOf(
        'dag: x\ntasks:\n  item_list: {image: b, outputs: [n]}\n  use: {image: b, depends_on: [item_list], args: ["{{ tasks.item_list.outputs.n }}"]}\n',
      ),
      'x.dag.yaml',
    );
    assert.ok(yaml.includes('value: "{{tasks.item-list.outputs.parameters.output}}"'), yaml);
  });

  it('says when a when would not give Argo a truth', () => {
    const notes = (when: string) =>
      exportArgo(
        dagOf(`dag: x\ntasks:\n  a: {image: b, outputs: [n]}\n  c: {image: b, depends_on: [a], when: "${when}"}\n`),
        'x.dag.yaml',
      ).notes.filter((n) => n.message.startsWith('when:')).length;
    assert.equal(notes('{{ tasks.a.outputs.n }}'), 1);
    assert.equal(notes('{{ tasks.a.outputs.n | gt(0) }}'), 0);
  });
});

describe('export of task groups', () => {
  const grouped = () => dagOf(readFileSync(join(FIXTURES, 'groups', 'grouped.dag.yaml'), 'utf8'));

  it('writes Airflow TaskGroups, nested, with depends_on naming a group as `group >> task`, and reads them back as groups', async () => {
    const { python, notes } = exportAirflow(grouped(), 'docker', 'g.dag.yaml');
    assert.deepEqual(notes, []);
    assert.match(
      python,
      /^ {4}with TaskGroup\(group_id="extract", tooltip="Pull the raw data\."\) as extract_group:\n {8}us = /m,
    );
    assert.match(python, /^ {8}with TaskGroup\(group_id="eu"\) as extract_eu_group:\n {12}eu = /m);
    assert.match(python, /^ {4}extract_group >> load$/m);
    assert.match(python, /from airflow\.sdk import TaskGroup {2}# Airflow 3/);
    const back = await importAirflowDag(python, 'g.py');
    assert.ok(back.succeeded);
    const dag = analyzeDag(back.result.yaml).dag!;
    assert.deepEqual(
      dag.tasks.map((t) => [t.id, t.group ?? null]),
      [
        ['start', null],
        ['load', null],
        ['extract__us', 'extract'],
        ['extract__eu__eu', 'extract.eu'],
      ],
    );
    assert.equal(dag.groups.get('extract')!.description, 'Pull the raw data.');
    assert.deepEqual([...dag.tasks.find((t) => t.id === 'load')!.dependsOn].sort(), ['extract__eu__eu', 'extract__us']);
    // Written again, the imported ids lose their group prefix: Airflow names them as the first export did.
    const again = exportAirflow(dag, 'docker', 'g.dag.yaml').python;
    assert.match(again, /task_id="us"/);
    assert.match(again, /task_id="eu"/);
  });

  it('writes Argo task names prefixed by their groups', () => {
    const { yaml } = exportArgo(grouped(), 'g.dag.yaml');
    assert.match(yaml, /- name: extract-eu-eu\n/);
    assert.match(yaml, /- name: extract-us\n/);
  });
});
