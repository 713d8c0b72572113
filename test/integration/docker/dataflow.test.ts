import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import type { RunRecord } from '../../../src/protocol/runRecord';
import { TEST_IMAGE, containersOf, dagOf, dockerOrFail, ensureTestImage, startRun, logOf } from './dockerEnv';

const CLI = join(__dirname, '..', '..', '..', 'dist', 'cli.js');

describe('values between tasks and conditions on a real Docker Engine', function () {
  this.timeout(180_000);
  let docker: Docker;

  before(async () => {
    docker = await dockerOrFail();
    ensureTestImage();
  });

  it('passes a value written to $CDAG_OUTPUT into the next task’s arguments, and keeps it in the record', async () => {
    const dag = dagOf(`tasks:
  count:
    image: $IMAGE
    image_pull_policy: Never
    command: [sh, -c, 'echo "{\\"rows\\": 3, \\"cities\\": [\\"seoul\\", \\"busan\\"]}" > "$CDAG_OUTPUT"']
    outputs: [rows, cities]
  use:
    image: $IMAGE
    image_pull_policy: Never
    depends_on: [count]
    command: [echo, 'rows={{ tasks.count.outputs.rows }}', 'cities={{ tasks.count.outputs.cities }}']
`);
    const { done, store, runId } = startRun(docker, dag);
    const r = await done;
    assert.equal(r.state, 'success', JSON.stringify(r.tasks));
    assert.deepEqual({ ...r.tasks.count!.outputs }, { rows: 3, cities: ['seoul', 'busan'] });
    assert.equal(logOf(store, runId, r, 'use'), '  rows=3 cities=["seoul","busan"]\n');
    assert.deepEqual(await containersOf(docker, runId), [], 'read before the container was removed');
  });

  it('fails with output-missing, output-invalid and output-too-large, naming the file and the fix', async () => {
    const dag = dagOf(`tasks:
  none: {image: $IMAGE, image_pull_policy: Never, command: ['true'], outputs: [n]}
  text: {image: $IMAGE, image_pull_policy: Never, command: [sh, -c, 'echo not-json > "$CDAG_OUTPUT"'], outputs: [n]}
  big: {image: $IMAGE, image_pull_policy: Never, command: [sh, -c, 'head -c 5000 /dev/zero | tr "\\\\0" a > "$CDAG_OUTPUT"'], outputs: [n]}
`);
    const r = await startRun(docker, dag).done;
    assert.match(
      r.tasks.none!.reason!,
      /^output-missing: the task declares outputs \(n\) but wrote no \/cdag\/output\.json/,
    );
    assert.match(r.tasks.text!.reason!, /^output-invalid: \/cdag\/output\.json \(\$CDAG_OUTPUT\) is not JSON/);
    assert.match(r.tasks.big!.reason!, /^output-too-large: .* holds 5000 bytes, more than 4096/);
  });

  it('skips on a skip_on_exit_code exit and on a false when, propagating the skip; none_failed still runs', async () => {
    const dag = dagOf(`tasks:
  check: {image: $IMAGE, image_pull_policy: Never, command: [sh, -c, 'exit 99'], skip_on_exit_code: [99], retries: 2}
  after_check: {image: $IMAGE, image_pull_policy: Never, command: ['true'], depends_on: [check]}
  count: {image: $IMAGE, image_pull_policy: Never, command: [sh, -c, 'echo "{\\"rows\\": 0}" > "$CDAG_OUTPUT"'], outputs: [rows]}
  publish: {image: $IMAGE, image_pull_policy: Never, command: ['true'], depends_on: [count], when: "{{ tasks.count.outputs.rows | gt(0) }}"}
  report: {image: $IMAGE, image_pull_policy: Never, command: ['true'], depends_on: [publish], trigger_rule: none_failed}
`);
    const r = await startRun(docker, dag).done;
    const states = Object.fromEntries(Object.entries(r.tasks).map(([id, t]) => [id, [t.state, t.reason]]));
    assert.deepEqual(states, {
      check: ['skipped', 'exit code 99 (skip_on_exit_code)'],
      after_check: ['skipped', 'upstream tasks skipped'],
      count: ['success', undefined],
      publish: ['skipped', 'when was false (false)'],
      report: ['success', undefined],
    });
    assert.equal(r.tasks.check!.attempts.length, 1, 'no retry after a skip');
    assert.equal(r.state, 'success');
  });

  it('runs a depends_on_past task of a 4-date backfill at 4 runs at once only after the previous date’s succeeded; a failure stops the dates after it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cdag-past-'));
    const file = join(dir, 'past.dag.yaml');
    // The task of 2024-01-03 fails; its successors must not run.
    writeFileSync(
      file,
      `dag: past
schedule: "@daily"
start_date: 2024-01-01
tasks:
  rank:
    image: ${TEST_IMAGE}
    image_pull_policy: Never
    depends_on_past: true
    command: [sh, -c, 'sleep 0.3; date +%s.%N; [ "{{ ds }}" != 2024-01-03 ]']
`,
    );
    const runs = join(dir, 'runs');
    const r = spawnSync(
      process.execPath,
      [CLI, 'run', file, '--from', '2024-01-01', '--to', '2024-01-04', '--max-runs', '4', '--runs-dir', runs, '--json'],
      { encoding: 'utf8' },
    );
    assert.equal(r.status, 1, r.stderr);
    const records = JSON.parse(r.stdout) as RunRecord[];
    const rank = (day: string) => records.find((x) => x.logical_date.startsWith(day))!.tasks.rank!;
    assert.deepEqual(
      ['2024-01-01', '2024-01-02', '2024-01-03', '2024-01-04'].map((d) => rank(d).state),
      ['success', 'success', 'failed', 'upstream_failed'],
    );
    assert.equal(rank('2024-01-04').reason, 'depends_on_past: rank of 2024-01-03 ended failed');
    // Each date's task started after the previous date's ended, though the runs were started together.
    for (const [a, b] of [
      ['2024-01-01', '2024-01-02'],
      ['2024-01-02', '2024-01-03'],
    ] as const)
      assert.ok(rank(a).ended_at! <= rank(b).started_at!, `${a} before ${b}`);
    assert.equal(readdirSync(runs).filter((d) => !d.startsWith('.')).length, 4);
  });

  it('fans out over an upstream output and over a static cross product, each instance its own container and log', async () => {
    const dag = dagOf(`tasks:
  list:
    image: $IMAGE
    image_pull_policy: Never
    command: [sh, -c, 'echo "{\\"days\\": [\\"mon\\", \\"tue\\", \\"wed\\"]}" > "$CDAG_OUTPUT"']
    outputs: [days]
  each:
    image: $IMAGE
    image_pull_policy: Never
    depends_on: [list]
    expand: {day: "{{ tasks.list.outputs.days }}"}
    command: [sh, -c, 'echo "{{ map_index }}:{{ item.day }}"; echo "{\\"len\\": $(printf {{ item.day }} | wc -c)}" > "$CDAG_OUTPUT"']
    outputs: [len]
  grid:
    image: $IMAGE
    image_pull_policy: Never
    expand: {x: [1, 2], y: [a, b]}
    command: [echo, '{{ item.x }}{{ item.y }}']
  total:
    image: $IMAGE
    image_pull_policy: Never
    depends_on: [each, grid]
    command: [echo, '{{ tasks.each.outputs.len | sum }}']
`);
    const { done, store, runId } = startRun(docker, dag);
    const r = await done;
    assert.equal(r.state, 'success', JSON.stringify(r.tasks));
    assert.deepEqual(
      [0, 1, 2].map((i) => logOf(store, runId, r, `each[${i}]`)),
      ['  0:mon\n', '  1:tue\n', '  2:wed\n'],
    );
    assert.deepEqual(
      [0, 1, 2, 3].map((i) => logOf(store, runId, r, `grid[${i}]`)),
      ['  1a\n', '  1b\n', '  2a\n', '  2b\n'],
    );
    assert.equal(logOf(store, runId, r, 'total'), '  9\n');
    assert.deepEqual(await containersOf(docker, runId), []);
  });

  it('re-runs one instance with cdag run --task ID[i] in a new container, the other instances and tasks kept from the date’s run', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cdag-rerun-'));
    const file = join(dir, 'rerun.dag.yaml');
    writeFileSync(
      file,
      `dag: rerun
tasks:
  list:
    image: ${TEST_IMAGE}
    image_pull_policy: Never
    command: [sh, -c, 'echo "{\\"days\\": [\\"mon\\", \\"tue\\", \\"wed\\"]}" > "$CDAG_OUTPUT"']
    outputs: [days]
  count:
    image: ${TEST_IMAGE}
    image_pull_policy: Never
    depends_on: [list]
    expand: {day: "{{ tasks.list.outputs.days }}"}
    command: [sh, -c, 'echo {{ item.day }}; echo "{\\"n\\": {{ map_index }}}" > "$CDAG_OUTPUT"']
    outputs: [n]
`,
    );
    const runs = join(dir, 'runs');
    const run = (...extra: string[]) => {
      const r = spawnSync(
        process.execPath,
        [CLI, 'run', file, '--date', '2024-01-02', '--runs-dir', runs, '--json', ...extra],
        {
          encoding: 'utf8',
        },
      );
      return { status: r.status, record: JSON.parse(r.stdout || 'null') as RunRecord, stderr: r.stderr };
    };
    const first = run();
    assert.equal(first.status, 0, first.stderr);
    const again = run('--task', 'count[1]');
    assert.equal(again.status, 0, again.stderr);
    const t = again.record.tasks;
    assert.notEqual(
      t['count[1]']!.attempts[0]!.container_id,
      first.record.tasks['count[1]']!.attempts[0]!.container_id,
    );
    for (const kept of ['list', 'count[0]', 'count[2]'])
      assert.equal(t[kept]!.attempts[0]!.container_id, first.record.tasks[kept]!.attempts[0]!.container_id, kept);
    assert.deepEqual([...(t.count!.outputs!.n as number[])], [0, 1, 2]);
    const unknown = spawnSync(
      process.execPath,
      [CLI, 'run', file, '--date', '2024-01-02', '--runs-dir', runs, '--task', 'count[5]'],
      {
        encoding: 'utf8',
      },
    );
    assert.equal(unknown.status, 2);
    assert.match(
      unknown.stderr,
      /count\[5\]: the newest run of this date made 3 instance\(s\) of count \(count\[0\] to count\[2\]\)/,
    );
  });
});
