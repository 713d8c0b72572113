import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunRecord } from '../../../src/protocol/runRecord';
import { ROOT } from '../../e2e/codeServer';
import { TEST_IMAGE, ensureTestImage } from './dockerEnv';

const CLI = join(ROOT, 'dist', 'cli.js');

describe('cdag run --rerun: Clear inside the same run on a real Docker Engine', function () {
  this.timeout(120_000);
  let dir: string;
  before(() => ensureTestImage());
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'cdag-clear-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const cdag = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });

  it('runs a failed task and its downstream again in the run it failed in: a second try, the run now a success, one run in the folder', () => {
    const file = join(dir, 'clear.dag.yaml');
    // b fails on its first try only: a Clear is what makes it pass.
    writeFileSync(
      file,
      `dag: clear
schedule: '@daily'
tasks:
  a: {image: ${TEST_IMAGE}, image_pull_policy: Never, command: [sh, -c, 'echo a']}
  b: {image: ${TEST_IMAGE}, image_pull_policy: Never, command: [sh, -c, 'echo b try {{ try_number }}; test {{ try_number }} -gt 1'], depends_on: [a]}
  c: {image: ${TEST_IMAGE}, image_pull_policy: Never, command: [sh, -c, 'echo c'], depends_on: [b]}
`,
    );
    const first = cdag('run', file, '--date', '2024-01-01', '--json');
    assert.equal(first.status, 1, first.stderr);
    const failed = JSON.parse(first.stdout) as RunRecord;
    assert.equal(failed.tasks.b!.state, 'failed');
    assert.equal(failed.tasks.c!.state, 'upstream_failed');

    const again = cdag('run', file, '--rerun', failed.run_id, '--task', 'b', '--downstream', '--json');
    assert.equal(again.status, 0, again.stderr);
    const cleared = JSON.parse(again.stdout) as RunRecord;
    assert.equal(cleared.run_id, failed.run_id);
    assert.equal(cleared.state, 'success');
    assert.deepEqual(
      cleared.tasks.b!.attempts.map((x) => [x.try, x.state, x.exit_code]),
      [
        [1, 'failed', 1],
        [2, 'success', 0],
      ],
    );
    assert.equal(cleared.tasks.a!.tries, 1, 'a was not cleared');
    assert.equal(cleared.tasks.c!.state, 'success');
    const runDir = join(dir, '.cdag', 'runs', failed.run_id);
    assert.match(readFileSync(join(runDir, 'b', '1.log'), 'utf8'), /b try 1/);
    assert.match(readFileSync(join(runDir, 'b', '2.log'), 'utf8'), /b try 2/);
    const stored = JSON.parse(readFileSync(join(runDir, 'record.json'), 'utf8')) as RunRecord;
    assert.equal(stored.state, 'success');
    assert.equal(stored.cleared_at?.length, 1);
  });

  it('refuses --rerun of an unknown run, with a date, or without --task, saying which flag to change, and runs nothing', () => {
    const file = join(dir, 'x.dag.yaml');
    writeFileSync(file, `dag: x\ntasks:\n  a: {image: ${TEST_IMAGE}, image_pull_policy: Never, command: ['true']}\n`);
    for (const [args, said] of [
      [['--rerun', 'manual__nope', '--task', 'a'], /no such run/],
      [['--rerun', 'manual__nope', '--task', 'a', '--date', '2024-01-01'], /give no --date/],
      [['--rerun', 'manual__nope'], /needs --task/],
    ] as const) {
      const r = cdag('run', file, ...args);
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, said);
    }
    const runs = join(dir, '.cdag', 'runs');
    assert.deepEqual(existsSync(runs) ? readdirSync(runs).filter((d) => !d.startsWith('.')) : [], [], 'no run');
  });
});
