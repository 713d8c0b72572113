import assert from 'node:assert/strict';
import { analyzeDag } from '../../../src/dag/analyze';
import { parseDuration } from '../../../src/dag/duration';
import { abortableSleep, MAX_TIMER_MS, setLongTimeout } from '../../../src/runner/longTimer';

describe('durations beyond Node’s timer limit', () => {
  it('chains timers, so a wait longer than one step still waits its whole length', async () => {
    // The real step is 2^31-1 ms; a 20 ms step shows the chaining in a test's time.
    const t0 = Date.now();
    await new Promise<void>((res) => setLongTimeout(res, 120, 20));
    assert.ok(Date.now() - t0 >= 115, `${Date.now() - t0} ms`);
    const fired: number[] = [];
    const t = setLongTimeout(() => fired.push(1), 60, 20);
    await new Promise((r) => setTimeout(r, 30));
    t.clear();
    await new Promise((r) => setTimeout(r, 60));
    assert.deepEqual(fired, []);
  });

  it('waits 0 ms asynchronously, so the timer can be cleared from its own callback', async () => {
    await abortableSleep(0, new AbortController().signal);
    let fired = 0;
    const t = setLongTimeout(() => {
      fired++;
      t.clear();
    }, 0);
    await new Promise((r) => setTimeout(r, 10));
    assert.equal(fired, 1);
  });

  it('never hands Node a delay above its limit for 25 days (which Node would fire at once)', () => {
    const original = global.setTimeout;
    const asked: number[] = [];
    global.setTimeout = ((fn: () => void, ms: number) => {
      asked.push(ms);
      return original(fn, 1e9);
    }) as typeof setTimeout;
    try {
      const ms = parseDuration('25d');
      assert.ok(ms.succeeded && ms.result > MAX_TIMER_MS);
      const t = setLongTimeout(() => assert.fail('fired early'), ms.succeeded ? ms.result : 0);
      t.clear();
      const abort = new AbortController();
      void abortableSleep(ms.succeeded ? ms.result : 0, abort.signal);
      abort.abort();
    } finally {
      global.setTimeout = original;
    }
    assert.ok(asked.length >= 2 && asked.every((ms) => ms <= MAX_TIMER_MS), String(asked));
  });

  it('accepts timeout and retry_delay of 25d, refuses a zero timeout and more than 3650d', () => {
    const codes = (yaml: string) => analyzeDag(yaml).problems.map((p) => `${p.code}: ${p.message}`);
    assert.deepEqual(codes('tasks:\n  a: {image: x, timeout: 25d, retry_delay: 25d}\n'), []);
    const dag = analyzeDag('tasks:\n  a: {image: x, timeout: 25d, retry_delay: 25d}\n').dag!;
    assert.equal(dag.tasks[0]!.timeoutMs, 25 * 86_400_000);
    assert.equal(dag.tasks[0]!.retryDelayMs, 25 * 86_400_000);
    assert.match(codes('tasks:\n  a: {image: x, timeout: 0s}\n').join(), /invalid-duration: A duration of zero/);
    assert.match(codes('kubernetes: {startup_timeout: 0ms}\ntasks:\n  a: {image: x}\n').join(), /invalid-duration/);
    assert.deepEqual(codes('tasks:\n  a: {image: x, retry_delay: 0s}\n'), []);
    assert.match(codes('tasks:\n  a: {image: x, timeout: 3651d}\n').join(), /longer than the maximum of 3650d/);
    assert.match(codes('tasks:\n  a: {image: x, timeout: 99999999999999999999d}\n').join(), /maximum of 3650d/);
  });
});
