import { analyzeDag } from '../../src/dag/analyze';
import type { RunRecord } from '../../src/protocol/runRecord';
import type { AttemptSpec } from '../../src/runner/backend';
import { RunEngine } from '../../src/runner/engine';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunStore } from '../../src/runner/runStore';
import { DAY_INTERVAL, ScriptedBackend, type Script } from './scriptedBackend';

const dag = analyzeDag(`params: {limit: 10}
tasks:
  fetch: {image: x, args: [--limit, "{{ params.limit }}"], outputs: [rows]}
  load: {image: x, depends_on: [fetch], args: ["{{ tasks.fetch.outputs.rows }}"]}
  report: {image: x}
`).dag!;

/** Runs the DAG with a param value; `failLoad` makes load exit 3. Records land in `store`. */
export async function runWith(store: RunStore, runId: string, limit: number, failLoad = false): Promise<RunRecord> {
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

/** A run store in a fresh folder for each test of the suite, removed after it. */
export function tempRunStore(): { readonly root: string; readonly store: RunStore } {
  const current = { root: '', store: undefined as unknown as RunStore };
  beforeEach(() => {
    current.root = mkdtempSync(join(tmpdir(), 'cdag-diff-'));
    current.store = new RunStore(current.root);
  });
  afterEach(() => rmSync(current.root, { recursive: true, force: true }));
  return current;
}
