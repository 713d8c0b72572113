import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeDag } from '../../../src/dag/analyze';
import type { Dag } from '../../../src/dag/model';
import { exportAirflow } from '../../../src/interop/airflow/exportAirflow';
import { airflowBin, dagsTest, loadDagBag, movielensEnv, onApiNetwork } from '../../support/airflow';
import { FIXTURES } from '../../unit/helpers';

const ROOT = join(__dirname, '..', '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');

const WEEKLY = join(ROOT, 'examples', 'movielens', 'movielens_weekly.dag.yaml');
const FEATURES = join(FIXTURES, 'dataflow', 'airflow_features.dag.yaml');
const dagOf = (file: string): Dag => analyzeDag(readFileSync(file, 'utf8'), file).dag!;

/** Every file under a folder with its content, by path relative to it. */
function tree(dir: string, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    const rel = join(prefix, e.name);
    if (e.isDirectory()) Object.assign(out, tree(dir, rel));
    else out[rel] = readFileSync(join(dir, rel), 'utf8');
  }
  return out;
}

describe('real Apache Airflow runs what cdag exports of format v2 (outputs, expand, when)', function () {
  this.timeout(600_000);
  let work: string;

  before(() => {
    airflowBin();
    work = mkdtempSync(join(tmpdir(), 'cdag-airflow-df-'));
  });

  after(() => rmSync(work, { recursive: true, force: true }));

  for (const operator of ['docker', 'kubernetes'] as const) {
    it(`loads the ${operator === 'docker' ? 'DockerOperator' : 'KubernetesPodOperator'} exports in a DagBag with each task with expand mapped, and no other`, () => {
      const folder = join(work, `bag-${operator}`);
      mkdirSync(folder, { recursive: true });
      const dags = [dagOf(WEEKLY), dagOf(FEATURES)];
      for (const dag of dags) {
        const e = exportAirflow(dag, operator);
        // Everything of the dataflow is carried; the weekly example's service is not (Airflow has none),
        // and its built images are said to need publishing.
        assert.deepEqual(
          e.notes.map((n) => `${n.task}: ${n.message.split(/[:;]/)[0]}`),
          dag.id === 'movielens_weekly'
            ? [
                'list_days: image manning-airflow/movielens-fetch is built by cdag from fetch',
                'fetch_day: image manning-airflow/movielens-fetch is built by cdag from fetch',
                'fetch_day: services movielens',
                'rank_week: image manning-airflow/movielens-rank is built by cdag from rank',
              ]
            : [],
          dag.id,
        );
        writeFileSync(join(folder, `${dag.id}.py`), e.python);
      }
      const bag = loadDagBag(folder);
      assert.deepEqual(bag.import_errors, {});
      for (const dag of dags) {
        const theirs = bag.dags.find((d) => d.dag_id === dag.id)!;
        for (const t of dag.tasks) {
          const task = theirs.tasks.find((x) => x.task_id === t.id)!;
          assert.equal(task.mapped, !!t.expand, `${dag.id}.${t.id} mapped`);
          assert.ok(task.bases.includes(operator === 'docker' ? 'DockerOperator' : 'KubernetesPodOperator'));
          assert.deepEqual(task.upstream.sort(), [...t.dependsOn].sort(), `${dag.id}.${t.id} upstream`);
        }
      }
    });
  }

  it('runs the weekly movielens export with `airflow dags test`: one fetch per day over an upstream output, the same files as cdag run', () => {
    const env = spawnSync('bash', [join(ROOT, 'scripts', 'movielens-env.sh')], { encoding: 'utf8' });
    assert.equal(env.status, 0, env.stderr);
    const data = '/tmp/airflow/data';
    try {
      rmSync(data, { recursive: true, force: true });
      const ours = spawnSync(
        process.execPath,
        [CLI, 'run', WEEKLY, '--date', '2019-01-06', '--runs-dir', join(work, 'runs'), '--json'],
        { encoding: 'utf8', env: movielensEnv() },
      );
      assert.equal(ours.status, 0, ours.stderr);
      const record = JSON.parse(ours.stdout) as { tasks: Record<string, { instances?: number }> };
      assert.equal(record.tasks.fetch_day!.instances, 7);
      const cdagFiles = tree(data);
      assert.equal(Object.keys(cdagFiles).length, 8, Object.keys(cdagFiles).join(', '));
      cpSync(data, join(work, 'cdag-data'), { recursive: true });

      rmSync(data, { recursive: true, force: true });
      // A Docker bind mount needs its host path; cdag makes it, DockerOperator does not.
      mkdirSync(data, { recursive: true });
      const folder = join(work, 'weekly');
      mkdirSync(folder, { recursive: true });
      writeFileSync(join(folder, 'weekly.py'), exportAirflow(onApiNetwork(dagOf(WEEKLY)), 'docker').python);
      const theirs = dagsTest(folder, 'movielens_weekly', '2019-01-06', { MOVIELENS_PASSWORD: 'airflow' });
      assert.equal(theirs.exitCode, 0, theirs.output.slice(-3000));
      assert.equal(theirs.run, 'success', theirs.output.slice(-3000));
      assert.deepEqual(theirs.tasks, { list_days: 'success', fetch_day: 'success', rank_week: 'success' });
      assert.deepEqual(tree(data), cdagFiles);
    } finally {
      spawnSync('bash', [join(ROOT, 'scripts', 'movielens-env.sh'), '--down']);
    }
  });
});
