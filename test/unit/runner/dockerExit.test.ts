import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import { DockerAttempt } from '../../../src/runner/docker/dockerAttempt';

/**
 * Docker 20.10 sometimes never answers a `next-exit` wait for a container that ends within
 * milliseconds (seen in the benchmark: FinishedAt before StartedAt, the run hung). Docker cannot be
 * made to do that on demand, so the container here is a stand-in with exactly that behaviour.
 */
function container(opts: { logEndsAfterMs: number; notRunning: () => Promise<{ StatusCode: number }> }) {
  const waits: string[] = [];
  const c = {
    id: 'c1',
    logs: async () => {
      const s = new PassThrough();
      setTimeout(() => s.end(), opts.logEndsAfterMs);
      return s;
    },
    wait: (o: { condition: string }) => {
      waits.push(o.condition);
      return opts.notRunning();
    },
    inspect: async () => ({ State: { OOMKilled: false } }),
  };
  return { c: c as unknown as Docker.Container, waits };
}

describe('the exit of a Docker attempt', () => {
  it('is found by a not-running wait after the log ends when the next-exit wait never answers', async () => {
    const { c, waits } = container({ logEndsAfterMs: 10, notRunning: async () => ({ StatusCode: 3 }) });
    const never = new Promise<{ StatusCode: number }>(() => undefined);
    const attempt = new DockerAttempt(c, never, (l) => l, undefined, false);
    const exit = await attempt.wait();
    assert.equal(exit.exitCode, 3);
    assert.deepEqual(waits, ['not-running']);
  });

  it('asks no second time when the next-exit wait answers', async () => {
    const { c, waits } = container({ logEndsAfterMs: 10, notRunning: async () => ({ StatusCode: 9 }) });
    const attempt = new DockerAttempt(c, Promise.resolve({ StatusCode: 0 }), (l) => l, undefined, false);
    assert.equal((await attempt.wait()).exitCode, 0);
    await new Promise((r) => setTimeout(r, 700));
    assert.deepEqual(waits, []);
  });
});
