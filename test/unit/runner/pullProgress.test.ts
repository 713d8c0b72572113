import assert from 'node:assert/strict';
import { PullProgress } from '../../../src/runner/docker/runImages';

describe('image pull progress', () => {
  it('sums the bytes of every layer into one line at most once a second, then the final status', () => {
    let t = 0;
    const lines: string[] = [];
    const p = new PullProgress(
      (l) => lines.push(l),
      () => t,
    );
    p.push({ status: 'Pulling from library/x', id: 'latest' });
    t = 1000;
    p.push({ status: 'Downloading', id: 'l1', progressDetail: { current: 1_000_000, total: 4_000_000 } });
    t = 1200;
    p.push({ status: 'Downloading', id: 'l2', progressDetail: { current: 500_000, total: 1_000_000 } });
    t = 2100;
    p.push({ status: 'Pull complete', id: 'l2' });
    p.push({ status: 'Status: Downloaded newer image for x:latest' });
    p.end();
    assert.deepEqual(lines, [
      '1.0 of 4.0 MB (1 layer)',
      '2.0 of 5.0 MB (2 layers)',
      'Downloaded newer image for x:latest',
    ]);
  });
});
