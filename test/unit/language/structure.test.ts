import assert from 'node:assert/strict';
import { complete } from '../../../src/language/completion';
import { hover } from '../../../src/language/hover';
import { definition, rename } from '../../../src/language/navigation';
import { outline } from '../../../src/language/outline';
import { applyEdits, cursorAfter, withCursor } from '../helpers';

const DAG = `groups:
  extract:
    description: Pull the raw data.
  extract.eu: {}
services:
  db:
    image: postgres:16
    ports: [5432]
    ready: {tcp: 5432}
tasks:
  eu_orders: {image: busybox, group: extract.eu, services: [db]}
  us_orders: {image: busybox, group: extract}
  load:
    image: busybox
    depends_on: [extract]
`;

const at = (needle: string, shift = 1, nth = 0) => cursorAfter(DAG, needle, shift, nth);

const applied = (edits: Parameters<typeof applyEdits>[1]) => applyEdits(DAG, edits);

describe('groups and services in the editor', () => {
  it('completes groups in group: and depends_on (never the task’s own), services in services:', () => {
    // The editor's completion reads block style (what is being typed is not valid YAML yet).
    const g = withCursor(
      DAG.replace('  us_orders: {image: busybox, group: extract}', '  us_orders:\n    image: busybox\n    group: ex|'),
    );
    assert.deepEqual(
      complete(g.a, g.offset).map((c) => `${c.kind} ${c.label}`),
      ['group extract', 'group extract.eu'],
    );
    const d = withCursor(DAG.replace('depends_on: [extract]', 'depends_on: [|]'));
    const labels = complete(d.a, d.offset).map((c) => c.label);
    assert.ok(labels.includes('extract') && labels.includes('eu_orders'), labels.join());
    const own = withCursor(
      DAG.replace(
        '  us_orders: {image: busybox, group: extract}',
        '  us_orders:\n    image: busybox\n    group: extract\n    depends_on: [|]',
      ),
    );
    assert.ok(!complete(own.a, own.offset).some((c) => c.label === 'extract'));
    const s = withCursor(
      DAG.replace(
        '  eu_orders: {image: busybox, group: extract.eu, services: [db]}',
        '  eu_orders:\n    image: busybox\n    services:\n      - |',
      ),
    );
    assert.deepEqual(
      complete(s.a, s.offset).map((c) => `${c.kind} ${c.label} ${c.detail}`),
      ['service db postgres:16'],
    );
  });

  it('explains a group (description, tasks) and a service (image, ports, readiness, users) on hover', () => {
    const g = at('[extract]', 3);
    const h = hover(g.a, g.offset)!.contents;
    assert.match(h, /\*\*Group extract\*\*/);
    assert.match(h, /Pull the raw data\./);
    assert.match(h, /tasks: eu_orders, us_orders/);
    const s = at('[db]', 2);
    const sh = hover(s.a, s.offset)!.contents;
    assert.match(sh, /\*\*Service db\*\*/);
    assert.match(sh, /ports: 5432 \(reach it at `db`\)/);
    assert.match(sh, /ready: tcp 5432/);
    assert.match(sh, /needed by: eu_orders/);
  });

  it('renames an outer group everywhere, inner group names included, and a service with its uses', () => {
    const g = at('group: extract}', 10);
    const r = rename(g.a, g.offset, 'pull');
    assert.ok(r.succeeded, r.succeeded ? '' : r.error);
    const out = applied(r.result);
    assert.match(out, /^ {2}pull:\n/m);
    assert.match(out, /^ {2}pull\.eu: \{\}/m);
    assert.match(out, /group: pull\.eu,/);
    assert.match(out, /group: pull\}/);
    assert.match(out, /depends_on: \[pull\]/);
    const inner = at('group: extract.eu', 17);
    const ri = rename(inner.a, inner.offset, 'west');
    assert.ok(ri.succeeded);
    assert.match(applied(ri.result), /^ {2}extract\.west: \{\}/m);
    const s = at('[db]', 2);
    const rs = rename(s.a, s.offset, 'postgres');
    assert.ok(rs.succeeded);
    assert.match(applied(rs.result), /^ {2}postgres:\n {4}image: postgres:16/m);
    assert.match(applied(rs.result), /services: \[postgres\]/);
    assert.ok(!rename(s.a, s.offset, 'Not_A_Host').succeeded);
  });

  it('goes to a group’s declaration under groups', () => {
    const g = at('[extract]', 3);
    const d = definition(g.a, g.offset)!;
    assert.equal(DAG.slice(d.start, d.end), 'extract');
    assert.equal(d.start, DAG.indexOf('  extract:') + 2);
  });

  it('shows tasks under their groups in the Outline, nested for dotted names', () => {
    const { a } = withCursor(`${DAG}|`);
    const tasks = outline(a).find((o) => o.name === 'tasks')!;
    const shape = (items: typeof tasks.children): unknown =>
      items.map((i) => (i.children.length ? { [`${i.kind} ${i.name}`]: shape(i.children) } : `${i.kind} ${i.name}`));
    assert.deepEqual(shape(tasks.children), [
      { 'group extract': [{ 'group eu': ['task eu_orders'] }, 'task us_orders'] },
      'task load',
    ]);
  });
});
