import assert from 'node:assert/strict';
import { complete } from '../../../src/language/completion';
import { hover } from '../../../src/language/hover';
import { cursorAfter, withCursor } from '../helpers';

const DAG = `dag: words
tasks:
  fetch:
    image: cdag-test/busybox:1
    command: ["sh", "-c", "echo a b"]
  rank:
    image: registry.example.com/rank:2
    depends_on: [fetch]
`;

describe('what completion and hover say, in the user’s words', () => {
  it('describes what a key takes without the schema’s internal kind names', () => {
    const { a, offset } = withCursor(`${DAG}  third:\n    |\n`, 'test.dag.yaml', true);
    const details = complete(a, offset).map((c) => c.detail ?? '');
    assert.ok(details.length > 10);
    for (const d of details) assert.doesNotMatch(d, /^(stringOrList|listOrTemplate|object|map|string|any)$/);
    const byLabel = new Map(complete(a, offset).map((c) => [c.label, c.detail]));
    assert.equal(byLabel.get('command'), 'text or list');
    assert.equal(byLabel.get('timeout'), 'duration (30s, 5m, 1h)');
    assert.equal(byLabel.get('depends_on'), 'list');
  });

  it('offers the images the file already uses after `image: `', () => {
    const { a, offset } = withCursor(`${DAG}  third:\n    image: |\n`, 'test.dag.yaml', true);
    const items = complete(a, offset);
    assert.deepEqual(items.map((c) => c.label).sort(), ['cdag-test/busybox:1', 'registry.example.com/rank:2']);
    assert.equal(items.find((c) => c.label === 'cdag-test/busybox:1')?.detail, 'used by 1 task of this DAG');
  });

  it('shows a dependency’s command quoted as written, so the split into arguments is visible', () => {
    const { a, offset } = cursorAfter(DAG, 'depends_on: [f', 'depends_on: [f'.length);
    const h = hover(a, offset);
    assert.ok(h, 'no hover on the dependency');
    assert.match(h.contents, /command: `\["sh", "-c", "echo a b"\]`/);
  });
});
