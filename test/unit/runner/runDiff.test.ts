import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeDag } from '../../../src/dag/analyze';
import type { RunRecord } from '../../../src/protocol/runRecord';
import type { AttemptSpec } from '../../../src/runner/backend';
import { RunEngine } from '../../../src/runner/engine';
import { diffRuns, differenceText } from '../../../src/runner/runDiff';
import { RunStore } from '../../../src/runner/runStore';
import { main, type Io } from '../../../src/cli/main';
import { readFileSync } from 'node:fs';
import { DAY_INTERVAL, ScriptedBackend, type Script } from '../../support/scriptedBackend';

const dag = analyzeDag(`params: {limit: 10}
tasks:
  fetch: {image: x, args: [--limit, "{{ params.limit }}"], outputs: [rows]}
  load: {image: x, depends_on: [fetch], args: ["{{ tasks.fetch.outputs.rows }}"]}
  report: {image: x}
`).dag!;

/** Runs the DAG with a param value; `failLoad` makes load exit 3. Records land in `store`. */
async function runWith(store: RunStore, runId: string, limit: number, failLoad = false): Promise<RunRecord> {
  const backend = new ScriptedBackend((spec: AttemptSpec): Script => {
    const id = spec.rendered.task.id;
    if (id === 'fetch') return { code: 0, ms: 1, output: { kind: 'text', text: `{"rows": ${limit * 2}}` } };
    if (id === 'load' && failLoad) return { code: 3, ms: 1 };
    return { code: 0, ms: 1 };
  });
  return new RunEngine({
    dag,
    runId,
    interval: DAY_INTERVAL,
    backend,
    sink: store.sink(runId),
    params: { limit },
    sleep: async () => undefined,
  }).start();
}

describe('comparing two runs (cdag diff, Compare Runs)', () => {
  let root: string;
  let store: RunStore;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'cdag-diff-'));
    store = new RunStore(root);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('names the param, the rendered args, the outputs and the exit code that differ, per task, and the tasks that are the same', async () => {
    const a = await runWith(store, 'run_a', 10);
    const b = await runWith(store, 'run_b', 20, true);
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
    const a = await runWith(store, 'run_a', 10);
    const d = diffRuns(a, a);
    assert.deepEqual([d.params, d.tasks, d.run], [[], [], []]);
  });

  it('cdag diff prints the differences and exits 1, exits 0 for two equal runs, and says which run it cannot find', async () => {
    await runWith(store, 'run_a', 10);
    await runWith(store, 'run_b', 20);
    await runWith(store, 'run_c', 10);
    const call = async (args: string[]) => {
      let out = '';
      let err = '';
      const io: Io = { out: (s) => (out += s), err: (s) => (err += s), readFile: (p) => readFileSync(p, 'utf8') };
      const code = await main(['diff', ...args, '--runs-dir', root], io);
      return { code, out, err };
    };
    const differs = await call(['run_a', 'run_b']);
    assert.equal(differs.code, 1);
    assert.match(differs.out, /^params:\n {2}limit: 10 → 20$/m);
    assert.match(differs.out, /^fetch:\n {2}args: \["--limit","10"\] → \["--limit","20"\]$/m);
    const equal = await call(['run_a', join(root, 'run_c', 'record.json')]);
    assert.equal(equal.code, 0, equal.out);
    const missing = await call(['run_a', 'nope']);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /No run "nope" in .*--runs-dir/);
  });
});
