import assert from 'node:assert/strict';
import { analyzeDag } from '../../../src/dag/analyze';
import { exportAirflow } from '../../../src/interop/airflow/exportAirflow';
import { importAirflowDag } from '../../../src/interop/airflow/importDag';
import { parsePython } from '../../../src/interop/python/parser';

async function validPython(py: string): Promise<void> {
  const tree = await parsePython(py);
  assert.ok(tree.succeeded);
  assert.equal(tree.result.rootNode.hasError, false, py);
}

async function imported(py: string) {
  const r = await importAirflowDag(py, 'x.py');
  assert.ok(r.succeeded, r.succeeded ? '' : r.error);
  return r.result;
}

const HEAD = `from airflow import DAG
from airflow.providers.docker.operators.docker import DockerOperator
`;

describe('odd and hostile input to import and export', () => {
  it('writes user maps as data, never as code, even with keys named raw or call', async () => {
    const dag = analyzeDag(`dag: p
params: { raw: "__import__('os').system('id')", call: x }
tasks:
  t: { image: busybox, env: { raw: "1" } }
`).dag!;
    const py = exportAirflow(dag, 'docker').python;
    assert.ok(py.includes(`params={"raw": "__import__('os').system('id')", "call": "x"}`), py);
    assert.ok(py.includes('environment={"raw": "1"}'));
    await validPython(py);
  });

  it('keeps a file name or description with quotes and line breaks inside the docstring and comments', async () => {
    const dag = analyzeDag(
      'dag: d\ndescription: "end \\"\\"\\" here \\\\ and\\nnext"\ntasks:\n  t: { image: busybox }\n',
    ).dag!;
    const py = exportAirflow(dag, 'kubernetes', 'a""";__import__("os").system("id");"""\n.dag.yaml').python;
    await validPython(py);
    assert.ok(!/^__import__/m.test(py));
  });

  it('writes a literal {# or {% as text Jinja leaves alone, and reads it back', async () => {
    const dag = analyzeDag(`dag: j
tasks:
  t: { image: busybox, command: [sh, -c], args: ["echo \${#X} {%"] }
`).dag!;
    const py = exportAirflow(dag, 'docker').python;
    assert.ok(py.includes(`"echo \${{ '{#' }}X} {{ '{%' }}"`), py);
    const back = await imported(py);
    assert.deepEqual(analyzeDag(back.yaml).dag!.tasks[0]!.args, ['echo ${#X} {%']);
  });

  it('never names a task variable like a name the file uses', async () => {
    const dag = analyzeDag(`dag: n
tasks:
  os: { image: busybox, secrets: { PW: pw } }
  timedelta: { image: busybox, retries: 1, depends_on: [os] }
  Mount: { image: busybox, depends_on: [timedelta] }
`).dag!;
    const py = exportAirflow(dag, 'docker').python;
    assert.match(py, /^ {4}os_task = /m);
    assert.match(py, /^ {4}timedelta_task = /m);
    assert.match(py, /^ {4}Mount_task = /m);
    await validPython(py);
  });

  it('imports nothing of a second DAG, nor a task that names another DAG', async () => {
    const r = await imported(`${HEAD}import pendulum
with DAG("one", start_date=pendulum.datetime(2024, 1, 1)) as dag:
    a = DockerOperator(task_id="a", image="busybox")
other = DAG("other")
b = DockerOperator(task_id="b", image="busybox", dag=other)
with DAG("two") as two:
    c = DockerOperator(task_id="c", image="busybox")
`);
    assert.deepEqual(
      analyzeDag(r.yaml)
        .dag!.tasks.map((t) => t.id)
        .sort(),
      ['a'],
    );
    assert.ok(r.problems.some((p) => p.code === 'several-dags' && /another DAG/.test(p.message)));
  });

  it('names tasks in a TaskGroup after the group, as Airflow does', async () => {
    const r = await imported(`${HEAD}from airflow.utils.task_group import TaskGroup
with DAG("g") as dag:
    with TaskGroup("g1"):
        e1 = DockerOperator(task_id="e", image="busybox")
    with TaskGroup("g2"):
        e2 = DockerOperator(task_id="e", image="busybox")
    e1 >> e2
`);
    const dag = analyzeDag(r.yaml).dag!;
    assert.deepEqual(
      dag.tasks.map((t) => [t.id, t.dependsOn]),
      [
        ['g1__e', []],
        ['g2__e', ['g1__e']],
      ],
    );
  });

  it('reports operators it does not follow — tuple unpacking, walrus, functions — by line; reads a list of tasks', async () => {
    const r = await imported(`${HEAD}with DAG("t") as dag:
    a, b = DockerOperator(task_id="a", image="x"), DockerOperator(task_id="b", image="x")
    more = [DockerOperator(task_id="c", image="x")]
    def make():
        return DockerOperator(task_id="d", image="x")
`);
    const lines = r.problems.filter((p) => p.code === 'unsupported-statement').map((p) => p.line);
    assert.deepEqual(lines, [4, 4, 7]);
    // A list of operators assigned to a name makes its tasks, as in Airflow.
    assert.deepEqual(
      analyzeDag(r.yaml).dag!.tasks.map((t) => t.id),
      ['c'],
    );
  });

  it('does not throw on an escape past U+10FFFF or an f-string it cannot read', async () => {
    const r = await imported(`${HEAD}X = "\\U00110000"
with DAG("u") as dag:
    a = DockerOperator(task_id="a", image=f"{X!r}")
`);
    assert.ok(r.problems.some((p) => p.code === 'computed-value'));
  });

  it('never copies a password written into environment or a secret’s fallback', async () => {
    const r = await imported(`${HEAD}import os
with DAG("s") as dag:
    a = DockerOperator(task_id="a", image="x", environment={"DB_PASSWORD": "hunter2"},
                       command=["run", os.getenv("API_TOKEN", "sk-live-123")])
`);
    assert.ok(!r.yaml.includes('hunter2') && !r.yaml.includes('sk-live-123'), r.yaml);
    assert.deepEqual({ ...analyzeDag(r.yaml).dag!.tasks[0]!.secrets }, { DB_PASSWORD: 'db-password' });
    for (const p of r.problems) assert.ok(!p.message.includes('hunter2') && !p.message.includes('sk-live'));
  });
});
