import assert from 'node:assert/strict';
import type { RunRecord } from '../../../src/protocol/runRecord';
import { attemptLogView, focusLine } from '../../../src/runner/attemptLog';

const base = (tasks: RunRecord['tasks'], extra: Partial<RunRecord> = {}): RunRecord => ({
  version: 1,
  run_id: 'r1',
  dag: 'hello',
  logical_date: '2024-01-01T00:00:00+00:00',
  data_interval_end: '2024-01-02T00:00:00+00:00',
  backend: 'docker',
  params: {},
  state: 'failed',
  tasks,
  ...extra,
});

describe('a task log as a person reads it', () => {
  it('is titled dag › task · try · date and its header tells state, exit code, duration and container', () => {
    const r = base({
      greet: {
        state: 'failed',
        tries: 2,
        attempts: [
          { try: 1, state: 'up_for_retry', exit_code: 3, reason: 'exit code 3' },
          {
            try: 2,
            state: 'failed',
            exit_code: 1,
            reason: 'exit code 1',
            started_at: '2024-01-02T00:00:00.000Z',
            ended_at: '2024-01-02T00:00:02.500Z',
            container_id: '0123456789abcdef0123',
          },
        ],
      },
    });
    const v = attemptLogView(r, 'greet', 2);
    assert.equal(v.title, 'hello › greet · try 2 · 2024-01-01');
    assert.equal(v.header[1], 'failed · exit code 1 · 2.5 s · container 0123456789ab · try 2 of 2 · docker');
    assert.equal(v.header[2], 'reason: exit code 1');
    assert.ok(v.failed);
  });

  it('keeps an instance’s index in the title', () => {
    const r = base({
      'fetch[1]': { state: 'success', tries: 1, attempts: [{ try: 1, state: 'success', exit_code: 0 }] },
    });
    assert.equal(attemptLogView(r, 'fetch[1]', 1).title, 'hello › fetch[1] · try 1 · 2024-01-01');
  });

  it('explains a pod that never started instead of showing an empty log, with no exit code', () => {
    const r = base(
      {
        hello: {
          state: 'failed',
          tries: 1,
          attempts: [
            { try: 1, state: 'failed', reason: 'Unschedulable: 0/1 nodes are available', container_id: 'kpod-hello-1' },
          ],
        },
      },
      { backend: 'kubernetes', cluster: { context: 'kind', namespace: 'ci' } },
    );
    const v = attemptLogView(r, 'hello', 1);
    assert.equal(v.header[1], 'failed · pod kpod-hello-1 · kind/ci');
    assert.doesNotMatch(v.header.join('\n'), /exit code/);
    assert.equal(v.empty, '(no log: the container never started — Unschedulable: 0/1 nodes are available)');
  });

  it('says a pending attempt is pending, with the cluster’s reason', () => {
    const r = base({
      hello: {
        state: 'running',
        tries: 1,
        attempts: [{ try: 1, state: 'running', phase: 'pending', pending_reason: 'ContainerCreating' }],
      },
    });
    const v = attemptLogView(r, 'hello', 1);
    assert.match(v.header[1]!, /^pending \(not started\)/);
    assert.equal(v.header[2], 'reason: ContainerCreating');
  });

  it('opens a failed log at its first line that says error, else at its first stderr line; any other log at its end', () => {
    const lines = ['  starting', 'E warming up', '  Traceback (most recent call last):', 'E boom'];
    assert.equal(focusLine(lines, true), 2);
    assert.equal(focusLine(['  a', 'E b', '  c'], true), 1);
    assert.equal(focusLine(lines, false), 3);
    assert.equal(focusLine([], true), 0);
  });
});
