import assert from 'node:assert/strict';
import { analyzeDag } from '../../../src/dag/analyze';
import { scanTemplates } from '../../../src/dag/template';
import { renderTemplate } from '../../../src/dag/templateRender';

const problems = (yaml: string, file?: string) =>
  analyzeDag(yaml, file).problems.map((p) => `${p.severity} ${p.code}: ${p.message}`);

describe('validation fixes seen while hardening', () => {
  it('takes image (and any required field) from defaults', () => {
    const a = analyzeDag('defaults: {image: busybox}\ntasks:\n  a: {command: [true]}\n  b: {depends_on: [a]}\n');
    assert.deepEqual(a.problems, []);
    assert.deepEqual(
      a.dag!.tasks.map((t) => t.image),
      ['busybox', 'busybox'],
    );
    assert.match(problems('tasks:\n  a: {command: [true]}\n').join(), /missing-key: Missing required key "image"/);
  });

  it('warns on task keys YAML coerces (0x10, 1e3, ~) and offers to quote them', () => {
    const a = analyzeDag('tasks:\n  0x10: {image: x}\n  1e3: {image: x}\n  ~: {image: x}\n  "0x11": {image: x}\n');
    const coerced = a.problems.filter((p) => p.code === 'coerced-scalar');
    assert.equal(coerced.length, 3, JSON.stringify(a.problems));
    assert.deepEqual(
      coerced.map((p) => p.fixes?.[0]?.newText),
      ['"0x10"', '"1e3"', '"~"'],
    );
    assert.match(coerced[0]!.message, /reads the key 0x10 as the number 16/);
  });

  it('says merge keys are not supported and what to use instead', () => {
    const p = problems('x-base: &base {image: busybox}\ntasks:\n  a:\n    <<: *base\n    command: [true]\n');
    assert.ok(
      p.some((m) => /Merge keys \("<<"\) are YAML 1.1 and not supported.*"defaults"/.test(m)),
      p.join('\n'),
    );
  });

  it('reads an escaped quote in default("…"), and says how to quote an unclosed one', () => {
    const ctx = {
      dagId: 'd',
      taskId: 't',
      runId: 'r',
      tryNumber: 1,
      logicalDate: new Date(0),
      intervalEnd: new Date(0),
      prevLogicalDate: new Date(0),
      params: {},
      env: {},
    };
    const r = renderTemplate('{{ env.NOPE | default("a\\"b") }}', ctx);
    assert.ok(r.succeeded, JSON.stringify(r));
    assert.equal(r.result, 'a"b');
    assert.deepEqual(problems('tasks:\n  a: {image: x, command: [\'{{ env.X | default("a\\"b") }}\']}\n'), []);
    const bad = scanTemplates('{{ env.X | default("a) }}');
    assert.match(bad.issues[0]!.message, /Unclosed string.*write \\" or quote with '/);
  });

  it('refuses a cron that can never fire', () => {
    const p = problems("schedule: '0 0 30 2 *'\nstart_date: 2024-01-01\ntasks:\n  a: {image: x}\n");
    assert.ok(
      p.some((m) => /error invalid-schedule: Day of month 30 never falls in month 2/.test(m)),
      p.join(),
    );
    assert.deepEqual(problems("schedule: '0 0 29 2 *'\nstart_date: 2024-01-01\ntasks:\n  a: {image: x}\n"), []);
    assert.deepEqual(problems("schedule: '0 0 31 * *'\nstart_date: 2024-01-01\ntasks:\n  a: {image: x}\n"), []);
  });

  it('validates a DAG id taken from the file name like dag:', () => {
    assert.match(
      problems('tasks:\n  a: {image: x}\n', '/p/my dag!.dag.yaml').join(),
      /invalid-name: The DAG id comes from the file name, and "my dag!" is not a valid DAG id/,
    );
    assert.deepEqual(problems('dag: ok\ntasks:\n  a: {image: x}\n', '/p/my dag!.dag.yaml'), []);
    assert.deepEqual(problems('tasks:\n  a: {image: x}\n', '/p/my_dag.v2.dag.yaml'), []);
  });

  it('refuses a NUL character in a command or argument', () => {
    const p = problems('tasks:\n  a: {image: x, command: ["echo", "a\\0b"], args: "x\\0y"}\n');
    assert.equal(p.filter((m) => m.startsWith('error nul-character')).length, 2, p.join('\n'));
  });

  it('treats an unknown key named constructor or __proto__ as unknown', () => {
    const p = problems('constructor: 1\ntasks:\n  a: {image: x, toString: 1, __proto__: 2}\n');
    assert.equal(p.filter((m) => m.includes('unknown-key')).length, 3, p.join('\n'));
    assert.match(
      problems("tasks:\n  a: {image: x, command: '{{ constructor }} {{ ds | toString }}'}\n").join(),
      /template-unknown-name.*template-unknown-filter|template-unknown-filter.*template-unknown-name/,
    );
  });
});
