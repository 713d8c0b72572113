import assert from 'node:assert/strict';
import { analyzeDag } from '../../../src/dag/analyze';
import type { AttemptSpec } from '../../../src/runner/backend';
import { RunEngine } from '../../../src/runner/engine';
import { countsLabel, runCounts } from '../../../src/runner/runCounts';
import { decide } from '../../../src/runner/triggerRules';
import { taskViews } from '../../../src/graph/taskViews';
import { DAY_INTERVAL, discardingSink, ScriptedBackend, type Script } from '../../support/scriptedBackend';

const dag = analyzeDag(`tasks:
  extract: {image: x}
  transform: {image: x, depends_on: [extract]}
  load: {image: x, depends_on: [transform]}
  report: {image: x}
`).dag!;

async function runOnly(
  only: Set<string>,
): Promise<{ record: import('../../../src/protocol/runRecord').RunRecord; started: string[] }> {
  const started: string[] = [];
  const backend = new ScriptedBackend((spec: AttemptSpec): Script => {
    started.push(spec.rendered.task.id);
    return { code: 0, ms: 1 };
  });
  const engine = new RunEngine({
    dag,
    runId: 'r',
    interval: DAY_INTERVAL,
    backend,
    sink: discardingSink,
    sleep: async () => undefined,
    only,
  });
  return { record: await engine.start(), started };
}

describe('a run of selected tasks (--task, Run Task…): the others have no status, never success', () => {
  it('records the tasks it did not select as no_status with a reason, and runs the selected one', async () => {
    const { record, started } = await runOnly(new Set(['transform']));
    assert.deepEqual(started, ['transform']);
    assert.equal(record.state, 'success');
    assert.equal(record.tasks.transform!.state, 'success');
    for (const id of ['extract', 'load', 'report']) {
      assert.equal(record.tasks[id]!.state, 'no_status', id);
      assert.equal(record.tasks[id]!.reason, 'not selected for this run');
      assert.equal(record.tasks[id]!.attempts.length, 0);
    }
  });

  it('counts only selected tasks, one way for the tree, the status bar and the CLI', async () => {
    const { record } = await runOnly(new Set(['transform']));
    assert.deepEqual(runCounts(record), { succeeded: 1, ended: 1, total: 1 });
    assert.equal(countsLabel(runCounts(record)), '✔1/1');
  });

  it('gives the graph no state for an unselected task, so it is drawn as before any run', async () => {
    const { record } = await runOnly(new Set(['transform']));
    const views = taskViews(record);
    assert.deepEqual(Object.keys(views), ['transform']);
  });

  it('lets an unselected upstream task not hold a selected one back, under every trigger rule that waits for success', () => {
    assert.equal(decide('all_success', ['no_status']), 'run');
    assert.equal(decide('none_failed_min_one_success', ['no_status', 'skipped']), 'run');
    assert.equal(decide('all_success', ['no_status', 'failed']), 'upstream_failed');
    assert.equal(decide('all_done', ['no_status', 'running']), 'wait');
  });
});
