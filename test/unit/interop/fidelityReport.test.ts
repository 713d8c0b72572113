import assert from 'node:assert/strict';
import { formatReport } from '../../../src/interop/airflow/fidelityReport';
import { importAirflowDag } from '../../../src/interop/airflow/importDag';

const PY = `from airflow import DAG
from airflow.operators.empty import EmptyOperator
from airflow.providers.docker.operators.docker import DockerOperator
import random

with DAG("report", schedule=None) as dag:
    start = EmptyOperator(task_id="start")
    a = DockerOperator(
        task_id="a",
        image="busybox",
        command=["echo", "hi"],
        retries=2,
        owner="data",
        privileged=True,
        mem_limit="1g",
        cpus=random.random(),
        docker_url="unix://var/run/docker.sock",
    )
    start >> a
`;

describe('the fidelity report of an import', () => {
  it('says per task what was carried, approximated and left out, with a count line', async () => {
    const r = await importAirflowDag(PY, 'report.py');
    assert.ok(r.succeeded);
    const [start, a] = r.result.report;
    assert.equal(start!.translated, false);
    assert.equal(a!.taskId, 'a');
    assert.equal(a!.line, 8);
    const fate = Object.fromEntries(a!.args.map((x) => [x.name, x.fate]));
    assert.equal(fate.image, 'carried');
    assert.equal(fate.command, 'carried');
    assert.equal(fate.retries, 'carried');
    assert.equal(fate.mem_limit, 'carried');
    assert.equal(fate.owner, 'left-out');
    assert.equal(fate.privileged, 'left-out');
    assert.equal(fate.cpus, 'approximated');
    const lines = formatReport(r.result.report);
    assert.match(
      lines[0]!,
      /^start \(EmptyOperator, line 7\): left out — not a container operator; its dependencies are kept\.$/,
    );
    assert.match(lines.join('\n'), /^a \(DockerOperator, line 8\): \d+ of 8 arguments carried$/m);
    assert.match(lines.join('\n'), /^ {2}left out: owner — owner is Airflow scheduling metadata/m);
    assert.match(
      lines.at(-1)!,
      /^\d+ of 8 arguments carried, 1 approximated, \d+ left out, in 1 task; 1 operator left out\.$/,
    );
  });
});
