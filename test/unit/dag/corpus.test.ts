import assert from 'node:assert/strict';
import { analyzeDag } from '../../../src/dag/analyze';
import { codesAtLines, errors, fixtureFiles } from '../helpers';

describe('DAG corpus', () => {
  describe('valid files have no errors', () => {
    for (const f of fixtureFiles('valid')) {
      it(`${f.name} validates without errors and builds a model`, () => {
        const a = analyzeDag(f.text, f.name);
        assert.deepEqual(errors(a), []);
        assert.ok(a.dag && a.dag.tasks.length > 0);
      });
    }
  });

  describe('each invalid file reports the code on the line it declares', () => {
    for (const f of fixtureFiles('invalid')) {
      const header = /^# expect: (.+)$/m.exec(f.text);
      it(`${f.name} → ${header?.[1] ?? '(no expectation)'}`, () => {
        assert.ok(header, 'fixture must start with "# expect: code@line"');
        const a = analyzeDag(f.text, f.name);
        const found = codesAtLines(a);
        for (const want of header[1]!.trim().split(/\s+/))
          assert.ok(found.includes(want), `${want} not in ${found.join(', ')}`);
        assert.ok(
          a.problems.every((p) => p.message.length > 20),
          'every message explains itself',
        );
      });
    }
  });
});
