import assert from 'node:assert/strict';
import { analyzeDag } from '../../../src/dag/analyze';
import { evaluateTemplate, renderTemplate, truthy, type TemplateContext } from '../../../src/dag/templateRender';

const problems = (yaml: string) =>
  analyzeDag(yaml)
    .problems.filter((p) => p.severity !== 'hint')
    .map((p) => `${p.code}: ${p.message}`);

describe('checks of values between tasks, before the run', () => {
  it('says an output reference names an unknown task, an undeclared output or a task not upstream, with did-you-mean', () => {
    const p = problems(
      'tasks:\n  list:\n    image: x\n    outputs: [cities]\n  fetch:\n    image: x\n    depends_on: [list]\n    args: ["{{ tasks.lst.outputs.cities }}", "{{ tasks.list.outputs.citie }}"]\n  side:\n    image: x\n    args: ["{{ tasks.list.outputs.cities }}", "{{ tasks.side.outputs.x }}"]\n',
    );
    assert.deepEqual(p, [
      'unknown-output: Unknown task "lst". Did you mean "list"?',
      'unknown-output: Task "list" declares no output "citie" (it has: cities). Did you mean "cities"?',
      'output-not-upstream: "list" is not upstream of "side": its outputs do not exist yet when "side" runs. Add "list" to depends_on (directly or through another task).',
      'output-not-upstream: A task cannot read its own outputs: they exist only after it ends.',
      'unknown-output: Task "side" declares no outputs: add "outputs: [x]" to it, and write {"x": …} to $CDAG_OUTPUT.',
    ]);
  });

  it('accepts an output of a task upstream through another one', () => {
    assert.deepEqual(
      problems(
        'tasks:\n  a: {image: x, outputs: [n]}\n  b: {image: x, depends_on: [a]}\n  c: {image: x, depends_on: [b], args: ["{{ tasks.a.outputs.n | tojson }}"], when: "{{ tasks.a.outputs.n | in(1, 2) }}"}\n',
      ),
      [],
    );
  });

  it('says item.VAR is read outside expand or names a variable expand does not have', () => {
    const p = problems(
      'tasks:\n  a: {image: x, args: ["{{ item.city }}", "{{ map_index }}"]}\n  b: {image: x, expand: {city: [seoul, busan]}, args: ["{{ item.cty }}", "{{ item.city }}", "{{ map_index }}"]}\n',
    );
    assert.deepEqual(p, [
      'unknown-item: item.city has a value only in a task with "expand"; "a" has none.',
      'unknown-item: map_index has a value only in a task with "expand"; "a" has none.',
      'unknown-item: "b" expands over city, not "cty". Did you mean "city"?',
    ]);
  });

  it('refuses an expand list of more than 1,024 items, a cross product over it, and a template that gives no list', () => {
    const big = JSON.stringify(Array.from({ length: 1025 }, (_, i) => i));
    const p = problems(
      `tasks:\n  a: {image: x, expand: {n: ${big}}}\n  b: {image: x, expand: {x: ${JSON.stringify(Array.from({ length: 40 }, (_, i) => i))}, y: ${JSON.stringify(Array.from({ length: 30 }, (_, i) => i))}}}\n  c: {image: x, expand: {d: "{{ ds }}"}}\n  d: {image: x, expand: {n: "{{ params.list }}"}}\nparams: {list: [1, 2]}\n`,
    );
    assert.deepEqual(p, [
      "expand-too-large: 1025 items: a task expands to at most 1024 instances (Airflow's max_map_length). Split the list, or batch items per instance.",
      'expand-too-large: Every combination of these lists is 1200 instances, more than 1024.',
      'expand-not-list: This gives text, not a list: expand over a YAML list or a template giving one, such as "{{ tasks.ID.outputs.NAME }}".',
    ]);
  });

  it('warns of a when that is always false, and knows a filter given the wrong type', () => {
    const p = problems(
      'tasks:\n  a: {image: x, when: "false", args: ["{{ ds | sum }}", "{{ map_index | length }}"]}\n',
    );
    assert.deepEqual(p, [
      'when-never-true: when: "false" is always false, so this task is always skipped. Write a template such as "{{ tasks.ID.outputs.NAME | gt(0) }}", or remove the task.',
      'template-filter-type: Filter "sum" needs a list; here it gets text.',
      'unknown-item: map_index has a value only in a task with "expand"; "a" has none.',
      'template-filter-type: Filter "length" needs text or a list or an object; here it gets a number.',
    ]);
  });
});

describe('comparison and list filters', () => {
  const ctx: TemplateContext = {
    dagId: 'd',
    taskId: 't',
    runId: 'r',
    tryNumber: 1,
    logicalDate: new Date('2024-01-02T00:00:00Z'),
    intervalEnd: new Date('2024-01-03T00:00:00Z'),
    prevLogicalDate: new Date('2024-01-01T00:00:00Z'),
    params: { n: '5', region: 'eu' },
    env: {},
    outputs: new Map([['a', { rows: [1, 2, 3], name: 'seoul', nothing: [], flag: false }]]),
  };
  const value = (t: string) => {
    const r = evaluateTemplate(t, ctx);
    return r.succeeded ? r.result : `error: ${r.error}`;
  };

  it('compares numbers (a numeric param text too), membership and equality, and keeps types of a lone expression', () => {
    assert.equal(value('{{ tasks.a.outputs.rows | sum | gt(5) }}'), true);
    assert.equal(value('{{ tasks.a.outputs.rows | length | le(2) }}'), false);
    assert.equal(value('{{ params.n | ge(5) }}'), true);
    assert.equal(value('{{ params.region | in("eu", "us") }}'), true);
    assert.equal(value('{{ tasks.a.outputs.name | eq("seoul") }}'), true);
    assert.equal(value('{{ tasks.a.outputs.name | ne("seoul") }}'), false);
    assert.equal(value('{{ tasks.a.outputs.nothing | not }}'), true);
    assert.deepEqual(value('{{ tasks.a.outputs.rows }}'), [1, 2, 3]);
    assert.equal(value('rows: {{ tasks.a.outputs.rows }}'), 'rows: [1,2,3]');
    assert.equal(value('{{ tasks.a.outputs.name | tojson }}'), '"seoul"');
  });

  it('fails clearly on a value of the wrong type at run time, and on an output not produced', () => {
    assert.equal(value('{{ tasks.a.outputs.name | gt(1) }}'), 'error: gt(1) needs a number, got seoul.');
    assert.equal(value('{{ tasks.a.outputs.name | sum }}'), 'error: sum needs a list of numbers, got seoul.');
    const missing = renderTemplate('{{ tasks.b.outputs.x }}', ctx);
    assert.ok(!missing.succeeded);
    assert.match(missing.error, /has no value in this run\. The task has not produced it/);
  });

  it('reads truth as when does: empty, false, 0, null and [] are false, as values and as text', () => {
    for (const f of ['', 'false', 'False', '0', 'null', '[]', false, 0, null, [], {}])
      assert.equal(truthy(f), false, String(f));
    for (const t of ['x', 'true', '1', 1, true, [0], { a: 1 }]) assert.equal(truthy(t), true, String(t));
    assert.equal(value('{{ tasks.a.outputs.flag }}'), false);
  });
});
