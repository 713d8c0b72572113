import assert from 'node:assert/strict';
import { analyzeDag } from '../../../src/dag/analyze';
import { exportAirflow } from '../../../src/interop/airflow/exportAirflow';
import { importAirflowDag } from '../../../src/interop/airflow/importDag';

const HEAD = `from airflow import DAG
from airflow.providers.docker.operators.docker import DockerOperator
`;

async function imported(py: string) {
  const r = await importAirflowDag(py, 'p.py');
  assert.ok(r.succeeded, r.succeeded ? '' : r.error);
  const a = analyzeDag(r.result.yaml, 'p.dag.yaml');
  // The note on Airflow's defaults (the DAGs here have no schedule) is another test's.
  return { ...r.result, problems: r.result.problems.filter((p) => p.code !== 'airflow-defaults'), analysis: a };
}

describe('task-level params, merged as Airflow merges them', () => {
  it('adds a task’s params to the DAG’s, so {{ params.x }} resolves in the written file', async () => {
    const r = await imported(`${HEAD}with DAG("p", params={"region": "eu"}) as dag:
    a = DockerOperator(task_id="a", image="x", params={"bucket": "raw"}, command="copy {{ params.bucket }} {{ params.region }}")
`);
    assert.equal(r.analysis.hasErrors, false, JSON.stringify(r.analysis.problems));
    assert.deepEqual({ ...r.analysis.dag!.params }, { region: 'eu', bucket: 'raw' });
    assert.deepEqual(
      r.problems.map((p) => p.code),
      [],
    );
  });

  it('writes a value that differs from the DAG’s or another task’s into that task’s templates, and says so', async () => {
    const r = await imported(`${HEAD}with DAG("p", params={"bucket": "raw"}) as dag:
    a = DockerOperator(task_id="a", image="x", command="copy {{ params.bucket }}")
    b = DockerOperator(task_id="b", image="x", params={"bucket": "clean"}, command="copy {{ params.bucket }} {{params.bucket|upper}}")
`);
    assert.equal(r.analysis.hasErrors, false);
    const [a, b] = r.analysis.dag!.tasks;
    assert.deepEqual(a!.args, ['copy', '{{ params.bucket }}']);
    assert.deepEqual(b!.args, ['copy', 'clean', '{{ params.bucket | upper }}']);
    assert.match(
      r.problems.map((p) => `${p.line}: ${p.message}`).join('\n'),
      /^5: params\["bucket"\] of task "b" differs from the DAG's;.*filters keeps the DAG's value/m,
    );
  });

  it('declares a param that templates use but nothing declares (Airflow renders it empty), and says so', async () => {
    const r = await imported(`${HEAD}with DAG("p") as dag:
    a = DockerOperator(task_id="a", image="x", command="echo {{ params.missing }}")
`);
    assert.equal(r.analysis.hasErrors, false, JSON.stringify(r.analysis.problems));
    assert.equal(r.analysis.dag!.params.missing, '');
    assert.match(r.problems[0]!.message, /params.missing .* declared here as ""/);
  });
});

describe('Python names that are Object.prototype members', () => {
  it('imports a task, a param and a Kubernetes dict key named __proto__ or constructor as ordinary names', async () => {
    const r = await imported(`from airflow import DAG
from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator

with DAG("p", params={"__proto__": "x", "constructor": "y"}) as dag:
    a = KubernetesPodOperator(task_id="__proto__", image="busybox", params={"toString": "z"},
                              cmds=["echo", "{{ params.__proto__ }} {{ params.toString }}"],
                              affinity={"__proto__": {"a": 1}, "nodeAffinity": {}})
    b = KubernetesPodOperator(task_id="constructor", image="busybox")
    a >> b
`);
    assert.deepEqual(
      r.analysis.dag!.tasks.map((t) => `${t.id}<${t.dependsOn.join(',')}`),
      ['__proto__<', 'constructor<__proto__'],
    );
    assert.deepEqual(Object.keys(r.analysis.dag!.params), ['__proto__', 'constructor', 'toString']);
    const spec = (r.analysis.dag!.tasks[0]!.kubernetes.pod as { spec: { affinity: object } }).spec;
    assert.deepEqual(Object.keys(spec.affinity), ['__proto__', 'nodeAffinity']);
    assert.equal(Object.getPrototypeOf(spec.affinity), Object.prototype);
    // And back out: a field name is looked up in the Kubernetes model by own keys only.
    assert.match(exportAirflow(r.analysis.dag!, 'kubernetes').python, /affinity=k8s\.V1Affinity\(/);
  });
});
