import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { main, type Io } from '../../../src/cli/main';
import { runWith, tempRunStore } from '../../support/twoRuns';

describe('cdag diff', () => {
  const runs = tempRunStore();

  it('cdag diff prints the differences and exits 1, exits 0 for two equal runs, and says which run it cannot find', async () => {
    await runWith(runs.store, 'run_a', 10);
    await runWith(runs.store, 'run_b', 20);
    await runWith(runs.store, 'run_c', 10);
    const call = async (args: string[]) => {
      let out = '';
      let err = '';
      const io: Io = { out: (s) => (out += s), err: (s) => (err += s), readFile: (p) => readFileSync(p, 'utf8') };
      const code = await main(['diff', ...args, '--runs-dir', runs.root], io);
      return { code, out, err };
    };
    const differs = await call(['run_a', 'run_b']);
    assert.equal(differs.code, 1);
    assert.match(differs.out, /^params:\n {2}limit: 10 → 20$/m);
    assert.match(differs.out, /^fetch:\n {2}args: \["--limit","10"\] → \["--limit","20"\]$/m);
    const equal = await call(['run_a', join(runs.root, 'run_c', 'record.json')]);
    assert.equal(equal.code, 0, equal.out);
    const missing = await call(['run_a', 'nope']);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /No run "nope" in .*--runs-dir/);
  });
});
