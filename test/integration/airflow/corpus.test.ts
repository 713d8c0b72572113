import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeDag } from '../../../src/dag/analyze';
import { parseMemory } from '../../../src/dag/quantity';
import { exportAirflow } from '../../../src/interop/airflow/exportAirflow';
import { importAirflowDag } from '../../../src/interop/airflow/importDag';
import { airflowBin, loadDagBag, type AirflowDag } from '../../support/airflow';
import { FIXTURES } from '../../unit/helpers';

const CORPUS = join(FIXTURES, 'airflow', 'corpus');

/** Container tasks and the edges among them, through left-out operators and TaskFlow tasks. */
function containerGraph(dag: AirflowDag): Record<string, string[]> {
  const byId = new Map(dag.tasks.map((t) => [t.task_id, t]));
  const kept = (id: string) => byId.get(id)?.args !== null && byId.get(id)?.args !== undefined;
  const resolve = (id: string, seen = new Set<string>()): string[] => {
    if (kept(id)) return [id];
    if (seen.has(id)) return [];
    seen.add(id);
    return (byId.get(id)?.upstream ?? []).flatMap((u) => resolve(u, seen));
  };
  const out: Record<string, string[]> = {};
  for (const t of dag.tasks)
    if (kept(t.task_id)) out[t.task_id] = [...new Set(t.upstream.flatMap((u) => resolve(u)))].sort();
  return out;
}

/**
 * The arguments compared, with this format's documented approximations applied to both sides:
 * requests = limits (limits win) with memory in bytes, and an unset pull policy is IfNotPresent here.
 */
function comparable(args: Record<string, unknown>, original: Record<string, unknown>): Record<string, unknown> {
  const out = { ...args };
  if (original.image_pull_policy === null) delete out.image_pull_policy;
  const res = out.container_resources as { limits?: Record<string, string> } | null | undefined;
  if (res?.limits) {
    const limits = { ...res.limits };
    if (limits.memory !== undefined) {
      const m = parseMemory(limits.memory);
      if (m.succeeded) limits.memory = String(m.result);
    }
    out.container_resources = { limits };
  }
  return out;
}

describe('a corpus of Airflow DAG files: imported, validated, exported, and loaded by real Airflow with the same graph and operator arguments', function () {
  this.timeout(600_000);
  let work: string;
  before(() => {
    airflowBin();
    work = mkdtempSync(join(tmpdir(), 'cdag-airflow-corpus-'));
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it('keeps every container task, dependency and run-deciding argument of each file', async () => {
    const originals = join(work, 'original');
    const exported = join(work, 'exported');
    mkdirSync(originals);
    mkdirSync(exported);
    const files = readdirSync(CORPUS).filter((f) => f.endsWith('.py'));
    assert.ok(files.length >= 4);
    for (const f of files) writeFileSync(join(originals, f), readFileSync(join(CORPUS, f), 'utf8'));
    const theirs = loadDagBag(originals);
    assert.deepEqual(theirs.import_errors, {});
    for (const f of files) {
      const r = await importAirflowDag(readFileSync(join(CORPUS, f), 'utf8'), f);
      assert.ok(r.succeeded, f);
      assert.deepEqual(
        r.result.problems.filter((p) => p.severity === 'error' || p.code === 'dependency-not-read'),
        [],
        f,
      );
      const a = analyzeDag(r.result.yaml, `${f}.dag.yaml`);
      assert.ok(a.dag && !a.hasErrors, `${f}: ${JSON.stringify(a.problems)}`);
      const original = theirs.dags.find((d) => d.fileloc === f)!;
      const operator = original.tasks.some((t) => t.operator === 'KubernetesPodOperator') ? 'kubernetes' : 'docker';
      writeFileSync(join(exported, f), exportAirflow(a.dag, operator).python);
    }
    const ours = loadDagBag(exported);
    assert.deepEqual(ours.import_errors, {});
    for (const f of files) {
      const original = theirs.dags.find((d) => d.fileloc === f)!;
      const back = ours.dags.find((d) => d.fileloc === f)!;
      assert.equal(back.dag_id, original.dag_id, f);
      assert.deepEqual(containerGraph(back), containerGraph(original), `${f}: the graph`);
      for (const t of original.tasks) {
        if (!t.args) continue;
        const b = back.tasks.find((x) => x.task_id === t.task_id)!;
        assert.deepEqual(comparable(b.args!, t.args), comparable(t.args, t.args), `${f}: ${t.task_id}'s arguments`);
        assert.equal(b.retries, t.retries, `${f}: ${t.task_id}'s retries`);
        assert.equal(b.trigger_rule, t.trigger_rule, `${f}: ${t.task_id}'s trigger rule`);
      }
    }
  });
});
