import assert from 'node:assert/strict';
import { complete } from '../../../src/language/completion';
import { withCursor } from '../helpers';

const labels = (marked: string) => {
  const { a, offset } = withCursor(marked, 'test.dag.yaml', true);
  return complete(a, offset).map((c) => c.label);
};

const DAG = `params:
  host: x
volumes:
  data: {docker: /tmp/d}
tasks:
  fetch_ratings:
    image: busybox
  rank_movies:
    image: busybox
`;

describe('completion', () => {
  it('offers task ids in a flow depends_on list, without the task itself', () => {
    const l = labels(`${DAG}  report:\n    image: busybox\n    depends_on: [|]\n`);
    assert.deepEqual(l.sort(), ['fetch_ratings', 'rank_movies']);
  });

  it('offers task ids in a block depends_on list', () => {
    const l = labels(`${DAG}  report:\n    image: busybox\n    depends_on:\n      - fe|\n`);
    assert.ok(l.includes('fetch_ratings'));
  });

  it('offers task keys that are not yet present, by position', () => {
    const l = labels(`${DAG}  report:\n    image: busybox\n    |\n`);
    assert.ok(l.includes('depends_on') && l.includes('retries') && l.includes('trigger_rule'));
    assert.ok(!l.includes('image'), 'image is already there');
    assert.ok(!l.includes('schedule'), 'top-level keys are not task keys');
  });

  it('offers top-level keys at the top level', () => {
    const l = labels(`${DAG}|`);
    assert.ok(l.includes('schedule') && l.includes('defaults'));
    assert.ok(!l.includes('tasks'));
  });

  it('offers enum values after a key', () => {
    assert.ok(labels(`${DAG}    trigger_rule: |\n`).includes('none_failed_min_one_success'));
    assert.deepEqual(labels(`${DAG}    image_pull_policy: |\n`), ['Always', 'IfNotPresent', 'Never']);
    assert.ok(labels(`schedule: |\n${DAG}`).includes('@daily'));
  });

  it('offers template names, params and filters inside {{ }}', () => {
    const names = labels(`${DAG}    args: ["{{ |"]\n`);
    assert.ok(names.includes('ds') && names.includes('params.host') && names.includes('data_interval_end'));
    assert.deepEqual(labels(`${DAG}    args: ["{{ ds | |"]\n`).sort(), [
      'default',
      'ds_add',
      'ds_format',
      'eq',
      'ge',
      'gt',
      'in',
      'le',
      'length',
      'lower',
      'lt',
      'ne',
      'not',
      'sum',
      'tojson',
      'upper',
    ]);
  });

  it('offers volume names in mounts', () => {
    assert.deepEqual(labels(`${DAG}    mounts: [|]\n`), ['data']);
  });

  it('offers keys of a list item mapping (tolerations)', () => {
    const l = labels(`kubernetes:\n  tolerations:\n    - key: a\n      |\n${DAG}`);
    assert.ok(l.includes('operator') && l.includes('effect'), l.join());
    assert.ok(!l.includes('key'));
  });
});
