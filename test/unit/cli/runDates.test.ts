import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main, nodeIo, type Io } from '../../../src/cli/main';
import { pickDates } from '../../../src/cli/runDates';
import { analyzeDag } from '../../../src/dag/analyze';

describe('backfill ranges', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'cdag-backfill-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses more than 1,000 runs up front with the count and how to confirm; nothing runs', async function () {
    this.timeout(30_000);
    const file = join(dir, 'hourly.dag.yaml');
    writeFileSync(file, "schedule: '@hourly'\nstart_date: 2000-01-01\ntasks:\n  a: {image: busybox}\n");
    let err = '';
    const io: Io = { ...nodeIo, out: () => undefined, err: (s) => (err += s) };
    const code = await main(
      ['run', file, '--from', '2024-01-01', '--to', '2024-03-01', '--runs-dir', join(dir, 'runs')],
      io,
    );
    assert.equal(code, 2);
    assert.match(
      err,
      /2024-01-01\.\.2024-03-01 is 1441 runs of schedule "@hourly", more than 1000\. Nothing was run\. Give a narrower range, or add --yes/,
    );
  });

  it('counts and walks a range of millions of dates without holding them', function () {
    this.timeout(60_000);
    const dag = analyzeDag("schedule: '*/5 * * * *'\nstart_date: 2000-01-01\ntasks:\n  a: {image: x}\n").dag!;
    const before = process.memoryUsage().heapUsed;
    const d = pickDates(dag, undefined, '2000-01-01', '2030-01-01');
    assert.ok(typeof d !== 'string');
    assert.equal(d.count, 1_000_001, 'counted as far as needed to say "more than 1,000,000"');
    assert.ok(process.memoryUsage().heapUsed - before < 64 * 2 ** 20, 'heap grew by more than 64 MiB');
    const it = d.intervals[Symbol.iterator]();
    assert.equal(it.next().value?.start.toISOString(), '2000-01-01T00:00:00.000Z');
    assert.equal(it.next().value?.start.toISOString(), '2000-01-01T00:05:00.000Z');
    assert.ok(d.includes('2010-06-01T10:05:00+00:00'));
    assert.ok(!d.includes('2010-06-01T10:06:00+00:00'));
    assert.ok(!d.includes('2031-01-01T00:00:00+00:00'));
  });
});
