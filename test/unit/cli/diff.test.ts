import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main, type Io } from '../../../src/cli/main';
import { RunStore } from '../../../src/runner/runStore';
import { runWith } from '../../support/twoRuns';

describe('cdag diff', () => {
  let root: string;
  let store: RunStore;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'cdag-diff-'));
    store = new RunStore(root);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

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
