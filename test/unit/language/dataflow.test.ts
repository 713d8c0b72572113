import assert from 'node:assert/strict';
import { complete } from '../../../src/language/completion';
import { hover } from '../../../src/language/hover';
import { rename } from '../../../src/language/navigation';
import { applyEdits, cursorAfter, withCursor } from '../helpers';

const DAG = `schedule: "@daily"
start_date: 2024-01-01
tasks:
  list-cities:
    image: example/cities:1
    outputs: [cities, count]
  other:
    image: busybox
    outputs: [x]
  fetch:
    image: example/fetch:1
    depends_on: [list-cities]
    expand:
      city: "{{ tasks.list-cities.outputs.cities }}"
    args: ["{{ item.city }}", "{{ tasks.list-cities.outputs.count }}"]
    outputs: [rows]
  publish:
    image: busybox
    depends_on: [fetch]
    when: "{{ tasks.fetch.outputs.rows | sum | gt(0) }}"
`;

const at = (needle: string, shift = 1, nth = 0) => cursorAfter(DAG, needle, shift, nth);

const applied = (edits: Parameters<typeof applyEdits>[1]) => applyEdits(DAG, edits);

describe('values between tasks in the editor', () => {
  it('completes the outputs of upstream tasks only (direct or transitive), and the expand variables of the task', () => {
    const inPublish = DAG.replace('when: "{{ tasks.fetch.outputs.rows | sum | gt(0) }}"', 'args: ["{{ tasks.|"]');
    const { a, offset } = withCursor(inPublish, 'test.dag.yaml', true);
    const labels = complete(a, offset).map((c) => c.label);
    assert.deepEqual(labels.sort(), [
      'tasks.fetch.outputs.rows',
      'tasks.list-cities.outputs.cities',
      'tasks.list-cities.outputs.count',
    ]);
    const inFetch = DAG.replace('args: ["{{ item.city }}"', 'args: ["{{ item.|"');
    const f = withCursor(inFetch);
    assert.deepEqual(
      complete(f.a, f.offset).map((c) => c.label),
      ['item.city'],
    );
  });

  it('explains an output on hover: who writes it, what it declares, and that a mapped task gives a list', () => {
    const { a, offset } = at('tasks.fetch.outputs.rows', 8);
    const h = hover(a, offset)!;
    assert.match(h.contents, /Written by `fetch` \(`example\/fetch:1`\) to \$CDAG_OUTPUT as \{"rows": …\}/);
    assert.match(h.contents, /It is mapped: the value is the list of its instances’ values/);
    const item = at('item.city', 6);
    assert.match(hover(item.a, item.offset)!.contents, /One item of `\{\{ tasks\.list-cities\.outputs\.cities \}\}`/);
  });

  it('renames a task everywhere, the templates that read its outputs included', () => {
    const { a, offset } = at('  list-cities:', 3);
    const edits = rename(a, offset, 'cities');
    assert.ok(edits.succeeded);
    const text = applied(edits.result);
    assert.match(text, /\n {2}cities:\n/);
    assert.match(text, /depends_on: \[cities\]/);
    assert.match(text, /"\{\{ tasks\.cities\.outputs\.cities \}\}"/);
    assert.match(text, /"\{\{ tasks\.cities\.outputs\.count \}\}"/);
    assert.ok(!text.includes('list-cities'));
  });

  it('renames an output in its declaration and every template that reads it, and refuses a name in use', () => {
    const { a, offset } = at('outputs: [rows]', 11);
    const edits = rename(a, offset, 'row_count');
    assert.ok(edits.succeeded);
    const text = applied(edits.result);
    assert.match(text, /outputs: \[row_count\]/);
    assert.match(text, /tasks\.fetch\.outputs\.row_count \| sum/);
    const count = at('outputs: [cities, count]', 11);
    const clash = rename(count.a, count.offset, 'count');
    assert.ok(!clash.succeeded);
    assert.match(clash.error, /already exists/);
  });
});
