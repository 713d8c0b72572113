import assert from 'node:assert/strict';
import { diffRuns, differenceText } from '../../../src/runner/runDiff';
import { runWith, tempRunStore } from '../../support/twoRuns';

describe('comparing two runs (cdag diff, Compare Runs)', () => {
  const runs = tempRunStore();

  it('names the param, the rendered args, the outputs and the exit code that differ, per task, and the tasks that are the same', async () => {
    const a = await runWith(runs.store, 'run_a', 10);
    const b = await runWith(runs.store, 'run_b', 20, true);
    const d = diffRuns(a, b);
    assert.deepEqual(d.params.map(differenceText), ['limit: 10 → 20']);
    const byTask = new Map(d.tasks.map((t) => [t.task, t.differences.map(differenceText)]));
    assert.deepEqual(byTask.get('fetch'), [
      'args: ["--limit","10"] → ["--limit","20"]',
      'outputs: {"rows":20} → {"rows":40}',
    ]);
    assert.deepEqual(byTask.get('load'), [
      'state: success → failed',
      'args: ["20"] → ["40"]',
      'exit code: 0 → 3',
      'reason: — → exit code 3',
    ]);
    assert.deepEqual(d.same, ['report']);
    assert.deepEqual(d.run.map(differenceText), ['state: success → failed']);
  });

  it('finds nothing to say about a run compared with itself', async () => {
    const a = await runWith(runs.store, 'run_a', 10);
    const d = diffRuns(a, a);
    assert.deepEqual([d.params, d.tasks, d.run], [[], [], []]);
  });
});
