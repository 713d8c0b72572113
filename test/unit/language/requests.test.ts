import assert from 'node:assert/strict';
import { analyzeDag } from '../../../src/dag/analyze';
import { answer } from '../../../src/language/requests';

const TEXT = 'tasks:\n  a: {image: x}\n  b: {image: y, depends_on: [a]}\n';

describe('language requests (answered the same on the host and in the worker)', () => {
  const a = analyzeDag(TEXT);
  const offsetOf = (needle: string, shift = 0) => TEXT.lastIndexOf(needle) + shift;

  it('answers every kind of request with plain, cloneable data', () => {
    const answers = [
      answer(a, { op: 'problems' }),
      answer(a, { op: 'complete', offset: offsetOf('[a]', 1) }),
      answer(a, { op: 'hover', offset: offsetOf('[a]', 1) }),
      answer(a, { op: 'definition', offset: offsetOf('[a]', 1) }),
      answer(a, { op: 'references', offset: offsetOf('[a]', 1), includeDeclaration: true }),
      answer(a, { op: 'prepareRename', offset: offsetOf('[a]', 1) }),
      answer(a, { op: 'rename', offset: offsetOf('[a]', 1), newName: 'first' }),
      answer(a, { op: 'outline' }),
      answer(a, { op: 'graph' }),
    ];
    for (const x of answers) assert.deepEqual(structuredClone(x), x);
    const graph = answer(a, { op: 'graph' });
    assert.deepEqual(graph.graph?.edges, [{ from: 'a', to: 'b' }]);
    assert.deepEqual(
      graph.tasks.map((t) => t.id),
      ['a', 'b'],
    );
  });

  it('gives the first error instead of a graph for a file with errors', () => {
    const g = answer(analyzeDag('tasks:\n  a: {image: x, depends_on: [nope]}\n'), { op: 'graph' });
    assert.equal(g.graph, undefined);
    assert.match(g.error!, /Unknown task "nope"/);
  });
});
