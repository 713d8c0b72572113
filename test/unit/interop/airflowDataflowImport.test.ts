import assert from 'node:assert/strict';
import { analyzeDag } from '../../../src/dag/analyze';
import type { Dag } from '../../../src/dag/model';
import { exportAirflow } from '../../../src/interop/airflow/exportAirflow';
import { importAirflowDag, type ImportResult } from '../../../src/interop/airflow/importDag';
import { fromAirflowTemplate } from '../../../src/interop/airflow/templatesFromAirflow';

async function imported(py: string): Promise<ImportResult & { dag: Dag }> {
  const r = await importAirflowDag(py, 'dag.py');
  assert.ok(r.succeeded, r.succeeded ? '' : r.error);
  const a = analyzeDag(r.result.yaml, 'imported.dag.yaml');
  assert.deepEqual(
    a.problems.filter((p) => p.severity === 'error').map((p) => p.message),
    [],
    `the written file is valid:\n${r.result.yaml}`,
  );
  return { ...r.result, dag: a.dag! };
}

const HEAD = `from airflow import DAG
from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
from airflow.providers.docker.operators.docker import DockerOperator
import pendulum

with DAG("mapped", start_date=pendulum.datetime(2024, 1, 1, tz="UTC"), schedule="@daily") as dag:
`;

describe('cdag import of Airflow mapped tasks and XComs', () => {
  it('reads partial().expand() over a literal list of argument lists that differ in one place', async () => {
    const r = await imported(
      `${HEAD}    echo = KubernetesPodOperator.partial(task_id="echo", image="alpine", cmds=["echo"]).expand(
        arguments=[["--day", "mon"], ["--day", "tue"]]
    )\n`,
    );
    const t = r.dag.tasks[0]!;
    assert.deepEqual(t.args, ['--day', '{{ item.arguments }}']);
    assert.deepEqual([...t.expand!], [['arguments', { kind: 'items', items: ['mon', 'tue'] }]]);
  });

  it('reads a mapping over an upstream task’s XCom as an expand over its output, declaring it and the dependency', async () => {
    const r = await imported(
      `${HEAD}    files = KubernetesPodOperator(task_id="list_files", image="alpine", do_xcom_push=True)
    DockerOperator.partial(task_id="process", image="alpine").expand(command=files.output)\n`,
    );
    const process = r.dag.tasks.find((t) => t.id === 'process')!;
    assert.deepEqual(process.dependsOn, ['list_files']);
    assert.deepEqual(
      [...process.expand!],
      [['command', { kind: 'template', template: '{{ tasks.list_files.outputs.return_value }}' }]],
    );
    assert.deepEqual(r.dag.tasks.find((t) => t.id === 'list_files')!.outputs, ['return_value']);
    assert.ok(
      r.problems.some((p) => p.code === 'xcom-output' && p.message.includes('writes as JSON to $CDAG_OUTPUT')),
      'the image must write its return value to $CDAG_OUTPUT now: said',
    );
  });

  it('reads xcom_pull in templates as task outputs, an entry of a pulled dict as an output of that name', async () => {
    const r = await imported(
      `${HEAD}    a = DockerOperator(task_id="a", image="alpine")
    b = DockerOperator(task_id="b", image="alpine", command=["{{ ti.xcom_pull(task_ids='a')['path'] }}", "{{ ti.xcom_pull(task_ids='a', key='n') }}"])
    a >> b\n`,
    );
    assert.deepEqual(r.dag.tasks.find((t) => t.id === 'b')!.args, [
      '{{ tasks.a.outputs.path }}',
      '{{ tasks.a.outputs.n }}',
    ]);
    assert.deepEqual(r.dag.tasks.find((t) => t.id === 'a')!.outputs, ['path', 'n']);
  });

  it('reads depends_on_past and skip_on_exit_code', async () => {
    const r = await imported(
      `${HEAD}    DockerOperator(task_id="a", image="alpine", depends_on_past=True, skip_on_exit_code=99)
    DockerOperator(task_id="b", image="alpine", skip_on_exit_code=[3, 4])\n`,
    );
    const [a, b] = r.dag.tasks;
    assert.equal(a!.dependsOnPast, true);
    assert.deepEqual(a!.skipOnExitCode, [99]);
    assert.deepEqual(b!.skipOnExitCode, [3, 4]);
    assert.equal(b!.dependsOnPast, false);
  });

  it('says when an expansion has no equivalent, and imports the task unmapped', async () => {
    const r = await imported(
      `${HEAD}    DockerOperator.partial(task_id="a", image="alpine").expand(command=[["x", "1"], ["y", "2"]])\n`,
    );
    assert.equal(r.dag.tasks[0]!.expand, undefined);
    assert.ok(r.problems.some((p) => p.message.includes('lists that differ in more than one place')));
  });
});

describe('Jinja read back into templates', () => {
  it('reads what cdag export writes for format v2 as the names and filters it came from', () => {
    const cases: Array<[string, string]> = [
      ["{{ cdag_text(task.cdag_item['day']) }}", '{{ item.day }}'],
      ['{{ ti.map_index }}', '{{ map_index }}'],
      ["{{ ti.xcom_pull(task_ids=['fetch'], key='rows') | list | sum }}", '{{ tasks.fetch.outputs.rows | sum }}'],
      ["{{ cdag_text(ti.xcom_pull(task_ids='a', key='n') > 1) }}", '{{ tasks.a.outputs.n | gt(1) }}'],
      ["{{ cdag_text(not cdag_truthy(ti.xcom_pull(task_ids='a', key='ok'))) }}", '{{ tasks.a.outputs.ok | not }}'],
      ["{{ cdag_text(ti.xcom_pull(task_ids='a', key='c') in ['x', 'y']) }}", '{{ tasks.a.outputs.c | in("x", "y") }}'],
      ["{{ cdag_json(ti.xcom_pull(task_ids='a', key='l')) }}", '{{ tasks.a.outputs.l | tojson }}'],
    ];
    for (const [airflow, ours] of cases) assert.equal(fromAirflowTemplate(airflow).text, ours, airflow);
  });

  it('reports a pull it cannot read (a computed task id) and leaves it as written', () => {
    const t = fromAirflowTemplate('{{ ti.xcom_pull(task_ids=name) }}');
    assert.equal(t.text, '{{ ti.xcom_pull(task_ids=name) }}');
    assert.match(t.issues[0]!, /without one literal task id/);
  });
});

describe('interop details: settings one per DAG, retry_delay, prev_ds', () => {
  const POD = (a: string, b: string) => `from airflow import DAG
from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator

with DAG("ns", schedule="@daily", catchup=True) as dag:
    KubernetesPodOperator(task_id="a", image="alpine"${a})
    KubernetesPodOperator(task_id="b", image="alpine"${b})
`;

  it('lifts a namespace to the DAG only when every task sets the same one, and says why otherwise', async () => {
    const same = await importAirflowDag(POD(', namespace="jobs"', ', namespace="jobs"'), 'ns.py');
    assert.ok(same.succeeded);
    assert.equal(analyzeDag(same.result.yaml).dag!.kubernetes.namespace, 'jobs');
    for (const [a, b, why] of [
      [', namespace="jobs"', ', namespace="other"', /Tasks differ in kubernetes\.namespace.*it was not set/],
      [', namespace="jobs"', '', /Only some tasks set kubernetes\.namespace.*it was not set/],
    ] as const) {
      const r = await importAirflowDag(POD(a, b), 'ns.py');
      assert.ok(r.succeeded);
      assert.equal(analyzeDag(r.result.yaml).dag!.kubernetes.namespace, undefined);
      assert.ok(
        r.result.problems.some((p) => why.test(p.message)),
        r.result.problems.map((p) => p.message).join('\n'),
      );
    }
  });

  it('exports a retry_delay given without retries, and reads it back', async () => {
    const dag = analyzeDag('dag: r\ntasks:\n  a: {image: busybox, retry_delay: 30s}\n').dag!;
    const { python } = exportAirflow(dag, 'docker', 'r.dag.yaml');
    assert.match(python, /retry_delay=timedelta\(seconds=30\.?0?\)/);
    const back = await importAirflowDag(python, 'r.py');
    assert.ok(back.succeeded);
    assert.equal(analyzeDag(back.result.yaml).dag!.tasks[0]!.retryDelayMs, 30_000);
  });

  it('exports prev_ds as the previous tick of the schedule’s cron (right for months), and reads it back as prev_ds', async () => {
    const dag = analyzeDag(
      'dag: m\nschedule: "@monthly"\nstart_date: 2024-01-01\ntasks:\n  a: {image: busybox, args: ["{{ prev_ds }}", "{{ prev_ds_nodash }}"]}\n',
    ).dag!;
    const { python } = exportAirflow(dag, 'docker', 'm.dag.yaml');
    assert.match(python, /"\{\{ cdag_prev_ds\(logical_date, '0 0 1 \* \*'\) \}\}"/);
    assert.match(python, /def cdag_prev_ds\(logical_date, cron, fmt="%Y-%m-%d"\):/);
    assert.match(python, /"cdag_prev_ds": cdag_prev_ds/);
    const back = await importAirflowDag(python, 'm.py');
    assert.ok(back.succeeded);
    assert.deepEqual(analyzeDag(back.result.yaml).dag!.tasks[0]!.args, ['{{ prev_ds }}', '{{ prev_ds_nodash }}']);
    assert.ok(!back.result.problems.some((p) => p.message.includes('user_defined_macros')));
  });
});

describe('hostile and odd input across the v2 interop', () => {
  it('names no task variable after a Python builtin or a helper of the export', () => {
    const dag = analyzeDag(
      'dag: x\ntasks:\n  type: {image: b, outputs: [n]}\n  super: {image: b, depends_on: [type], args: ["{{ tasks.type.outputs.n }}"]}\n  _CdagDataflow: {image: b}\n',
    ).dag!;
    const { python } = exportAirflow(dag, 'docker', 'x.dag.yaml');
    assert.match(python, /^ {4}type_task = ContainerDagsDockerOperator\(/m);
    assert.match(python, /^ {4}super_task = ContainerDagsDockerOperator\(/m);
    assert.match(python, /^ {4}_CdagDataflow_task = ContainerDagsDockerOperator\(/m);
  });

  it('reads a template naming an Object prototype member as unknown, without failing the import', async () => {
    for (const name of ['toString', 'constructor', '__proto__']) {
      const t = fromAirflowTemplate(`{{ ${name} }}`);
      assert.equal(t.text, `{{ ${name} }}`);
      assert.match(t.issues[0]!, /has no equivalent/);
    }
  });

  it('refuses string literals inside expressions and pulls of ids that are not ids here', () => {
    assert.match(fromAirflowTemplate("{{ 'x' | upper }}").issues[0]!, /string literal/);
    assert.match(fromAirflowTemplate("{{ ti.xcom_pull(task_ids='a b') }}").issues[0]!, /not a task id/);
    assert.match(fromAirflowTemplate("{{ ti.xcom_pull(task_ids='a', dag_id='other') }}").issues[0]!, /another DAG/);
  });

  it('keeps the dependency on a mapped-over XCom when the expansion cannot be read, declaring no output', async () => {
    const r = await imported(
      `${HEAD}    files = KubernetesPodOperator(task_id="files", image="alpine")
    DockerOperator.partial(task_id="p", image="alpine").expand(command=files.output, environment=[{"A": "1"}])\n`,
    );
    const p = r.dag.tasks.find((t) => t.id === 'p')!;
    assert.equal(p.expand, undefined);
    assert.deepEqual(p.dependsOn, ['files']);
    assert.deepEqual(r.dag.tasks.find((t) => t.id === 'files')!.outputs, []);
  });
});
