import assert from 'node:assert/strict';
import { analyzeDag } from '../../../src/dag/analyze';
import type { Dag } from '../../../src/dag/model';
import { PRESET_CRON } from '../../../src/dag/schedule';
import { exportAirflow, type AirflowOperator } from '../../../src/interop/airflow/exportAirflow';
import { importAirflowDag } from '../../../src/interop/airflow/importDag';
import { containerCreateBody } from '../../../src/runner/docker/containerSpec';
import { podManifest } from '../../../src/runner/kubernetes/podSpec';
import { intervalAt } from '../../../src/dag/schedule';
import { renderTask } from '../../../src/runner/renderTask';
import { makeRunId } from '../../../src/runner/runId';
import { roundTripCorpus } from './corpus';

function cronOf(dag: Dag): string | undefined {
  const s = dag.schedule;
  return s.kind === 'cron' ? (PRESET_CRON[s.text] ?? s.text) : s.kind;
}

/** What a run submits for each task on a backend, or why the DAG cannot run there. */
function specs(dag: Dag, operator: AirflowOperator): Record<string, unknown> {
  const date = dag.startDate ?? new Date(Date.UTC(2024, 0, 1));
  const interval = intervalAt(dag.schedule, date);
  const runId = makeRunId('manual', interval.start);
  const out: Record<string, unknown> = {};
  for (const t of dag.tasks) {
    const r = renderTask(dag, t, { runId, tryNumber: 1, interval, env: { HOME: '/home/u' } });
    if (!r.succeeded) {
      out[t.id] = { error: r.error };
      continue;
    }
    const masked = Object.fromEntries(Object.keys(t.secrets).map((k) => [k, '***']));
    const spec =
      operator === 'docker'
        ? containerCreateBody(dag, r.result, runId, 1, masked)
        : podManifest(dag, r.result, runId, 1);
    out[t.id] = spec.succeeded ? spec.result : { error: spec.error };
  }
  return out;
}

function scheduling(dag: Dag): unknown {
  return {
    id: dag.id,
    schedule: cronOf(dag),
    start: dag.startDate?.toISOString(),
    end: dag.endDate?.toISOString(),
    catchup: dag.catchup,
    params: dag.params,
    maxActiveTasks: dag.maxActiveTasks,
    tasks: dag.tasks.map((t) => ({
      id: t.id,
      dependsOn: [...t.dependsOn].sort(),
      triggerRule: t.triggerRule,
      retries: t.retries,
      retryDelayMs: t.retries ? t.retryDelayMs : undefined,
      backoff: t.retryExponentialBackoff,
      timeoutMs: t.timeoutMs,
    })),
  };
}

describe('round trips: import(export(x)) gives x back', () => {
  for (const { name, text } of roundTripCorpus()) {
    for (const operator of ['docker', 'kubernetes'] as const) {
      it(`${name} through Airflow's ${operator === 'docker' ? 'DockerOperator' : 'KubernetesPodOperator'}: same tasks, dependencies, schedule and container specs`, async () => {
        const original = analyzeDag(text, `${name.split('/').pop()}.dag.yaml`);
        assert.ok(original.dag && !original.hasErrors);
        const dag = original.dag;
        const { python } = exportAirflow(dag, operator);
        const back = await importAirflowDag(python, `${dag.id}.py`);
        assert.ok(back.succeeded);
        const problems = back.result.problems.filter((p) => p.severity !== 'info');
        assert.deepEqual(problems, [], 'nothing the export writes is lost on the way back');
        const again = analyzeDag(back.result.yaml, 'back.dag.yaml');
        assert.ok(again.dag && !again.hasErrors, back.result.yaml);
        assert.deepEqual(scheduling(again.dag), scheduling(dag));
        assert.deepEqual(specs(again.dag, operator), specs(dag, operator), back.result.yaml);
      });
    }
  }
});
