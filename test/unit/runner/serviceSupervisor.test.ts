import assert from 'node:assert/strict';
import { analyzeDag } from '../../../src/dag/analyze';
import { AsyncQueue } from '../../../src/runner/asyncQueue';
import type { LogLine, ServiceBackend, ServiceHandle, ServiceSpec } from '../../../src/runner/backend';
import { ServiceSupervisor } from '../../../src/runner/serviceSupervisor';
import { runContext } from '../../../src/runner/taskOutcome';
import { fail, ok } from '../../../src/util/errorable';
import type { ServiceRecord } from '../../../src/protocol/runRecord';
import { DAY_INTERVAL, discardingSink } from '../../support/scriptedBackend';

const dag = analyzeDag(
  `services:
  db: {image: postgres, command: [run, "{{ ds }}"], env: {WHEN: "{{ ds_nodash }}"}, secrets: {PW: db-pw}, ready: {tcp: 5432}}
tasks:
  a: {image: x, services: [db]}
  b: {image: x, services: [db]}
  c: {image: x}
`,
  'x.dag.yaml',
).dag!;

/** A backend whose services are scripted: `readyAs` decides readiness, `lines` what the service logs. */
function fakeBackend(readyAs: 'ok' | 'exit' | 'exit-after-ready', lines: string[] = []) {
  const started: ServiceSpec[] = [];
  const stopped: string[] = [];
  const ended: string[] = [];
  const backend: ServiceBackend = {
    startService: async (spec) => {
      started.push(spec);
      const logs = new AsyncQueue<LogLine>();
      for (const line of lines) logs.push({ stream: 'stdout', line });
      logs.end();
      const handle: ServiceHandle = {
        id: `svc-${spec.service.name}`,
        logs,
        ready: async () =>
          readyAs === 'exit' ? fail(`service "${spec.service.name}" exited with code 3`) : ok(undefined),
        exited: () => (readyAs === 'ok' ? undefined : 3),
        stop: async () => void stopped.push(spec.service.name),
      };
      return ok(handle);
    },
    endServices: async (runId) => void ended.push(runId),
  };
  return { backend, started, stopped, ended };
}

const supervisor = (
  backend: ServiceBackend,
  records: Array<[string, ServiceRecord]> = [],
  ended: (taskId: string) => boolean = () => false,
) =>
  new ServiceSupervisor({
    dag,
    runId: 'r1',
    backend,
    secretValues: { 'db-pw': 's3cret' },
    mask: (l) => l,
    sink: discardingSink,
    context: runContext(dag.tasks[0]!, { dag, runId: 'r1', interval: DAY_INTERVAL } as never, new Map()),
    changed: (name, r) => records.push([name, r]),
    note: () => undefined,
    ended,
  });

describe('the services of a run', () => {
  it('starts a service once for every task that needs it, rendered with the run’s names and its secrets', async () => {
    const f = fakeBackend('ok');
    const s = supervisor(f.backend);
    const signal = new AbortController().signal;
    assert.ok((await s.ensure(dag.tasks[0]!, signal)).succeeded);
    assert.ok((await s.ensure(dag.tasks[1]!, signal)).succeeded);
    assert.equal(f.started.length, 1);
    assert.deepEqual(f.started[0]!.service.command, ['run', '2024-01-02']);
    assert.deepEqual({ ...f.started[0]!.service.env }, { WHEN: '20240102' });
    assert.deepEqual({ ...f.started[0]!.secrets }, { PW: 's3cret' });
  });

  it('stops a service when the last task that needs it ends, and ends the run’s services once; its record goes starting → ready → stopped', async () => {
    const f = fakeBackend('ok');
    const records: Array<[string, ServiceRecord]> = [];
    const s = supervisor(f.backend, records);
    await s.ensure(dag.tasks[0]!, new AbortController().signal);
    await s.release('a');
    assert.deepEqual(f.stopped, [], 'b still needs it');
    await s.release('c');
    await s.release('b');
    assert.deepEqual(f.stopped, ['db']);
    await s.stopAll();
    assert.deepEqual(f.ended, ['r1']);
    assert.deepEqual([...new Set(records.map(([, r]) => r.state))], ['starting', 'ready', 'stopped']);
    const last = records.at(-1)![1];
    assert.deepEqual(
      { ...last, started_at: 0, ready_at: 0, ended_at: 0 },
      {
        state: 'stopped',
        tasks: ['a', 'b'],
        started_at: 0,
        ready_at: 0,
        ended_at: 0,
        log_file: 'service.db/1.log',
        container_id: 'svc-db',
      },
    );
  });

  it('stops a service after the last task that will run: a task kept from an earlier run holds none', async () => {
    const f = fakeBackend('ok');
    const records: Array<[string, ServiceRecord]> = [];
    const s = supervisor(f.backend, records, (id) => id === 'b');
    await s.ensure(dag.tasks[0]!, new AbortController().signal);
    await s.release('a');
    assert.deepEqual(f.stopped, ['db']);
    assert.deepEqual(records.at(-1)![1].tasks, ['a']);
  });

  it('fails the next task that needs a service which was ready and has exited since, and the record keeps the failure after the stop', async () => {
    const f = fakeBackend('exit-after-ready', ['bye']);
    const records: Array<[string, ServiceRecord]> = [];
    const s = supervisor(f.backend, records);
    const r = await s.ensure(dag.tasks[1]!, new AbortController().signal);
    assert.ok(!r.succeeded);
    assert.equal(r.error, 'service "db" exited with code 3; its last lines:\nbye');
    await s.stopAll();
    const last = records.at(-1)![1];
    assert.equal(last.state, 'failed');
    assert.equal(last.exit_code, 3);
    assert.ok(last.ended_at);
  });

  it('fails a task whose service exits, quoting its last lines; starts nothing for a run with no service started', async () => {
    const f = fakeBackend('exit', ['starting', 'FATAL: no space left on device']);
    const s = supervisor(f.backend);
    const r = await s.ensure(dag.tasks[0]!, new AbortController().signal);
    assert.ok(!r.succeeded);
    assert.equal(r.error, 'service "db" exited with code 3; its last lines:\nstarting\nFATAL: no space left on device');
    const idle = fakeBackend('ok');
    await supervisor(idle.backend).stopAll();
    assert.deepEqual(idle.ended, [], 'no network to remove when no service started');
  });
});
