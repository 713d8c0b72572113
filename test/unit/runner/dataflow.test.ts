import assert from 'node:assert/strict';
import { analyzeDag } from '../../../src/dag/analyze';
import type { Dag } from '../../../src/dag/model';
import type { RunRecord } from '../../../src/protocol/runRecord';
import type { AttemptSpec } from '../../../src/runner/backend';
import { RunEngine } from '../../../src/runner/engine';
import type { PastVerdict } from '../../../src/runner/runOptions';
import { makeMasker } from '../../../src/runner/secretMasker';
import { DAY_INTERVAL, discardingSink, ScriptedBackend, type Script } from '../../support/scriptedBackend';

function dagOf(yaml: string): Dag {
  const a = analyzeDag(yaml);
  assert.deepEqual(
    a.problems.filter((p) => p.severity === 'error').map((p) => p.message),
    [],
  );
  return a.dag!;
}

const sink = discardingSink;
const interval = DAY_INTERVAL;

/** Runs a DAG whose containers follow `script` (by task id); returns the record and each start's args. */
async function run(
  yaml: string,
  script: (spec: AttemptSpec) => Script,
  extra: { past?: (taskId: string) => Promise<PastVerdict>; secrets?: Record<string, string> } = {},
): Promise<{ record: RunRecord; args: Map<string, string[]>; backend: ScriptedBackend }> {
  const args = new Map<string, string[]>();
  const backend = new ScriptedBackend((spec) => {
    args.set(spec.rendered.task.id, [...(spec.rendered.args ?? [])]);
    return script(spec);
  });
  const engine = new RunEngine({
    dag: dagOf(yaml),
    runId: 'r1',
    interval,
    backend,
    sink,
    sleep: async () => undefined,
    ...(extra.past ? { past: extra.past } : {}),
    ...(extra.secrets ? { secretValues: extra.secrets, mask: makeMasker(Object.values(extra.secrets)) } : {}),
  });
  return { record: await engine.start(), args, backend };
}

const text = (t: string): Script['output'] => ({ kind: 'text', text: t });

describe('values between tasks', () => {
  it("passes an upstream task's output into a downstream task's arguments, typed values as JSON", async () => {
    const { record, args } = await run(
      'tasks:\n  a: {image: x, outputs: [n, cities]}\n  b: {image: x, depends_on: [a], args: ["{{ tasks.a.outputs.n }}", "{{ tasks.a.outputs.cities }}", "{{ tasks.a.outputs.cities | length }}"]}\n',
      (s) =>
        s.rendered.task.id === 'a'
          ? { code: 0, ms: 1, output: text('{"n": 3, "cities": ["seoul", "busan"]}') }
          : { code: 0, ms: 1 },
    );
    assert.equal(record.state, 'success');
    assert.deepEqual(args.get('b'), ['3', '["seoul","busan"]', '2']);
    assert.deepEqual({ ...record.tasks.a!.outputs }, { n: 3, cities: ['seoul', 'busan'] });
    assert.deepEqual({ ...record.tasks.a!.attempts[0]!.outputs }, { n: 3, cities: ['seoul', 'busan'] });
  });

  it('fails the attempt with output-missing, output-invalid or output-too-large, and retries it like any failure', async () => {
    const cases: Array<[Script['output'], RegExp]> = [
      [{ kind: 'missing' }, /^output-missing: .*declares outputs \(n\) but wrote no \/cdag\/output\.json/],
      [text('{"m": 1}'), /^output-missing: .*has no "n" \(it has: m\)/],
      [text('not json'), /^output-invalid: .*is not JSON/],
      [text('[1, 2]'), /^output-invalid: .*holds a list, not an object/],
      [text(`{"n": "${'x'.repeat(5000)}"}`), /^output-too-large: .*5009 bytes, more than 4096/],
      [{ kind: 'too-large', bytes: 9000 }, /^output-too-large: .*9000 bytes/],
    ];
    for (const [output, reason] of cases) {
      const { record, backend } = await run(
        'tasks:\n  a: {image: x, outputs: [n], retries: 1, retry_delay: 1s}\n  b: {image: x, depends_on: [a]}\n',
        () => ({ code: 0, ms: 1, ...(output ? { output } : {}) }),
      );
      assert.equal(record.tasks.a!.state, 'failed');
      assert.match(record.tasks.a!.reason!, reason);
      assert.equal(record.tasks.b!.state, 'upstream_failed');
      assert.deepEqual(backend.starts, ['a#1', 'a#2'], 'retried once');
    }
  });

  it('keeps a secret printed into an output masked in the record, and gives the real value downstream', async () => {
    const { record, args } = await run(
      'tasks:\n  a: {image: x, outputs: [token], secrets: {PW: pw}}\n  b: {image: x, depends_on: [a], args: ["{{ tasks.a.outputs.token }}"]}\n',
      (s) =>
        s.rendered.task.id === 'a'
          ? { code: 0, ms: 1, output: text('{"token": "key-hunter2-secret"}') }
          : { code: 0, ms: 1 },
      { secrets: { pw: 'hunter2-secret' } },
    );
    assert.deepEqual({ ...record.tasks.a!.outputs }, { token: 'key-***' });
    assert.deepEqual(args.get('b'), ['key-hunter2-secret']);
  });
});

describe('conditions', () => {
  it('skips a task whose when is false, with the reason, and propagates the skip as Airflow does', async () => {
    const { record, backend } = await run(
      'tasks:\n  count: {image: x, outputs: [rows]}\n  publish: {image: x, depends_on: [count], when: "{{ tasks.count.outputs.rows | gt(0) }}"}\n  after: {image: x, depends_on: [publish]}\n  report: {image: x, depends_on: [publish], trigger_rule: none_failed}\n',
      (s) => (s.rendered.task.id === 'count' ? { code: 0, ms: 1, output: text('{"rows": 0}') } : { code: 0, ms: 1 }),
    );
    assert.equal(record.tasks.publish!.state, 'skipped');
    assert.equal(record.tasks.publish!.reason, 'when was false (false)');
    assert.equal(record.tasks.after!.state, 'skipped');
    assert.equal(record.tasks.report!.state, 'success');
    assert.deepEqual(backend.starts.sort(), ['count#1', 'report#1']);
    assert.equal(record.state, 'success');
  });

  it('runs a task whose when is true, and fails one whose when cannot be evaluated, saying why', async () => {
    const { record } = await run(
      'tasks:\n  count: {image: x, outputs: [rows, name]}\n  yes: {image: x, depends_on: [count], when: "{{ tasks.count.outputs.rows | sum | ge(3) }}"}\n  bad: {image: x, depends_on: [count], when: "{{ tasks.count.outputs.name | gt(1) }}"}\n',
      (s) =>
        s.rendered.task.id === 'count'
          ? { code: 0, ms: 1, output: text('{"rows": [1, 2], "name": "seoul"}') }
          : { code: 0, ms: 1 },
    );
    assert.equal(record.tasks.yes!.state, 'success');
    assert.equal(record.tasks.bad!.state, 'failed');
    assert.match(record.tasks.bad!.reason!, /^when: gt\(1\) needs a number, got seoul/);
  });

  it('ends a task skipped on an exit code of skip_on_exit_code, without a retry', async () => {
    const { record, backend } = await run(
      'tasks:\n  check: {image: x, skip_on_exit_code: [99], retries: 3, retry_delay: 1s}\n  next: {image: x, depends_on: [check]}\n',
      (s) => (s.rendered.task.id === 'check' ? { code: 99, ms: 1 } : { code: 0, ms: 1 }),
    );
    assert.equal(record.tasks.check!.state, 'skipped');
    assert.equal(record.tasks.check!.reason, 'exit code 99 (skip_on_exit_code)');
    assert.equal(record.tasks.next!.state, 'skipped');
    assert.deepEqual(backend.starts, ['check#1']);
  });

  it('does not run a depends_on_past task whose previous instance did not succeed, and says which', async () => {
    const asked: string[] = [];
    const { record, backend } = await run(
      'tasks:\n  rank: {image: x, depends_on_past: true}\n  other: {image: x}\n',
      () => ({ code: 0, ms: 1 }),
      {
        past: async (id) => {
          asked.push(id);
          return { ok: false, reason: 'depends_on_past: rank of 2024-01-01 failed' };
        },
      },
    );
    assert.deepEqual(asked, ['rank'], 'only the task that depends on the past is looked up');
    assert.equal(record.tasks.rank!.state, 'upstream_failed');
    assert.equal(record.tasks.rank!.reason, 'depends_on_past: rank of 2024-01-01 failed');
    assert.deepEqual(backend.starts, ['other#1']);
  });
});

describe('fan-out (expand)', () => {
  const lines = (t: string): Script['output'] => ({ kind: 'text', text: t });

  it('makes one instance per item of an upstream output, renders item and map_index, and gives the list of their outputs downstream', async () => {
    const seen: string[] = [];
    const { record } = await run(
      'tasks:\n  list: {image: x, outputs: [cities]}\n  fetch: {image: x, depends_on: [list], expand: {city: "{{ tasks.list.outputs.cities }}"}, args: ["{{ item.city }}", "{{ map_index }}", "{{ task.id }}"], outputs: [rows]}\n  total: {image: x, depends_on: [fetch], args: ["{{ tasks.fetch.outputs.rows | sum }}", "{{ tasks.fetch.outputs.rows }}"]}\n',
      (s) => {
        seen.push(`${s.rendered.task.id} ${(s.rendered.args ?? []).join(' ')}`);
        if (s.rendered.task.id === 'list')
          return { code: 0, ms: 1, output: lines('{"cities": ["seoul", "busan", "jeju"]}') };
        if (s.rendered.task.id.startsWith('fetch[')) {
          const rows = { seoul: 10, busan: 5, jeju: 1 }[s.rendered.args![0] as 'seoul'];
          return { code: 0, ms: 5, output: lines(`{"rows": ${rows}}`) };
        }
        return { code: 0, ms: 1 };
      },
    );
    assert.equal(record.state, 'success');
    assert.deepEqual(seen.filter((x) => x.startsWith('fetch')).sort(), [
      'fetch[0] seoul 0 fetch',
      'fetch[1] busan 1 fetch',
      'fetch[2] jeju 2 fetch',
    ]);
    assert.equal(record.tasks.fetch!.instances, 3);
    assert.deepEqual({ ...record.tasks['fetch[1]']!.item }, { city: 'busan' });
    assert.equal(record.tasks['fetch[1]']!.map_index, 1);
    assert.deepEqual([...(record.tasks.fetch!.outputs!.rows as number[])], [10, 5, 1]);
    assert.ok(seen.includes('total 16 [10,5,1]'));
  });

  it('runs every combination of several lists (a cross product), at most expand_max_active at once', async () => {
    // The backend counts attempts between start and exit, so the bound is measured, not timed.
    const { record, backend } = await run(
      'max_active_tasks: 8\ntasks:\n  t: {image: x, expand: {x: [1, 2], y: [a, b, c]}, expand_max_active: 2, args: ["{{ item.x }}{{ item.y }}"], command: ["0", "20"]}\n',
      () => ({ code: 0, ms: 20 }),
    );
    const peak = backend.maxRunning;
    assert.equal(record.state, 'success');
    assert.equal(backend.starts.length, 6);
    assert.deepEqual(
      Object.keys(record.tasks)
        .filter((k) => k.startsWith('t['))
        .map((k) => Object.values(record.tasks[k]!.item!).join('')),
      ['1a', '1b', '1c', '2a', '2b', '2c'],
    );
    assert.ok(peak <= 2, `peak ${peak}`);
  });

  it('skips a task expanded over an empty list, and its all_success downstream', async () => {
    const { record, backend } = await run(
      'tasks:\n  list: {image: x, outputs: [ids]}\n  each: {image: x, depends_on: [list], expand: {id: "{{ tasks.list.outputs.ids }}"}}\n  after: {image: x, depends_on: [each]}\n',
      (s) => (s.rendered.task.id === 'list' ? { code: 0, ms: 1, output: lines('{"ids": []}') } : { code: 0, ms: 1 }),
    );
    assert.equal(record.tasks.each!.state, 'skipped');
    assert.equal(record.tasks.each!.reason, 'empty expand: no items to run');
    assert.equal(record.tasks.after!.state, 'skipped');
    assert.deepEqual(backend.starts, ['list#1']);
  });

  it('counts instances in trigger rules: one failed instance fails all_success downstream, one success runs one_success', async () => {
    const { record } = await run(
      'tasks:\n  t: {image: x, expand: {n: [0, 1, 0]}, command: ["{{ item.n }}"]}\n  strict: {image: x, depends_on: [t]}\n  lenient: {image: x, depends_on: [t], trigger_rule: one_success}\n',
      (s) => ({ code: Number(s.rendered.command?.[0] ?? 0), ms: 1 }),
    );
    assert.deepEqual(
      ['t[0]', 't[1]', 't[2]', 't', 'strict', 'lenient'].map((id) => record.tasks[id]!.state),
      ['success', 'failed', 'success', 'failed', 'upstream_failed', 'success'],
    );
    assert.equal(record.tasks.t!.reason, '3 instance(s): 2 success, 1 failed');
  });

  it('fails a task whose expand template gives no list, or more than 1,024 items, saying which', async () => {
    const { record } = await run(
      'tasks:\n  list: {image: x, outputs: [one, many]}\n  a: {image: x, depends_on: [list], expand: {x: "{{ tasks.list.outputs.one }}"}}\n  b: {image: x, depends_on: [list], expand: {x: "{{ tasks.list.outputs.many }}"}}\n',
      (s) =>
        s.rendered.task.id === 'list'
          ? {
              code: 0,
              ms: 1,
              output: lines(JSON.stringify({ one: 'seoul', many: Array.from({ length: 1025 }, (_, i) => i) })),
            }
          : { code: 0, ms: 1 },
    );
    assert.match(record.tasks.a!.reason!, /^expand-not-list: expand\.x gave seoul, not a list\./);
    assert.match(record.tasks.b!.reason!, /^expand-too-large: 1025 instances, more than 1024/);
  });
});
