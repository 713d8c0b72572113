import assert from 'node:assert/strict';
import { hover } from '../../../src/language/hover';
import { definition, references, rename } from '../../../src/language/navigation';
import { outline } from '../../../src/language/outline';
import { withCursor } from '../helpers';

const DAG = `schedule: "@daily"
start_date: 2019-01-01
params:
  host: http://movielens:5000
tasks:
  fetch:
    image: manning/fetch:1
    command: [fetch-ratings]
    args: ["{{ params.host }}", "{{ ds }}"]
  rank:
    image: manning/rank
    depends_on: [fetch]
  report:
    image: busybox
    depends_on:
      - fetch
      - rank
`;

const at = (needle: string, nth = 0, shift = 1) => {
  let i = -1;
  for (let k = 0; k <= nth; k++) i = DAG.indexOf(needle, i + 1);
  return withCursor(DAG.slice(0, i + shift) + '|' + DAG.slice(i + shift));
};
const text = (a: { text: string }, r: { start: number; end: number }) => a.text.slice(r.start, r.end);

describe('navigation', () => {
  it('goes from a dependency to the task it names', () => {
    const { a, offset } = at('[fetch]', 0, 2);
    const r = definition(a, offset)!;
    assert.equal(text(a, r), 'fetch');
    assert.equal(r.start, DAG.indexOf('  fetch:') + 2);
  });

  it('finds every reference of a task, declaration first', () => {
    const { a, offset } = at('  fetch:', 0, 3);
    const refs = references(a, offset);
    assert.equal(refs.length, 3);
    assert.ok(refs.every((r) => text(a, r) === 'fetch'));
  });

  it('renames a task and every reference to it', () => {
    const { a, offset } = at('- fetch', 0, 3);
    const r = rename(a, offset, 'fetch_ratings');
    assert.ok(r.succeeded);
    let out = a.text;
    for (const e of [...r.result].sort((x, y) => y.range.start - x.range.start)) {
      out = out.slice(0, e.range.start) + e.newText + out.slice(e.range.end);
    }
    assert.equal((out.match(/fetch_ratings/g) ?? []).length, 3);
    assert.ok(!/\bfetch\b(?!-)/.test(out.replace(/fetch-ratings|manning\/fetch/g, '')));
  });

  it('refuses a rename to an invalid or taken name, saying why', () => {
    const { a, offset } = at('  fetch:', 0, 3);
    const bad = rename(a, offset, 'bad name');
    assert.ok(!bad.succeeded && /not a valid task name/.test(bad.error));
    const taken = rename(a, offset, 'rank');
    assert.ok(!taken.succeeded && /already exists/.test(taken.error));
  });

  it('renames a param inside templates', () => {
    const { a, offset } = at('host:', 0, 1);
    const r = rename(a, offset, 'api_host');
    assert.ok(r.succeeded);
    assert.equal(r.result.length, 2);
  });
});

describe('hover', () => {
  it('documents a key from the schema', () => {
    const { a, offset } = at('depends_on', 0, 2);
    assert.match(hover(a, offset)!.contents, /Tasks that must finish before this one starts/);
  });

  it("shows a referenced task's image and command", () => {
    const { a, offset } = at('[fetch]', 0, 2);
    const h = hover(a, offset)!.contents;
    assert.match(h, /manning\/fetch:1/);
    assert.match(h, /fetch-ratings/);
  });

  it("shows a template's value for the next run", () => {
    const { a, offset } = at('{{ ds }}', 0, 4);
    const h = hover(a, offset, new Date('2024-05-10T12:00:00Z'))!.contents;
    assert.match(h, /2024-05-09/);
    const p = at('params.host', 0, 9);
    assert.match(hover(p.a, p.offset)!.contents, /http:\/\/movielens:5000/);
  });
});

describe('outline', () => {
  it('lists top-level keys with tasks as children', () => {
    const { a } = at('tasks');
    const tasks = outline(a).find((o) => o.name === 'tasks')!;
    assert.deepEqual(
      tasks.children.map((c) => [c.name, c.detail]),
      [
        ['fetch', 'manning/fetch:1'],
        ['rank', 'manning/rank'],
        ['report', 'busybox'],
      ],
    );
  });
});
