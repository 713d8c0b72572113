import assert from 'node:assert/strict';
import type { V1Pod } from '@kubernetes/client-node';
import { withRetry } from '../../../../src/runner/kubernetes/apiErrors';
import { summarizeEvents } from '../../../../src/runner/kubernetes/podAttempt';
import { LogCursor } from '../../../../src/runner/kubernetes/logCursor';
import { containerStarted, podVerdict } from '../../../../src/runner/kubernetes/podStatus';

const pod = (status: V1Pod['status']): V1Pod => ({ status });
const waiting = (reason: string, message?: string): V1Pod['status'] => ({
  phase: 'Pending',
  containerStatuses: [
    {
      name: 'task',
      image: 'x',
      imageID: '',
      ready: false,
      restartCount: 0,
      state: { waiting: { reason, ...(message ? { message } : {}) } },
    },
  ],
});
const terminated = (exitCode: number, reason: string, podReason?: string): V1Pod['status'] => ({
  phase: exitCode === 0 ? 'Succeeded' : 'Failed',
  ...(podReason ? { reason: podReason } : {}),
  containerStatuses: [
    {
      name: 'task',
      image: 'x',
      imageID: '',
      ready: false,
      restartCount: 0,
      state: { terminated: { exitCode, reason } },
    },
  ],
});

describe('pod status → attempt verdict', () => {
  it('fails at once on image pull errors, with the cluster’s message', () => {
    for (const reason of ['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull']) {
      const v = podVerdict(pod(waiting(reason, 'pull access denied')));
      assert.deepEqual(v, { kind: 'fail-fast', reason: `${reason}: pull access denied` });
    }
  });

  it('keeps waiting, with the reason shown, on Unschedulable and CreateContainerConfigError', () => {
    assert.deepEqual(
      podVerdict(
        pod({
          phase: 'Pending',
          conditions: [
            {
              type: 'PodScheduled',
              status: 'False',
              reason: 'Unschedulable',
              message: '0/1 nodes are available: 1 Insufficient cpu.',
            },
          ],
        }),
      ),
      { kind: 'pending', reason: 'Unschedulable: 0/1 nodes are available: 1 Insufficient cpu.' },
    );
    assert.deepEqual(podVerdict(pod(waiting('CreateContainerConfigError', 'secret "x" not found'))), {
      kind: 'pending',
      reason: 'CreateContainerConfigError: secret "x" not found',
    });
    assert.deepEqual(podVerdict(pod(waiting('ContainerCreating'))), { kind: 'pending' });
  });

  it('reads exit code and reason from the container: Completed, Error, OOMKilled, DeadlineExceeded, Evicted', () => {
    assert.deepEqual(podVerdict(pod(terminated(0, 'Completed'))), { kind: 'done', exitCode: 0 });
    assert.deepEqual(podVerdict(pod(terminated(2, 'Error'))), { kind: 'done', exitCode: 2 });
    assert.match((podVerdict(pod(terminated(137, 'OOMKilled'))) as { reason: string }).reason, /^OOMKilled/);
    assert.match(
      (podVerdict(pod(terminated(137, 'Error', 'DeadlineExceeded'))) as { reason: string }).reason,
      /^DeadlineExceeded/,
    );
    assert.deepEqual(
      podVerdict(pod({ phase: 'Failed', reason: 'Evicted', message: 'The node was low on resource: memory.' })),
      {
        kind: 'done',
        exitCode: -1,
        // No container status tells that it ran: no exit code is recorded (the attempt knows if it saw one start).
        neverStarted: true,
        reason: 'Evicted: The node was low on resource: memory.',
      },
    );
  });

  it('says the container started only once it runs or ran (never follow a Pending pod’s log)', () => {
    assert.equal(containerStarted(pod(waiting('ContainerCreating'))), false);
    assert.equal(containerStarted(pod(terminated(0, 'Completed'))), true);
  });

  it('summarizes the warning events, newest last, with their counts', () => {
    const s = summarizeEvents([
      { metadata: {}, involvedObject: {}, type: 'Normal', reason: 'Scheduled', message: 'ok' },
      {
        metadata: {},
        involvedObject: {},
        type: 'Warning',
        reason: 'Failed',
        message: 'Failed to pull image',
        count: 3,
        lastTimestamp: new Date('2024-01-01T00:00:02Z'),
      },
      {
        metadata: {},
        involvedObject: {},
        type: 'Warning',
        reason: 'BackOff',
        message: 'Back-off pulling image',
        lastTimestamp: new Date('2024-01-01T00:00:05Z'),
      },
    ]);
    assert.equal(s, 'Failed: Failed to pull image (x3); BackOff: Back-off pulling image');
  });
});

describe('resuming a followed Kubernetes log (test 25)', () => {
  it('drops what a resumed stream replays and keeps what is new, also at the same second', () => {
    const c = new LogCursor();
    const got: string[] = [];
    const feed = (lines: string[]) => {
      for (const l of lines) {
        const r = c.accept(l);
        if (r.take) got.push(r.text);
      }
    };
    feed(['2024-01-01T00:00:01.100000000Z a', '2024-01-01T00:00:02.000000001Z b', '2024-01-01T00:00:02.000000001Z c']);
    assert.equal(c.since(), '2024-01-01T00:00:02Z');
    c.resume();
    // The API replays from the second: the lines already taken come again, then new ones.
    feed([
      '2024-01-01T00:00:02.000000001Z b',
      '2024-01-01T00:00:02.000000001Z c',
      '2024-01-01T00:00:02.000000001Z d',
      '2024-01-01T00:00:03.5Z e',
    ]);
    assert.deepEqual(got, ['a', 'b', 'c', 'd', 'e']);
  });
});

describe('retrying Kubernetes API calls (fault test 20)', () => {
  const failing = (errors: unknown[]) => {
    let calls = 0;
    const fn = () => {
      const e = errors[calls++];
      return e === undefined ? Promise.resolve(calls) : Promise.reject(e);
    };
    return { fn, calls: () => calls };
  };

  it('waits as long as a 429 Retry-After says, then succeeds', async () => {
    const f = failing([{ code: 429, headers: { 'retry-after': '1' } }]);
    const t0 = Date.now();
    assert.equal(await withRetry(f.fn), 2);
    assert.ok(Date.now() - t0 >= 950, `waited ${Date.now() - t0} ms`);
  });

  it('retries 5xx and network errors at most 5 times in all', async () => {
    const f = failing(Array.from({ length: 9 }, () => ({ code: 503 })));
    await assert.rejects(withRetry(f.fn, 5, 1), { code: 503 });
    assert.equal(f.calls(), 5);
    const net = failing([new Error('ECONNRESET')]);
    assert.equal(await withRetry(net.fn, 5, 1), 2);
  });

  it('reads the credentials again once after a 401, and gives up on a second', async () => {
    let refreshes = 0;
    const once = failing([{ code: 401 }]);
    assert.equal(await withRetry(once.fn, 5, 1, () => void refreshes++), 2);
    assert.equal(refreshes, 1);
    const twice = failing([{ code: 401 }, { code: 401 }]);
    await assert.rejects(
      withRetry(twice.fn, 5, 1, () => void refreshes++),
      { code: 401 },
    );
    assert.equal(twice.calls(), 2);
  });

  it('never retries what waiting cannot fix: 403, 404, 409, 422', async () => {
    for (const code of [403, 404, 409, 422]) {
      const f = failing([{ code }]);
      await assert.rejects(withRetry(f.fn, 5, 1), { code });
      assert.equal(f.calls(), 1);
    }
  });
});
