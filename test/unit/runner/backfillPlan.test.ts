import assert from 'node:assert/strict';
import { parseSchedule, type Schedule } from '../../../src/dag/schedule';
import type { RunRecord, RunState } from '../../../src/protocol/runRecord';
import { newestRunByDate, planBackfill, planSummary } from '../../../src/runner/backfillPlan';

const daily = (() => {
  const s = parseSchedule('@daily');
  assert.ok('schedule' in s);
  return s.schedule as Schedule;
})();
const FILE = '/w/b.dag.yaml';
const d = (day: string) => new Date(`${day}T00:00:00Z`);

/** A stored run of a day: ended unless live, started at `at` (to tell the newest of a date). */
function run(day: string, state: RunState, at = '2024-02-01T00:00:00Z', extra: Partial<RunRecord> = {}): RunRecord {
  return {
    version: 1,
    run_id: `r-${day}-${state}-${at}`,
    dag: 'b',
    file: FILE,
    logical_date: `${day}T00:00:00+00:00`,
    data_interval_end: `${day}T00:00:00+00:00`,
    backend: 'docker',
    params: {},
    state,
    started_at: at,
    ...(state === 'running' ? {} : { ended_at: at }),
    tasks: {},
    ...extra,
  };
}

describe('planning a backfill with Airflow’s reprocess behaviours', () => {
  // 01 succeeded, 02 failed then succeeded (newest wins), 03 failed, 04 running, 05 never ran, 06 another file's.
  const runs = [
    run('2024-01-01', 'success'),
    run('2024-01-02', 'failed', '2024-02-01T00:00:00Z'),
    run('2024-01-02', 'success', '2024-02-02T00:00:00Z'),
    run('2024-01-03', 'failed'),
    run('2024-01-04', 'running'),
    { ...run('2024-01-06', 'success'), file: '/w/other.dag.yaml' },
  ];
  const byDate = newestRunByDate(runs, FILE);
  const live = (r: RunRecord) => r.state === 'running';
  const days = (p: ReturnType<typeof planBackfill>) => p.intervals.map((i) => i.start.toISOString().slice(0, 10));

  it('counts what the range holds by each date’s newest run of this file', () => {
    const p = planBackfill(daily, d('2024-01-01'), d('2024-01-06'), byDate, 'none', live);
    assert.equal(p.total, 6);
    assert.deepEqual(p.history, { none: 2, success: 2, failed: 1, live: 1 });
  });

  it('none runs only the dates without a run; failed adds the failed ones; completed every ended one; a live run never twice', () => {
    const none = planBackfill(daily, d('2024-01-01'), d('2024-01-06'), byDate, 'none', live);
    assert.deepEqual(days(none), ['2024-01-05', '2024-01-06']);
    assert.equal(none.rerun, 0);
    const failed = planBackfill(daily, d('2024-01-01'), d('2024-01-06'), byDate, 'failed', live);
    assert.deepEqual(days(failed), ['2024-01-03', '2024-01-05', '2024-01-06']);
    assert.equal(failed.rerun, 1);
    const all = planBackfill(daily, d('2024-01-01'), d('2024-01-06'), byDate, 'completed', live);
    assert.deepEqual(days(all), ['2024-01-01', '2024-01-02', '2024-01-03', '2024-01-05', '2024-01-06']);
    assert.equal(planSummary(all), '5 runs: 2024-01-01 … 2024-01-06');
  });

  it('takes a run whose runner died (no end, not live) as failed, and stops looking at the cap', () => {
    const dead = newestRunByDate([run('2024-01-04', 'running')], FILE);
    const p = planBackfill(daily, d('2024-01-04'), d('2024-01-04'), dead, 'failed', () => false);
    assert.deepEqual(days(p), ['2024-01-04']);
    const capped = planBackfill(daily, d('2020-01-01'), d('2024-01-01'), new Map(), 'none', live, 10);
    assert.equal(capped.capped, true);
    assert.equal(capped.total, 10);
    assert.equal(planSummary({ ...capped, intervals: [] }), 'no run');
  });
});
