import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeDag } from '../../../src/dag/analyze';
import type { Dag } from '../../../src/dag/model';
import { PRESET_CRON } from '../../../src/dag/schedule';
import { exportAirflow } from '../../../src/interop/airflow/exportAirflow';
import { importAirflowDag } from '../../../src/interop/airflow/importDag';
import {
  airflowBin,
  airflowVersion,
  dagsTest,
  loadDagBag,
  movielensEnv,
  onApiNetwork,
  tasksRender,
  type AirflowDag,
} from '../../support/airflow';
import { roundTripCorpus } from '../../unit/interop/corpus';
import { FIXTURES } from '../../unit/helpers';

const ROOT = join(__dirname, '..', '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');

function graphOf(dag: Dag): Record<string, string[]> {
  return Object.fromEntries(dag.tasks.map((t) => [t.id, [...t.dependsOn].sort()]));
}

function airflowGraph(dag: AirflowDag): Record<string, string[]> {
  return Object.fromEntries(dag.tasks.map((t) => [t.task_id, [...t.upstream].sort()]));
}

describe('real Apache Airflow (3.1 pinned, and the newest 3.x, from PyPI) loads and runs what cdag exports', function () {
  this.timeout(600_000);
  let work: string;

  before(() => {
    airflowBin();
    airflowBin('newest');
    work = mkdtempSync(join(tmpdir(), 'cdag-airflow-it-'));
  });

  after(() => rmSync(work, { recursive: true, force: true }));

  for (const release of ['pinned', 'newest'] as const)
    for (const operator of ['docker', 'kubernetes'] as const) {
      it(`loads every example and test DAG exported for the ${operator === 'docker' ? 'DockerOperator' : 'KubernetesPodOperator'} in the ${release} Airflow's DagBag: no import errors, same tasks, dependencies, mapped tasks, schedule, trigger rules, retries`, () => {
        const folder = join(work, `${release}-${operator}`);
        mkdirSync(folder, { recursive: true });
        const dags = roundTripCorpus().map(({ text }) => analyzeDag(text, 'x.dag.yaml').dag!);
        // One DAG id per DagBag: the example and the fixture share "movielens".
        const unique = [...new Map(dags.map((d) => [d.id, d])).values()];
        for (const dag of unique)
          writeFileSync(join(folder, `${dag.id.replace(/\W/g, '_')}.py`), exportAirflow(dag, operator).python);
        const bag = loadDagBag(folder, release);
        assert.deepEqual(bag.import_errors, {}, `Airflow ${airflowVersion(release)}`);
        assert.deepEqual(bag.dags.map((d) => d.dag_id).sort(), unique.map((d) => d.id).sort());
        for (const dag of unique) {
          const theirs = bag.dags.find((d) => d.dag_id === dag.id)!;
          assert.deepEqual(airflowGraph(theirs), graphOf(dag), dag.id);
          const base = operator === 'docker' ? 'DockerOperator' : 'KubernetesPodOperator';
          for (const t of theirs.tasks) {
            assert.ok(t.bases.includes(base), `${t.task_id} is a ${base}`);
            const ours = dag.tasks.find((x) => x.id === t.task_id)!;
            assert.equal(t.trigger_rule, ours.triggerRule);
            assert.equal(t.mapped, !!ours.expand, `${dag.id}.${t.task_id} mapped`);
            assert.equal(t.retries, ours.retries);
          }
          const s = dag.schedule;
          if (s.kind === 'cron') {
            assert.equal(theirs.timetable, 'CronDataIntervalTimetable');
            assert.equal(theirs.schedule, PRESET_CRON[s.text] ?? s.text);
          } else assert.equal(theirs.timetable, s.kind === 'once' ? 'OnceTimetable' : 'NullTimetable');
          assert.equal(theirs.catchup, dag.catchup);
        }
      });
    }

  // The book's 01_docker.py is Airflow 2 code (schedule_interval), which Airflow 3 refuses to load.
  it('agrees with Airflow on the tasks, dependencies and mapped tasks of the Airflow DAG files it imports', async () => {
    const folder = join(work, 'imports');
    mkdirSync(folder, { recursive: true });
    const files = ['03_dependencies.py', '05_mapped.py'];
    for (const f of files) writeFileSync(join(folder, f), readFileSync(join(FIXTURES, 'airflow', f), 'utf8'));
    const bag = loadDagBag(folder);
    assert.deepEqual(bag.import_errors, {});
    for (const f of files) {
      const r = await importAirflowDag(readFileSync(join(folder, f), 'utf8'), f);
      assert.ok(r.succeeded);
      const dag = analyzeDag(r.result.yaml, 'x.dag.yaml').dag!;
      const theirs = bag.dags.find((d) => d.fileloc === f)!;
      assert.equal(dag.id, theirs.dag_id);
      assert.deepEqual(graphOf(dag), airflowGraph(theirs), f);
      for (const t of theirs.tasks) {
        const ours = dag.tasks.find((x) => x.id === t.task_id)!;
        assert.equal(ours.retries, t.retries);
        assert.equal(!!ours.expand, t.mapped, `${t.task_id} mapped`);
      }
    }
  });

  it('runs the exported movielens DAG with `airflow dags test` for 2019-01-01 on the same Docker Engine, writing the rankings cdag run writes', () => {
    const env = spawnSync('bash', [join(ROOT, 'scripts', 'movielens-env.sh')], { encoding: 'utf8' });
    assert.equal(env.status, 0, env.stderr);
    try {
      const secretEnv = movielensEnv();
      rmSync('/tmp/airflow/data', { recursive: true, force: true });
      const ours = spawnSync(
        process.execPath,
        [
          CLI,
          'run',
          join(ROOT, 'examples', 'movielens', 'movielens.dag.yaml'),
          '--date',
          '2019-01-01',
          '--runs-dir',
          join(work, 'runs'),
        ],
        { encoding: 'utf8', env: secretEnv },
      );
      assert.equal(ours.status, 0, ours.stderr);
      const rankings = readFileSync('/tmp/airflow/data/rankings/2019-01-01.csv', 'utf8');
      const ratings = readFileSync('/tmp/airflow/data/ratings/2019-01-01.json', 'utf8');

      rmSync('/tmp/airflow/data', { recursive: true, force: true });
      // A Docker bind mount needs its host path; cdag makes it, DockerOperator does not.
      mkdirSync('/tmp/airflow/data', { recursive: true });
      const folder = join(work, 'movielens');
      mkdirSync(folder, { recursive: true });
      const dag = analyzeDag(readFileSync(join(ROOT, 'examples', 'movielens', 'movielens.dag.yaml'), 'utf8')).dag!;
      // Airflow has no run-scoped services: the API cdag starts as the DAG's service is, for
      // Airflow, the container movielens-env.sh started on the airflow network (as in the book).
      writeFileSync(join(folder, 'movielens.py'), exportAirflow(onApiNetwork(dag), 'docker').python);
      const theirs = dagsTest(folder, 'movielens', '2019-01-01', { MOVIELENS_PASSWORD: 'airflow' });
      assert.equal(theirs.exitCode, 0, theirs.output.slice(-3000));
      assert.equal(theirs.run, 'success');
      assert.deepEqual(theirs.tasks, { fetch_ratings: 'success', rank_movies: 'success' });
      assert.equal(readFileSync('/tmp/airflow/data/ratings/2019-01-01.json', 'utf8'), ratings);
      assert.equal(readFileSync('/tmp/airflow/data/rankings/2019-01-01.csv', 'utf8'), rankings);
    } finally {
      spawnSync('bash', [join(ROOT, 'scripts', 'movielens-env.sh'), '--down']);
    }
  });

  it('renders prev_ds of a monthly schedule and defaults with quotes and backslashes as cdag does, on both Airflows (airflow tasks render)', () => {
    const yaml = `dag: monthly
schedule: "@monthly"
start_date: 2024-01-01
params: {x: ""}
tasks:
  t:
    image: busybox
    command: [echo, "{{ prev_ds }}", "{{ prev_ds_nodash }}", "{{ ds }}", 'a{{ params.x | default("q\\"b\\\\c") }}']
`;
    const dag = analyzeDag(yaml, 'monthly.dag.yaml').dag!;
    const folder = join(work, 'monthly');
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'monthly.py'), exportAirflow(dag, 'docker').python);
    const file = join(folder, 'monthly.dag.yaml');
    writeFileSync(file, yaml);
    const ours = spawnSync(process.execPath, [CLI, 'render', file, '--task', 't', '--date', '2024-03-01'], {
      encoding: 'utf8',
    });
    assert.equal(ours.status, 0, ours.stderr);
    const entrypoint = (JSON.parse(ours.stdout) as { Entrypoint: string[] }).Entrypoint;
    assert.deepEqual(entrypoint, ['echo', '2024-02-01', '20240201', '2024-03-01', 'aq"b\\c']);
    // Python's repr of the same list: single quotes, the backslash doubled.
    const repr = `[${entrypoint.map((x) => `'${x.replace(/\\/g, '\\\\')}'`).join(', ')}]`;
    for (const release of ['pinned', 'newest'] as const)
      assert.equal(tasksRender(folder, 'monthly', 't', '2024-03-01', release).entrypoint, repr, release);
  });

  it('loads an export with task groups as Airflow TaskGroups on both Airflows: ids group.task, a dependency on the group kept', () => {
    const dag = analyzeDag(readFileSync(join(FIXTURES, 'groups', 'grouped.dag.yaml'), 'utf8'), 'grouped.dag.yaml').dag!;
    for (const operator of ['docker', 'kubernetes'] as const) {
      const folder = join(work, `groups-${operator}`);
      mkdirSync(folder, { recursive: true });
      writeFileSync(join(folder, 'grouped.py'), exportAirflow(dag, operator).python);
      for (const release of ['pinned', 'newest'] as const) {
        const bag = loadDagBag(folder, release);
        assert.deepEqual(bag.import_errors, {}, `${operator} on Airflow ${airflowVersion(release)}`);
        assert.deepEqual(airflowGraph(bag.dags[0]!), {
          start: [],
          load: ['extract.eu.eu', 'extract.us'],
          'extract.us': ['start'],
          'extract.eu.eu': ['start'],
        });
      }
    }
  });
});
