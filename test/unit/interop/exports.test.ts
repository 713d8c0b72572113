import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { analyzeDag } from '../../../src/dag/analyze';
import type { Dag } from '../../../src/dag/model';
import { exportAirflow } from '../../../src/interop/airflow/exportAirflow';
import { fromAirflowTemplate, toAirflowTemplate } from '../../../src/interop/airflow/templates';
import { toArgoTemplate } from '../../../src/interop/argo/argoTemplates';
import { exportArgo } from '../../../src/interop/argo/exportArgo';
import { argoValidator, type ArgoValidate } from '../../support/argoSchema';
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

  it('has a dag template with dependencies, depends for trigger rules, retryStrategy, deadlines, volumes and Secret env', () => {
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
      { name: 'rank', template: 'rank', dependencies: ['fetch-it'] },
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
    const airflow = exportAirflow(dag(), 'docker', 'x.dag.yaml').notes.map((n) => `${n.task}: ${n.message}`);
    assert.ok(airflow.includes('a: outputs is not exported to Airflow yet; the exported task runs without it.'));
    assert.ok(
      airflow.includes('b: expand, when are not exported to Airflow yet; the exported task runs without them.'),
    );
    const argo = exportArgo(dag(), 'x.dag.yaml').notes.map((n) => `${n.task}: ${n.message}`);
    assert.ok(
      argo.includes(
        'a: outputs, skip_on_exit_code, depends_on_past are not exported to Argo yet; the exported task runs without them.',
      ),
    );
  });
});
