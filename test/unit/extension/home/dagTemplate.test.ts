import assert from 'node:assert/strict';
import { analyzeDag } from '../../../../src/dag/analyze';
import { dagIdFromName, isBlank, starterSnippet, starterText } from '../../../../src/extension/home/dagTemplate';

describe('the starter DAG of "New DAG File" and of an empty file', () => {
  it('is a valid DAG with no problem at all, its id taken from the name', () => {
    const a = analyzeDag(starterText('weekly_report'), 'weekly_report.dag.yaml');
    assert.deepEqual(
      a.problems.map((p) => p.message),
      [],
    );
    assert.equal(a.dag?.id, 'weekly_report');
    assert.deepEqual(
      a.dag?.tasks.map((t) => [t.id, t.dependsOn]),
      [
        ['extract', []],
        ['report', ['extract']],
      ],
    );
  });

  it('keeps $CDAG_OUTPUT a literal dollar in snippet syntax, so the editor does not read it as a variable', () => {
    assert.match(starterSnippet('x'), /\\\$CDAG_OUTPUT/);
    assert.match(starterText('x'), /> "\$CDAG_OUTPUT"/);
    assert.doesNotMatch(starterText('x'), /\$\{\d/);
  });

  it('makes a DAG id from what the user typed', () => {
    assert.equal(dagIdFromName('My Pipeline'), 'my_pipeline');
    assert.equal(dagIdFromName('etl.dag.yaml'), 'etl');
    assert.equal(dagIdFromName('  --  '), 'my_dag');
  });

  it('counts a file of blank lines and comments as blank, and one with a key as not', () => {
    assert.ok(isBlank(''));
    assert.ok(isBlank('\n  \n# a note\n   # another\n'));
    assert.ok(!isBlank('dag: x\n'));
    assert.ok(!isBlank('# note\ntasks:\n'));
  });

  // A backtracking pattern took 90 s on 28 such characters; this ends within the test's timeout.
  it('tells a long run of blank lines ending in text from a blank file, linearly', () => {
    assert.ok(!isBlank(`${' \n'.repeat(200_000)}x`));
    assert.ok(isBlank(`${' \n# c\n'.repeat(200_000)}`));
  });
});
