import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeDag } from '../../../src/dag/analyze';
import { importAirflowDag } from '../../../src/interop/airflow/importDag';
import { airflowBin, loadDagBag, type AirflowDag } from '../../support/airflow';
import { randomDependencyFile } from '../../support/airflowDependencyFiles';

/** Airflow's edges among the container tasks, those through left-out operators followed through them. */
function containerEdges(dag: AirflowDag): string[] {
  const byId = new Map(dag.tasks.map((t) => [t.task_id, t]));
  const kept = (id: string) => byId.get(id)?.operator === 'DockerOperator';
  const resolve = (id: string, seen = new Set<string>()): string[] => {
    if (kept(id)) return [id];
    if (seen.has(id)) return [];
    seen.add(id);
    return (byId.get(id)?.upstream ?? []).flatMap((u) => resolve(u, seen));
  };
  const edges = new Set<string>();
  for (const t of dag.tasks)
    if (kept(t.task_id)) for (const u of t.upstream.flatMap((x) => resolve(x))) edges.add(`${u}>${t.task_id}`);
  return [...edges].sort();
}

describe('cdag import reads dependencies as Airflow does (property test against the real DagBag)', function () {
  this.timeout(600_000);
  const seed = Number(process.env.FUZZ_SEED ?? 20261130);
  let work: string;
  before(() => {
    airflowBin();
    work = mkdtempSync(join(tmpdir(), 'cdag-airflow-deps-'));
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it(`gives the same edges as Airflow for 40 random files of every dependency form (seed ${seed})`, async () => {
    const files = Array.from({ length: 40 }, (_, i) => ({
      id: `deps_${i}`,
      py: randomDependencyFile(seed + i, `deps_${i}`),
    }));
    for (const f of files) writeFileSync(join(work, `${f.id}.py`), f.py);
    const bag = loadDagBag(work);
    assert.deepEqual(bag.import_errors, {});
    for (const f of files) {
      const theirs = bag.dags.find((d) => d.dag_id === f.id);
      assert.ok(theirs, `Airflow did not load ${f.id}`);
      const r = await importAirflowDag(f.py, `${f.id}.py`);
      assert.ok(r.succeeded);
      const dag = analyzeDag(r.result.yaml, `${f.id}.dag.yaml`).dag!;
      const ours = dag.tasks.flatMap((t) => t.dependsOn.map((u) => `${u}>${t.id}`)).sort();
      assert.deepEqual(ours, containerEdges(theirs), `${f.id}:\n${f.py}`);
      assert.deepEqual(
        r.result.problems.filter((p) => p.severity === 'error' || p.code === 'dependency-not-read'),
        [],
        f.id,
      );
    }
  });
});
