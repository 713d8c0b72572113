import assert from 'node:assert/strict';
import { parseHistoryMessage } from '../../../../src/extension/history/historyGuards';
import { pipelineRuns } from '../../../support/historyFixtures';

describe('messages from the History page, checked before the host acts', () => {
  const runs = pipelineRuns();

  it('accepts ready, a limit it offers, a run it shows, and a log of a try that run has', () => {
    assert.deepEqual(parseHistoryMessage({ type: 'ready' }, runs), { type: 'ready' });
    assert.deepEqual(parseHistoryMessage({ type: 'limit', limit: 50 }, runs), { type: 'limit', limit: 50 });
    assert.deepEqual(parseHistoryMessage({ type: 'selectRun', runId: 'manual__2024-01-02' }, runs), {
      type: 'selectRun',
      runId: 'manual__2024-01-02',
    });
    assert.deepEqual(
      parseHistoryMessage({ type: 'showLog', runId: 'manual__2024-01-01', taskId: 'extract', tryNumber: 1 }, runs),
      { type: 'showLog', runId: 'manual__2024-01-01', taskId: 'extract', tryNumber: 1 },
    );
    // A task named __proto__ is a task like another (its record is an own key).
    assert.ok(
      parseHistoryMessage({ type: 'showLog', runId: 'manual__2024-01-01', taskId: '__proto__', tryNumber: 1 }, runs),
    );
  });

  it('drops unknown types, extra keys, runs it does not show, tasks or tries the run lacks, prototype names and oversized messages', () => {
    for (const bad of [
      null,
      'ready',
      { type: 'eval', code: 'x' },
      { type: 'ready', extra: 1 },
      { type: 'limit', limit: 7 },
      { type: 'selectRun', runId: 'other' },
      { type: 'showLog', runId: 'manual__2024-01-01', taskId: 'extract', tryNumber: 3 },
      { type: 'showLog', runId: 'manual__2024-01-01', taskId: 'nope', tryNumber: 1 },
      { type: 'showLog', runId: 'manual__2024-01-01', taskId: 'constructor', tryNumber: 1 },
      { type: 'showLog', runId: 'manual__2024-01-01', taskId: 'extract', tryNumber: '1' },
      { type: 'selectRun', runId: 'manual__2024-01-01', pad: 'x'.repeat(5000) },
    ])
      assert.equal(parseHistoryMessage(bad, runs), undefined, JSON.stringify(bad)?.slice(0, 80));
  });
});
