import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { connectDocker } from '../../../src/runner/docker/connect';
import type { LogLine } from '../../../src/runner/backend';
import { renderTask } from '../../../src/runner/renderTask';
import { DockerBackend } from '../../../src/runner/docker/dockerBackend';
import { followLogs } from '../../../src/runner/docker/dockerAttempt';
import { LABELS, MANAGED_BY } from '../../../src/dag/labels';
import { TEST_IMAGE, containersOf, dagOf, dockerOrFail, ensureTestImage, startRun } from './dockerEnv';

describe('runs on a real Docker Engine', function () {
  this.timeout(120_000);
  let docker: Docker;

  before(async () => {
    docker = await dockerOrFail();
    ensureTestImage();
  });

  it('runs a chain in order, with templates rendered and stdout/stderr kept apart, and removes its containers', async () => {
    const dag = dagOf(`tasks:
  a: {image: $IMAGE, image_pull_policy: Never, command: [sh, -c, 'echo "a {{ ds }}"; echo oops >&2']}
  b: {image: $IMAGE, image_pull_policy: Never, command: [sh, -c, 'echo b'], depends_on: [a]}
  c: {image: $IMAGE, image_pull_policy: Never, command: [sh, -c, 'echo c'], depends_on: [b]}
`);
    const { done, store, runId } = startRun(docker, dag);
    const r = await done;
    assert.equal(r.state, 'success');
    const t = (id: string) => r.tasks[id]!;
    assert.ok(t('a').ended_at! <= t('b').started_at! && t('b').ended_at! <= t('c').started_at!);
    const log = readFileSync(join(store.runDir(runId), t('a').attempts[0]!.log_file!), 'utf8');
    // Order is kept within each stream; stdout and stderr are separate pipes, so not across them.
    assert.deepEqual(log.split('\n').sort(), ['', '  a 2024-01-01', 'E oops']);
    assert.deepEqual(await containersOf(docker, runId), []);
  });

  it('fans out and in without ever exceeding max_active_tasks', async () => {
    const fan = Array.from(
      { length: 6 },
      (_, i) => `  w${i}: {image: $IMAGE, image_pull_policy: Never, command: [sleep, '0.6'], depends_on: [start]}`,
    ).join('\n');
    const dag = dagOf(`max_active_tasks: 2
tasks:
  start: {image: $IMAGE, image_pull_policy: Never, command: ['true']}
${fan}
  end: {image: $IMAGE, image_pull_policy: Never, command: ['true'], depends_on: [w0, w1, w2, w3, w4, w5]}
`);
    let running = 0;
    let peak = 0;
    const { done } = startRun(docker, dag, {}, (e) => {
      if (e.type !== 'task-state') return;
      if (e.state === 'running') peak = Math.max(peak, ++running);
      else if (['success', 'failed', 'cancelled'].includes(e.state)) running--;
    });
    const r = await done;
    assert.equal(r.state, 'success');
    assert.equal(peak, 2);
  });

  it('follows each of the eight trigger rules after one success and one failure upstream', async () => {
    const rule = (r: string) =>
      `  ${r}: {image: $IMAGE, image_pull_policy: Never, command: ['true'], depends_on: [ok, bad], trigger_rule: ${r}}`;
    const dag = dagOf(`tasks:
  ok: {image: $IMAGE, image_pull_policy: Never, command: ['true']}
  bad: {image: $IMAGE, image_pull_policy: Never, command: [sh, -c, 'exit 1']}
${['all_success', 'all_failed', 'all_done', 'one_success', 'one_failed', 'none_failed', 'none_failed_min_one_success', 'always'].map(rule).join('\n')}
`);
    const r = await startRun(docker, dag).done;
    const states = Object.fromEntries(Object.entries(r.tasks).map(([id, t]) => [id, t.state]));
    // Airflow's meanings: a failed upstream fails all_success and the none_failed rules, skips all_failed.
    assert.deepEqual(states, {
      ok: 'success',
      bad: 'failed',
      all_success: 'upstream_failed',
      all_failed: 'skipped',
      all_done: 'success',
      one_success: 'success',
      one_failed: 'success',
      none_failed: 'upstream_failed',
      none_failed_min_one_success: 'upstream_failed',
      always: 'success',
    });
  });

  it('retries a failed attempt, which then succeeds', async () => {
    const dag = dagOf(`tasks:
  flaky: {image: $IMAGE, image_pull_policy: Never, retries: 2, retry_delay: 100ms, command: [sh, -c, '[ "{{ try_number }}" = 2 ] || exit 3']}
`);
    const r = await startRun(docker, dag).done;
    assert.equal(r.state, 'success');
    assert.deepEqual(
      r.tasks.flaky!.attempts.map((a) => [a.state, a.exit_code]),
      [
        ['failed', 3],
        ['success', 0],
      ],
    );
  });

  it('kills an attempt at its timeout and leaves no container', async () => {
    const dag = dagOf(`tasks:
  slow: {image: $IMAGE, image_pull_policy: Never, timeout: 1s, command: [sleep, '60']}
`);
    const t0 = Date.now();
    const { done, runId } = startRun(docker, dag);
    const r = await done;
    assert.equal(r.tasks.slow!.state, 'failed');
    assert.match(r.tasks.slow!.reason!, /timeout after 1s/);
    assert.ok(Date.now() - t0 < 1000 + 1000 + 5000, 'stopped within timeout + grace + 5 s');
    assert.deepEqual(await containersOf(docker, runId), []);
  });

  it('cancel of a running run stops and removes its containers, and no retry follows', async () => {
    const dag = dagOf(`tasks:
  a: {image: $IMAGE, image_pull_policy: Never, retries: 3, command: [sleep, '60']}
  b: {image: $IMAGE, image_pull_policy: Never, command: [sleep, '60']}
  c: {image: $IMAGE, image_pull_policy: Never, command: ['true'], depends_on: [a]}
`);
    let bothRunning!: () => void;
    const started = new Promise<void>((res) => (bothRunning = res));
    let n = 0;
    const { engine, done, runId } = startRun(docker, dag, {}, (e) => {
      if (e.type === 'task-state' && e.state === 'running' && ++n === 2) bothRunning();
    });
    await started;
    await new Promise((r) => setTimeout(r, 300));
    // a's and b's containers; c's may be there too, created ahead while a runs but never started.
    const all = await containersOf(docker, runId);
    const task = (c: (typeof all)[number]) => /-(a|b|c)-[^-]+-\d+$/.exec(c.Names[0] ?? '')?.[1];
    assert.deepEqual(
      all
        .map(task)
        .filter((t) => t !== 'c')
        .sort(),
      ['a', 'b'],
    );
    assert.ok(all.filter((c) => task(c) === 'c').every((c) => c.State === 'created'));
    const t0 = Date.now();
    engine.cancel();
    const r = await done;
    assert.ok(Date.now() - t0 < 1000 + 5000, `cancel took ${Date.now() - t0} ms`);
    assert.equal(r.state, 'cancelled');
    assert.deepEqual([r.tasks.a!.state, r.tasks.b!.state, r.tasks.c!.state], ['cancelled', 'cancelled', 'cancelled']);
    assert.equal(r.tasks.a!.tries, 1);
    assert.deepEqual(await containersOf(docker, runId), []);
  });

  it('reports an out-of-memory kill as OOMKilled', async () => {
    const dag = dagOf(`tasks:
  hog: {image: $IMAGE, image_pull_policy: Never, resources: {memory: 8Mi}, command: [sh, -c, 'x=$(head -c 64000000 /dev/zero | tr "\\\\0" a); echo done']}
`);
    const r = await startRun(docker, dag).done;
    assert.equal(r.tasks.hog!.state, 'failed');
    assert.match(r.tasks.hog!.reason!, /OOMKilled/);
  });

  it('fails a task whose image is missing with image_pull_policy Never, saying how to fix it', async () => {
    const dag = dagOf('tasks:\n  t: {image: cdag-test/does-not-exist:1, image_pull_policy: Never}\n');
    const { done, runId } = startRun(docker, dag);
    const r = await done;
    assert.equal(r.tasks.t!.state, 'failed');
    assert.match(r.tasks.t!.reason!, /not on this Docker Engine.*Never.*docker build/);
    assert.deepEqual(await containersOf(docker, runId), []);
  });

  it('names the cause and the fix when the daemon is unreachable', async () => {
    const r = await connectDocker('unix:///tmp/no-such-docker.sock');
    assert.ok(!r.succeeded);
    assert.match(r.error, /No Docker Engine at unix:\/\/\/tmp\/no-such-docker.sock.*Start Docker/);
  });

  it('delivers 5 MB of output complete and in order', async () => {
    const dag = dagOf(`tasks:
  loud: {image: $IMAGE, image_pull_policy: Never, command: [sh, -c, 'seq 1 700000']}
`);
    let expected = 1;
    let bad = 0;
    const { done } = startRun(docker, dag, {}, (e) => {
      if (e.type === 'log') {
        if (Number(e.line) !== expected) bad++;
        expected++;
      }
    });
    const r = await done;
    assert.equal(r.state, 'success');
    assert.equal(bad, 0);
    assert.equal(expected - 1, 700000);
  });

  it('never writes a secret to logs or the run record', async () => {
    const dag = dagOf(`tasks:
  t: {image: $IMAGE, image_pull_policy: Never, secrets: {TOKEN: api-token}, command: [sh, -c, 'echo "token=$TOKEN"; printf "%s" "$TOKEN" | cut -c1-4; printf "%s\\n" "$TOKEN$TOKEN"']}
`);
    const { done, store, runId } = startRun(docker, dag, { secretValues: { 'api-token': 'pa55-w0rd-xyz' } });
    const r = await done;
    assert.equal(r.state, 'success');
    const log = readFileSync(join(store.runDir(runId), r.tasks.t!.attempts[0]!.log_file!), 'utf8');
    assert.ok(!log.includes('pa55-w0rd-xyz'), log);
    assert.match(log, /token=\*\*\*/);
    assert.ok(!readFileSync(join(store.runDir(runId), 'record.json'), 'utf8').includes('pa55-w0rd-xyz'));
  });

  it('refuses to mount the Docker socket unless allowed for this run, and mounts it when allowed', async () => {
    const dag = dagOf(`tasks:
  t: {image: $IMAGE, image_pull_policy: Never, command: ['true'], mounts: ['/var/run/docker.sock:/var/run/docker.sock']}
`);
    const r = await startRun(docker, dag).done;
    assert.equal(r.tasks.t!.state, 'failed');
    assert.match(r.tasks.t!.reason!, /Docker socket.*not allowed for this run/);
    const allowed = await startRun(docker, dag, {
      backend: new DockerBackend(docker, dag, { allowedHostPaths: new Set(['/var/run/docker.sock']) }),
    }).done;
    assert.equal(allowed.state, 'success', 'an existing socket is mounted as it is');
  });

  it('refuses host networking unless allowed for this run, and runs it when allowed', async () => {
    const dag = dagOf(`tasks:
  t: {image: $IMAGE, image_pull_policy: Never, command: ['true'], network: host}
`);
    const refused = await startRun(docker, dag).done;
    assert.match(refused.tasks.t!.reason!, /host.s network.*not allowed for this run/);
    const allowed = await startRun(docker, dag, { backend: new DockerBackend(docker, dag, { allowHostNetwork: true }) })
      .done;
    assert.equal(allowed.state, 'success');
  });

  it("passes a TTY container's output through raw, with no frame headers to strip (test 23)", async () => {
    const c = await docker.createContainer({
      Image: TEST_IMAGE,
      Cmd: ['sh', '-c', 'echo "héllo"; echo world >&2'],
      Tty: true,
      Labels: { [LABELS.managedBy]: MANAGED_BY },
    });
    try {
      await c.start();
      await c.wait();
      const lines: LogLine[] = [];
      await followLogs(
        c,
        (l) => l,
        (l) => lines.push(l),
        { tty: true },
      );
      // A TTY has one stream; the terminal's \r\n line ends are taken as line ends.
      assert.deepEqual(lines, [
        { stream: 'stdout', line: 'héllo' },
        { stream: 'stdout', line: 'world' },
      ]);
    } finally {
      await c.remove({ force: true });
    }
  });

  it('stopping, removing or collecting an attempt that is already gone counts as done (test 21)', async () => {
    const dag = dagOf(`tasks:
  t: {image: $IMAGE, image_pull_policy: Never, command: ['true']}
`);
    const backend = new DockerBackend(docker, dag);
    const rendered = renderTask(dag, dag.tasks[0]!, {
      runId: 'it__gone',
      tryNumber: 1,
      interval: { start: new Date('2024-01-01T00:00:00Z'), end: new Date('2024-01-02T00:00:00Z') },
    });
    assert.ok(rendered.succeeded);
    const started = await backend.start(
      { dagId: dag.id, runId: 'it__gone', tryNumber: 1, rendered: rendered.result, secrets: {}, mask: (l) => l },
      new AbortController().signal,
    );
    assert.ok(started.succeeded);
    const h = started.result;
    for await (const line of h.logs) void line;
    assert.equal((await h.wait()).exitCode, 0);
    await docker.getContainer(h.id).remove({ force: true });
    await h.kill(1000);
    await h.cleanup(false);
    await h.cleanup(false);
    const collected = await backend.collect(new Set(['it__gone']));
    assert.deepEqual(collected, { succeeded: true, result: 0 });
  });
});
