import assert from 'node:assert/strict';
import { analyzeDag } from '../../../src/dag/analyze';
import { importAirflowDag } from '../../../src/interop/airflow/importDag';

const HEAD = `from airflow import DAG
from airflow.models.baseoperator import chain, cross_downstream
from airflow.operators.empty import EmptyOperator
from airflow.providers.docker.operators.docker import DockerOperator
`;

/** The tasks a..f, then the given body, at module level of a `with DAG` file. */
async function edgesOf(body: string, tasks = 'abcdef') {
  const defs = [...tasks].map((t) => `    ${t} = DockerOperator(task_id="${t}", image="busybox")`).join('\n');
  const py = `${HEAD}with DAG("deps") as dag:\n${defs}\n${body.replace(/^/gm, '    ')}\n`;
  const r = await importAirflowDag(py, 'deps.py');
  assert.ok(r.succeeded, r.succeeded ? '' : r.error);
  const dag = analyzeDag(r.result.yaml).dag!;
  const edges = dag.tasks.flatMap((t) => t.dependsOn.map((u) => `${u}>${t.id}`)).sort();
  const problems = r.result.problems.filter((p) => p.code !== 'airflow-defaults').map((p) => `${p.code}@${p.line}`);
  return { edges, problems, yaml: r.result.yaml };
}

describe('Airflow dependencies in every statement form', () => {
  it('reads a parenthesised chain, the form of Airflow’s own examples', async () => {
    const r = await edgesOf('(\n    a\n    >> b\n    >> c\n)');
    assert.deepEqual(r.edges, ['a>b', 'b>c']);
    assert.deepEqual(r.problems, []);
  });

  it('reads chains in a tuple, a list and a comma-separated statement', async () => {
    assert.deepEqual((await edgesOf('(a >> b, c >> d)')).edges, ['a>b', 'c>d']);
    assert.deepEqual((await edgesOf('[a >> b, c << d]')).edges, ['a>b', 'd>c']);
    assert.deepEqual((await edgesOf('a >> b, b >> c')).edges, ['a>b', 'b>c']);
  });

  it('unrolls a for loop over a literal list of tasks, and of task ids that make tasks', async () => {
    assert.deepEqual((await edgesOf('for t in [b, c]:\n    a >> t\n    t >> d')).edges, ['a>b', 'a>c', 'b>d', 'c>d']);
    const made = await edgesOf(
      'for name in ["x", "y"]:\n    op = DockerOperator(task_id=name, image="busybox")\n    a >> op',
      'a',
    );
    assert.deepEqual(made.edges, ['a>x', 'a>y']);
  });

  it('reads every branch of a module-level if, saying the condition was not evaluated', async () => {
    const r = await edgesOf('import os\nif os.environ.get("FULL"):\n    a >> b\nelse:\n    a >> c');
    assert.deepEqual(r.edges, ['a>b', 'a>c']);
    assert.deepEqual(
      r.problems.filter((p) => p.startsWith('condition')),
      ['condition-not-evaluated@13'],
    );
  });

  it('reads set_upstream, set_downstream, chain and cross_downstream, also as assignments', async () => {
    assert.deepEqual((await edgesOf('b.set_upstream(a)\nc.set_downstream([d, e])')).edges, ['a>b', 'c>d', 'c>e']);
    assert.deepEqual((await edgesOf('chain(a, [b, c], [d, e], f)')).edges, ['a>b', 'a>c', 'b>d', 'c>e', 'd>f', 'e>f']);
    assert.deepEqual((await edgesOf('x = chain(a, b)\ncross_downstream([a, b], [c, d])')).edges, [
      'a>b',
      'a>c',
      'a>d',
      'b>c',
      'b>d',
    ]);
    assert.deepEqual((await edgesOf('group = [b, c]\na >> group >> d')).edges, ['a>b', 'a>c', 'b>d', 'c>d']);
  });

  it('reads dependencies across several with blocks of the same DAG', async () => {
    const py = `${HEAD}with DAG("deps") as dag:\n    a = DockerOperator(task_id="a", image="x")\n    b = DockerOperator(task_id="b", image="x")\nwith dag:\n    a >> b\n`;
    const r = await importAirflowDag(py, 'w.py');
    assert.ok(r.succeeded);
    assert.deepEqual(analyzeDag(r.result.yaml).dag!.tasks[1]!.dependsOn, ['a']);
  });

  it('keeps the other edges of a chain through a left-out operator', async () => {
    const r = await edgesOf('start = EmptyOperator(task_id="start")\n(a >> start >> [b, c], start << d)');
    assert.deepEqual(r.edges, ['a>b', 'a>c', 'd>b', 'd>c']);
  });

  it('says, on its line, every dependency it cannot read — never a silent loss', async () => {
    const r = await edgesOf('def wire():\n    a >> b\nwhile False:\n    c.set_downstream(d)\nprint(e >> f)');
    assert.deepEqual(r.edges, []);
    assert.deepEqual(
      r.problems.filter((p) => p.startsWith('dependency-not-read')),
      ['dependency-not-read@13', 'dependency-not-read@15', 'dependency-not-read@16'],
    );
  });
});
