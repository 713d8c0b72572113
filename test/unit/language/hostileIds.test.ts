import assert from 'node:assert/strict';
import { analyzeDag } from '../../../src/dag/analyze';
import { complete } from '../../../src/language/completion';
import { hover } from '../../../src/language/hover';
import { references, rename } from '../../../src/language/navigation';
import { outline } from '../../../src/language/outline';

describe('the language service on keys and ids named like Object.prototype members', () => {
  it('answers completion, hover, references and rename at every offset without throwing', () => {
    const text = `constructor: 1\n__proto__:\n  a: 1\nparams: {toString: p}\ntasks:\n  constructor: {image: x, toString: 2, command: '{{ constructor }} {{ params.toString }} {{ env.__proto__ }} {{ ds | valueOf }}'}\n  __proto__: {image: x, depends_on: [constructor]}\n  valueOf: {image: x, depends_on: [__proto__, hasOwnProperty]}\n`;
    const a = analyzeDag(text);
    for (let i = 0; i <= text.length; i++) {
      complete(a, i);
      hover(a, i);
      references(a, i);
      rename(a, i, 'renamed');
    }
    assert.deepEqual(
      a.problems.map((p) => p.code),
      ['unknown-key', 'unknown-key', 'unknown-key', 'template-unknown-name', 'template-unknown-filter', 'unknown-task'],
    );
    assert.deepEqual(
      outline(a)
        .find((o) => o.name === 'tasks')
        ?.children?.map((c) => c.name),
      ['constructor', '__proto__', 'valueOf'],
    );
    const at = text.indexOf('__proto__, hasOwn');
    assert.deepEqual(
      references(a, at).map((r) => text.slice(r.start, r.end)),
      ['__proto__', '__proto__'],
    );
  });
});
