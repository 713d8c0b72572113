import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunRecord } from '../../../src/protocol/runRecord';
import { ROOT } from '../../e2e/codeServer';
import { TEST_IMAGE, ensureTestImage } from './dockerEnv';

const CLI = join(ROOT, 'dist', 'cli.js');

describe('cdag run --from --to --reprocess on a real Docker Engine', function () {
  this.timeout(120_000);
  let dir: string;
  before(() => ensureTestImage());
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'cdag-backfill-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const cdag = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  const days = (out: string) =>
    ([JSON.parse(out)] as Array<RunRecord | RunRecord[]>)
      .flat()
      .map((r) => `${r.logical_date.slice(0, 10)} ${r.state}`);

  it('runs again only the dates that failed and the ones never run (failed), then nothing (none)', () => {
    const file = join(dir, 'b.dag.yaml');
    writeFileSync(
      file,
      `dag: b\nschedule: '@daily'\ntasks:\n  t: {image: ${TEST_IMAGE}, image_pull_policy: Never, command: [sh, -c, 'test {{ ds }} != 2024-01-02']}\n`,
    );
    const first = cdag('run', file, '--from', '2024-01-01', '--to', '2024-01-03', '--json');
    assert.deepEqual(days(first.stdout), ['2024-01-01 success', '2024-01-02 failed', '2024-01-03 success']);
    const failed = cdag('run', file, '--from', '2024-01-01', '--to', '2024-01-04', '--reprocess', 'failed', '--json');
    assert.deepEqual(days(failed.stdout), ['2024-01-02 failed', '2024-01-04 success']);
    assert.match(failed.stderr, /Skipping 2 date\(s\) that already have a run \(--reprocess failed\)/);
    const none = cdag('run', file, '--from', '2024-01-01', '--to', '2024-01-04', '--reprocess', 'none');
    assert.equal(none.status, 0, none.stderr);
    assert.match(none.stderr, /Nothing to run: every date of the range has a run/);
  });
});
