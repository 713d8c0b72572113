import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument, visit, type Scalar } from 'yaml';
import { stringValue, valueOffset, valueSpanToSource } from '../../../src/dag/yamlNodes';

function stringScalars(text: string): Scalar[] {
  const out: Scalar[] = [];
  visit(parseDocument(text, { uniqueKeys: false }), {
    Scalar(_key, node) {
      if (typeof node.value === 'string') out.push(node);
    },
  });
  return out;
}

function dagFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? dagFiles(join(dir, e.name)) : /\.ya?ml$/.test(e.name) ? [join(dir, e.name)] : [],
  );
}

describe('reading scalars from the source', () => {
  it('gives the value yaml decodes for every kind of string scalar, escapes and folds included', () => {
    const text = [
      'plain: a b {{ x }}',
      'dq: "{{ tasks.a.outputs.rows }}"',
      'escaped: "tab\\there \\"q\\" \\u00e9 \\0"',
      'folded: "one',
      '  two"',
      'crlf: "x\\\r\n  y"',
      "single: 'it''s {{ y }}'",
      'block: |',
      '  line {{ z }}',
      'empty: ""',
      'list: ["{{ a }}", \'b\', c]',
      'unclosed: "abc',
    ].join('\n');
    const scalars = stringScalars(text);
    assert.ok(scalars.length >= 11);
    for (const n of scalars) assert.equal(stringValue(n, text), n.value, `scalar at ${String(n.range?.[0])}`);
  });

  it('agrees with yaml on every string in the fixtures and examples', () => {
    const files = [...dagFiles('test/fixtures'), ...dagFiles('examples')];
    let checked = 0;
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      for (const n of stringScalars(text)) {
        assert.equal(stringValue(n, text), n.value, `${f} at ${String(n.range?.[0])}`);
        checked++;
      }
    }
    assert.ok(checked > 500, `only ${checked} strings checked`);
  });

  it('maps a span inside a quoted value to the source, and an escaped value to the whole scalar', () => {
    const text = 'a: "x {{ y }}"\nb: "\\t{{ y }}"\n';
    const [, a, , b] = stringScalars(text);
    assert.equal(valueOffset(a!, text), 4);
    assert.deepEqual(valueSpanToSource(a!, text, 2, 9), { start: 6, end: 13 });
    assert.equal(text.slice(6, 13), '{{ y }}');
    assert.equal(valueOffset(b!, text), undefined);
    assert.deepEqual(valueSpanToSource(b!, text, 1, 8), { start: b!.range![0], end: b!.range![1] });
  });
});
