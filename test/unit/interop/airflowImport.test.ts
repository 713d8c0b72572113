import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeDag } from '../../../src/dag/analyze';
import type { Dag } from '../../../src/dag/model';
import type { InteropProblem } from '../../../src/interop/airflow/importContext';
import { importAirflowDag, type ImportResult } from '../../../src/interop/airflow/importDag';
import { FIXTURES } from '../helpers';

/** An import, without the note on Airflow's defaults (its own tests read it). */
async function imported(py: string, file = 'dag.py'): Promise<ImportResult & { dag?: Dag }> {
  const full = await importAirflowDag(py, file);
  assert.ok(full.succeeded, full.succeeded ? '' : full.error);
  const r = { result: { ...full.result, problems: full.result.problems.filter((p) => p.code !== 'airflow-defaults') } };
  if (!r.result.yaml) return r.result;
  const a = analyzeDag(r.result.yaml, 'imported.dag.yaml');
  assert.deepEqual(
    a.problems.filter((p) => p.severity === 'error').map((p) => p.message),
    [],
    `the written file is valid:\n${r.result.yaml}`,
  );
  return { ...r.result, dag: a.dag };
}

/** Problems by code and line; the note on Airflow's defaults (tested on its own) left out. */
const at = (problems: readonly InteropProblem[]): string[] =>
  problems.filter((p) => p.code !== 'airflow-defaults').map((p) => `${p.code}@${p.line}`);

const HEAD = `from airflow import DAG
from airflow.providers.docker.operators.docker import DockerOperator
import pendulum
`;

function deps(dag: Dag): Record<string, string[]> {
  return Object.fromEntries(dag.tasks.map((t) => [t.id, [...t.dependsOn].sort()]));
}

describe('cdag import: Airflow DAG files as DAG files', () => {
  it('imports the book’s 01_docker.py: tasks, command as args, the bind mount as a volume, network, schedule, dates', async () => {
    const r = await imported(readFileSync(join(FIXTURES, 'airflow', '01_docker.py'), 'utf8'), '01_docker.py');
    const dag = r.dag!;
    assert.equal(dag.id, '01_docker');
    assert.equal(dag.scheduleText, '@daily');
    assert.equal(dag.startDate?.toISOString(), '2019-01-01T00:00:00.000Z');
    assert.equal(dag.endDate?.toISOString(), '2019-01-03T00:00:00.000Z');
    // Only fetch_ratings sets network_mode (it calls the API): the network stays that task's.
    assert.equal(dag.docker.network, undefined);
    assert.deepEqual(dag.volumes.data?.docker, '/tmp/airflow/data');
    const fetch = dag.tasks.find((t) => t.id === 'fetch_ratings')!;
    assert.equal(fetch.network, 'airflow');
    assert.equal(dag.tasks.find((t) => t.id === 'rank_movies')!.network, undefined);
    assert.equal(fetch.image, 'manning-airflow/movielens-fetch');
    assert.equal(fetch.command, undefined, 'DockerOperator command is the image Cmd: args here');
    assert.deepEqual(fetch.args?.slice(0, 5), [
      'fetch-ratings',
      '--start_date',
      '{{ ds }}',
      '--end_date',
      '{{ data_interval_end | ds_format("%Y-%m-%d") }}',
    ]);
    assert.deepEqual(fetch.mounts, [{ volume: 'data', target: '/data', readOnly: false }]);
    assert.deepEqual(deps(dag), { fetch_ratings: [], rank_movies: ['fetch_ratings'] });
    // The book passes the password on the command line: kept, and said.
    assert.deepEqual(at(r.problems), ['secret-on-command-line@31']);
    assert.match(r.problems[0]!.message, /MOVIELENS_PASSWORD.*secrets/);
  });

  it('imports the book’s 02_kubernetes.py: cmds/arguments, the PVC volume, namespace, context, pull policy and pod deletion', async () => {
    const r = await imported(readFileSync(join(FIXTURES, 'airflow', '02_kubernetes.py'), 'utf8'), '02_kubernetes.py');
    const dag = r.dag!;
    assert.equal(dag.kubernetes.namespace, 'airflow');
    assert.equal(dag.kubernetes.context, 'docker-desktop');
    assert.equal(dag.kubernetes.deletePods, 'always');
    assert.deepEqual(dag.volumes['data-volume']?.kubernetes, { claim: 'data-volume' });
    const rank = dag.tasks.find((t) => t.id === 'rank_movies')!;
    assert.deepEqual(rank.command, ['rank-movies']);
    assert.equal(rank.imagePullPolicy, 'Never');
    assert.deepEqual(rank.mounts, [{ volume: 'data-volume', target: '/data', readOnly: false }]);
    assert.deepEqual(deps(dag), { fetch_ratings: [], rank_movies: ['fetch_ratings'] });
    assert.ok(at(r.problems).includes('ignored-argument@18'), 'depends_on_past is named, not dropped silently');
    assert.ok(at(r.problems).includes('secret-on-command-line@47'));
  });

  it('reads every way of stating dependencies: >>, <<, lists on either side, chains, set_upstream/downstream, chain(), cross_downstream', async () => {
    const op = (id: string) => `${id} = DockerOperator(task_id="${id}", image="busybox")`;
    const py = `${HEAD}from airflow.models.baseoperator import chain, cross_downstream
with DAG("deps", schedule=None, start_date=pendulum.datetime(2024, 1, 1, tz="UTC")) as dag:
    ${['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l'].map(op).join('\n    ')}
    a >> [b, c] >> d
    e << d
    f.set_upstream(e)
    f.set_downstream([g, h])
    chain(g, [i, j], [k, l])
    cross_downstream([i, j], [l])
`;
    const r = await imported(py);
    assert.deepEqual(at(r.problems), []);
    assert.deepEqual(deps(r.dag!), {
      a: [],
      b: ['a'],
      c: ['a'],
      d: ['b', 'c'],
      e: ['d'],
      f: ['e'],
      g: ['f'],
      h: ['f'],
      i: ['g'],
      j: ['g'],
      k: ['i'],
      l: ['i', 'j'],
    });
  });

  it('leaves other operators out with a problem on their line, keeping dependencies through them', async () => {
    const py = `${HEAD}from airflow.operators.empty import EmptyOperator
from airflow.operators.bash import BashOperator
dag = DAG(dag_id="bridge", start_date=pendulum.datetime(2024, 1, 1))
start = EmptyOperator(task_id="start", dag=dag)
a = DockerOperator(task_id="a", image="busybox", dag=dag)
b = DockerOperator(task_id="b", image="busybox", dag=dag)
mid = BashOperator(task_id="mid", bash_command="echo hi", dag=dag)
c = DockerOperator(task_id="c", image="busybox", dag=dag)
start >> [a, b] >> mid >> c
`;
    const r = await imported(py);
    assert.deepEqual(at(r.problems), ['unsupported-operator@7', 'unsupported-operator@10']);
    assert.match(r.problems[1]!.message, /BashOperator "mid" is not a container operator/);
    assert.deepEqual(deps(r.dag!), { a: [], b: [], c: ['a', 'b'] });
  });

  it('names the line of every value it cannot read literally, and of arguments with no equivalent', async () => {
    const py = `${HEAD}import random
with DAG("computed", start_date=pendulum.datetime(2024, 1, 1)) as dag:
    a = DockerOperator(
        task_id="a",
        image="busybox:" + str(random.randint(1, 2)),
        command=["echo", "%s" % "x"],
        privileged=True,
        owner="data",
    )
    for i in range(3):
        DockerOperator(task_id=f"t{i}", image="busybox")
`;
    const r = await importAirflowDag(py, 'computed.py');
    assert.ok(r.succeeded);
    assert.deepEqual(at(r.result.problems), [
      'generated-file@6',
      'computed-value@8',
      'computed-value@9',
      'unsupported-argument@10',
      'ignored-argument@11',
      'unsupported-statement@13',
    ]);
    assert.match(r.result.problems.find((p) => p.code === 'generated-file')!.message, /image/);
  });

  it('turns environment reads into env templates or, for secret-looking names and private_environment, secrets', async () => {
    const py = `${HEAD}import os
with DAG("envs", start_date=pendulum.datetime(2024, 1, 1)) as dag:
    a = DockerOperator(
        task_id="a",
        image="busybox",
        environment={"HOST": os.environ["API_HOST"], "DB_PASSWORD": os.environ.get("DB_PASSWORD"), "MODE": "x"},
        private_environment={"TOKEN": os.getenv("API_TOKEN"), "LITERAL_KEY": "hunter2", "V": "{{ var.value.my_key }}"},
    )
`;
    const r = await imported(py);
    const a = r.dag!.tasks[0]!;
    assert.deepEqual({ ...a.env }, { HOST: '{{ env.API_HOST }}', MODE: 'x' });
    assert.deepEqual(
      { ...a.secrets },
      {
        DB_PASSWORD: 'db-password',
        TOKEN: 'api-token',
        LITERAL_KEY: 'literal-key',
        V: 'my-key',
      },
    );
    assert.ok(!r.yaml.includes('hunter2'), 'a literal secret is never copied into the DAG file');
    assert.deepEqual(at(r.problems), ['literal-secret@10']);
  });

  it('reads KubernetesPodOperator env vars, Secrets, host path and emptyDir volumes, resources, tolerations and overrides', async () => {
    const py = `from airflow import DAG
from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
from airflow.providers.cncf.kubernetes.secret import Secret
from kubernetes.client import models as k8s
from datetime import datetime, timedelta
with DAG("pods", start_date=datetime(2024, 1, 1), schedule="30 6 * * 1-5", catchup=False,
         default_args={"retries": 2, "retry_delay": timedelta(minutes=1), "owner": "me"}) as dag:
    a = KubernetesPodOperator(
        task_id="a",
        image="busybox",
        env_vars=[k8s.V1EnvVar(name="X", value="1"),
                  k8s.V1EnvVar(name="T", value_from=k8s.V1EnvVarSource(secret_key_ref=k8s.V1SecretKeySelector(name="tok", key="value")))],
        secrets=[Secret("env", "PW", "db", "password")],
        volumes=[k8s.V1Volume(name="logs", host_path=k8s.V1HostPathVolumeSource(path="/var/log")),
                 k8s.V1Volume(name="tmp", empty_dir=k8s.V1EmptyDirVolumeSource())],
        volume_mounts=[k8s.V1VolumeMount(name="logs", mount_path="/logs", read_only=True),
                       k8s.V1VolumeMount(name="tmp", mount_path="/tmp")],
        container_resources=k8s.V1ResourceRequirements(requests={"cpu": "250m", "memory": "64Mi"}, limits={"cpu": "500m", "memory": "128Mi"}),
        tolerations=[k8s.V1Toleration(key="batch", operator="Exists", effect="NoSchedule")],
        node_selector={"disk": "ssd"},
        service_account_name="runner",
        execution_timeout=timedelta(hours=1, minutes=30),
        trigger_rule="all_done",
        on_finish_action="delete_succeeded_pod",
    )
`;
    const r = await imported(py);
    const dag = r.dag!;
    const a = dag.tasks[0]!;
    assert.equal(dag.scheduleText, '30 6 * * 1-5');
    assert.equal(dag.catchup, false);
    assert.equal(dag.kubernetes.deletePods, 'on_success');
    assert.deepEqual({ ...a.env }, { X: '1' });
    assert.deepEqual({ ...a.secrets }, { T: 'tok/value', PW: 'db/password' });
    assert.deepEqual(dag.volumes.logs?.kubernetes, { hostPath: '/var/log' });
    assert.deepEqual(dag.volumes.tmp?.kubernetes, { emptyDir: true });
    assert.deepEqual(
      a.mounts.map((m) => `${m.volume}:${m.target}:${m.readOnly}`),
      ['logs:/logs:true', 'tmp:/tmp:false'],
    );
    assert.equal(a.resources.cpu, 0.5, 'limits win: requests = limits here');
    assert.equal(a.resources.memoryBytes, 128 * 2 ** 20);
    assert.deepEqual(a.kubernetes.tolerations, [{ key: 'batch', operator: 'Exists', effect: 'NoSchedule' }]);
    assert.deepEqual({ ...a.kubernetes.nodeSelector }, { disk: 'ssd' });
    assert.equal(a.kubernetes.serviceAccount, 'runner');
    assert.equal(a.retries, 2);
    assert.equal(a.retryDelayMs, 60_000);
    assert.equal(a.timeoutMs, 5_400_000);
    assert.equal(a.triggerRule, 'all_done');
    assert.deepEqual(at(r.problems), ['ignored-argument@7']);
  });

  it('reports Python syntax errors, files without a DAG, TaskFlow functions and a second DAG, by line', async () => {
    const broken = await importAirflowDag('with DAG("x" as dag:\n    pass\n', 'broken.py');
    assert.ok(broken.succeeded);
    assert.ok(broken.result.problems.some((p) => p.code === 'python-syntax' && p.severity === 'error'));
    const none = await importAirflowDag('import os\nprint(os.getcwd())\n', 'none.py');
    assert.ok(none.succeeded);
    assert.equal(none.result.yaml, '');
    assert.deepEqual(at(none.result.problems), ['no-dag@1']);
    const flow = await imported(
      `${HEAD}from airflow.decorators import task
with DAG("one", start_date=pendulum.datetime(2024, 1, 1)) as dag:
    a = DockerOperator(task_id="a", image="busybox")
    @task
    def hello():
        print("hi")
with DAG("two") as other:
    b = DockerOperator(task_id="b", image="busybox")
`,
    );
    assert.deepEqual(at(flow.problems), ['unsupported-statement@7', 'several-dags@10']);
  });

  it('translates Airflow templates: macros, filters, strftime, renamed names; Variables are reported', async () => {
    const py = `${HEAD}with DAG("t", start_date=pendulum.datetime(2024, 1, 1)) as dag:
    a = DockerOperator(
        task_id="a",
        image="busybox",
        command=["{{macros.ds_add(ds, 7)}}", "{{ macros.ds_format(ds, '%Y-%m-%d', '%Y/%m') }}",
                 "{{ data_interval_end.strftime('%d') }}", "{{ dag.dag_id }}/{{ task.task_id }}/{{ ti.try_number }}",
                 "{{ execution_date | ds }}", "{{ var.value.bucket }}", "run.sh{{ '.sh' }}"],
    )
`;
    const imp = await importAirflowDag(py, 't.py');
    assert.ok(imp.succeeded);
    const r = { ...imp.result, problems: imp.result.problems.filter((p) => p.code !== 'airflow-defaults') };
    assert.deepEqual(analyzeDag(r.yaml).dag!.tasks[0]!.args, [
      '{{ ds | ds_add(7) }}',
      '{{ ds | ds_format("%Y/%m") }}',
      '{{ data_interval_end | ds_format("%d") }}',
      '{{ dag.id }}/{{ task.id }}/{{ try_number }}',
      '{{ logical_date | ds_format("%Y-%m-%d") }}',
      '{{ var.value.bucket }}',
      'run.sh.sh',
    ]);
    assert.deepEqual(at(r.problems), ['generated-file@5', 'unsupported-template@10']);
    assert.match(r.problems[1]!.message, /Variables/);
    assert.match(r.problems[0]!.message, /var\.value\.bucket/);
  });
});

describe('Airflow 2 and 3 defaults where a DAG file omits them', () => {
  const FILE = (imports: string, dagArgs: string) => `from airflow import DAG
${imports}from airflow.providers.docker.operators.docker import DockerOperator
import pendulum

with DAG("d", start_date=pendulum.datetime(2024, 1, 1, tz="UTC")${dagArgs}) as dag:
    DockerOperator(task_id="a", image="busybox")
`;
  const read = async (py: string, options = {}) => {
    const r = await importAirflowDag(py, 'd.py', options);
    assert.ok(r.succeeded);
    return {
      dag: analyzeDag(r.result.yaml).dag!,
      notes: r.result.problems.filter((p) => p.code === 'airflow-defaults'),
    };
  };

  it('reads Airflow 3 by default and from airflow.sdk imports: no schedule is manual, catchup false, and says so', async () => {
    const plain = await read(FILE('', ''));
    assert.equal(plain.dag.schedule.kind, 'manual');
    assert.match(
      plain.notes[0]!.message,
      /Airflow 3's defaults \(Airflow 3 is the current release\): no schedule runs only when triggered/,
    );
    const sdk = await read(FILE('from airflow.sdk import task\n', ', schedule="@daily"'));
    assert.equal(sdk.dag.catchup, false);
    assert.match(sdk.notes[0]!.message, /\(it imports from airflow\.sdk\): catchup is false\. .*--airflow 2/);
  });

  it('reads Airflow 2 from schedule_interval or the flag: no schedule runs daily, catchup true', async () => {
    const v2 = await read(FILE('', ', schedule_interval="@hourly"'));
    assert.equal(v2.dag.catchup, true);
    assert.match(v2.notes[0]!.message, /Airflow 2's defaults \(it uses schedule_interval/);
    const flagged = await read(FILE('', ''), { airflow: 2 });
    assert.equal(flagged.dag.scheduleText, '@daily');
    assert.equal(flagged.dag.catchup, true);
    assert.match(flagged.notes[0]!.message, /\(--airflow 2\): no schedule runs daily, catchup is true/);
  });

  it('says nothing when the file gives both', async () => {
    assert.deepEqual((await read(FILE('', ', schedule="@daily", catchup=True'))).notes, []);
  });
});
