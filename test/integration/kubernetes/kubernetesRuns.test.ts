import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeDag } from '../../../src/dag/analyze';
import type { Dag } from '../../../src/dag/model';
import type { RunEvent } from '../../../src/protocol/runEvents';
import { connectKubernetes } from '../../../src/runner/kubernetes/connect';
import { clusterSecretValues } from '../../../src/runner/kubernetes/clusterSecrets';
import { KubernetesBackend } from '../../../src/runner/kubernetes/kubernetesBackend';
import { renderTask } from '../../../src/runner/renderTask';
import type { Cluster } from '../../../src/runner/kubernetes/connect';
import { TEST_IMAGE, ensureTestImage } from '../docker/dockerEnv';
import {
  NAMESPACE,
  clusterOrFail,
  deletePodsOf,
  ensureNamespace,
  kubeconfig,
  kubectl,
  loadImages,
  podsOf,
  startPodRun,
} from './clusterEnv';

function dagOf(yaml: string): Dag {
  const text = yaml.startsWith('kubernetes:') ? yaml : `kubernetes: {namespace: ${NAMESPACE}}\n${yaml}`;
  const a = analyzeDag(text.replace(/\$IMAGE/g, TEST_IMAGE), 'it.dag.yaml');
  if (a.hasErrors) throw new Error(JSON.stringify(a.problems));
  return a.dag!;
}

/**
 * A TCP proxy in front of the real API server that cuts every connection through it every 30 s:
 * to the client, the server closing its follows and watches (reliability test 25).
 */
class CuttingProxy {
  private readonly server = createServer((client) => {
    const upstream = connect(this.target.port, this.target.host);
    this.sockets.add(client).add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream).pipe(client);
  });
  private readonly sockets = new Set<Socket>();
  private timer: NodeJS.Timeout | undefined;
  cuts = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async start(everyMs: number): Promise<number> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.timer = setInterval(() => {
      if (this.sockets.size) this.cuts++;
      for (const s of this.sockets) s.destroy();
      this.sockets.clear();
    }, everyMs);
    return (this.server.address() as AddressInfo).port;
  }

  stop(): void {
    clearInterval(this.timer);
    for (const s of this.sockets) s.destroy();
    this.server.close();
  }
}

describe('runs on a real Kubernetes cluster', function () {
  this.timeout(180_000);
  let cluster: Cluster;
  // Test 25 takes five minutes: it starts first and runs beside the other tests, checked at the end.
  let longRun: ReturnType<typeof startPodRun> | undefined;
  let longRunChecked = false;
  let proxy: CuttingProxy | undefined;

  before(async () => {
    cluster = await clusterOrFail();
    ensureTestImage();
    loadImages(TEST_IMAGE);
    ensureNamespace();
    const server = new URL(cluster.kc.getCurrentCluster()!.server);
    proxy = new CuttingProxy({ host: server.hostname, port: Number(server.port || 443) });
    const port = await proxy.start(30_000);
    const file = join(mkdtempSync(join(tmpdir(), 'cdag-kc-proxy-')), 'kubeconfig');
    writeFileSync(
      file,
      readFileSync(kubeconfig(), 'utf8').replace(server.origin, `https://${server.hostname}:${port}`),
    );
    const proxied = await connectKubernetes({ kubeconfig: file, namespace: NAMESPACE });
    assert.ok(proxied.succeeded, proxied.succeeded ? '' : proxied.error);
    longRun = startPodRun(
      proxied.result,
      dagOf(`tasks:
  long: {image: $IMAGE, image_pull_policy: Never, command: [sh, -c, 'for i in $(seq 1 3000); do echo line-$i; sleep 0.1; done']}
`),
    );
  });
  after(async () => {
    // Left running only when test 25 was filtered out (mocha -g): stopped, its pod deleted.
    if (longRun && !longRunChecked) {
      longRun.engine.cancel();
      await longRun.done;
    }
    proxy?.stop();
  });

  it('runs a chain of pods in order, keeps their logs, and deletes the pods of successful tasks', async () => {
    const dag = dagOf(`tasks:
  a: {image: $IMAGE, image_pull_policy: Never, command: [sh, -c, 'echo "a {{ ds }}"']}
  b: {image: $IMAGE, image_pull_policy: Never, command: [sh, -c, 'echo b'], depends_on: [a]}
`);
    const { done, store, runId } = startPodRun(cluster, dag);
    const r = await done;
    assert.equal(r.state, 'success', JSON.stringify(r.tasks));
    assert.equal(r.backend, 'kubernetes');
    assert.ok(r.tasks.a!.ended_at! <= r.tasks.b!.started_at!);
    assert.equal(readFileSync(join(store.runDir(runId), 'a', '1.log'), 'utf8'), '  a 2024-01-01\n');
    assert.match(r.tasks.a!.attempts[0]!.container_id!, /^it-a-[0-9a-f]{8}$/);
    assert.deepEqual(podsOf(runId), []);
  });

  it('fails a task on its exit code and keeps the failed pod for inspection (delete_pods: on_success)', async () => {
    const dag = dagOf(`tasks:
  bad: {image: $IMAGE, image_pull_policy: Never, command: [sh, -c, 'echo failing; exit 3']}
`);
    const notes: string[] = [];
    const { done, runId } = startPodRun(cluster, dag, {}, (e) => e.type === 'note' && notes.push(e.message));
    const r = await done;
    assert.equal(r.tasks.bad!.state, 'failed');
    assert.equal(r.tasks.bad!.exit_code, 3);
    assert.equal(podsOf(runId).length, 1);
    assert.ok(
      notes.some((n) => /Kept pod .* kubectl describe pod/.test(n)),
      notes.join('\n'),
    );
    deletePodsOf(runId);
  });

  it('fails an image that does not exist on its pull error with the events, long before the startup timeout (tests 16, 17)', async () => {
    const dag = dagOf(
      `kubernetes: {namespace: ${NAMESPACE}, startup_timeout: 120s}
tasks:
  ghost: {image: 127.0.0.1:1/no-such-image:1, image_pull_policy: IfNotPresent, command: ['true']}
`.replace(`kubernetes: {namespace: ${NAMESPACE}}\n`, ''),
    );
    const t0 = Date.now();
    const { done, runId } = startPodRun(cluster, dag);
    const r = await done;
    assert.ok(Date.now() - t0 < 60_000, `took ${Date.now() - t0} ms`);
    assert.equal(r.tasks.ghost!.state, 'failed');
    assert.match(r.tasks.ghost!.reason!, /ErrImagePull|ImagePullBackOff/);
    assert.match(r.tasks.ghost!.reason!, /events: .*Failed/);
    // Its container never started: no exit code is told, and it is not pending any more.
    assert.equal(r.tasks.ghost!.attempts[0]!.exit_code, undefined);
    assert.equal(r.tasks.ghost!.attempts[0]!.phase, undefined);
    await waitGone(runId);
  });

  it('fails an unschedulable pod after the startup timeout, showing the reason live and the events (test 15)', async () => {
    const dag = dagOf(
      `kubernetes: {namespace: ${NAMESPACE}, startup_timeout: 8s}
tasks:
  greedy: {image: $IMAGE, image_pull_policy: Never, command: ['true'], resources: {cpu: 64}}
`.replace(`kubernetes: {namespace: ${NAMESPACE}}\n`, ''),
    );
    const notes: RunEvent[] = [];
    // While it waits, the record says pending with the scheduler's reason, not running (tree, graph, --json).
    const seen: string[] = [];
    const { done, runId, engine } = startPodRun(cluster, dag, {}, (e) => {
      if (e.type === 'note') notes.push(e);
      const a = engine.record.tasks.greedy?.attempts.at(-1);
      if (a?.phase) seen.push(`${a.phase}: ${a.pending_reason ?? ''}`);
    });
    const r = await done;
    assert.ok(
      seen.some((s) => /^pending: Unschedulable: .*Insufficient cpu/.test(s)),
      seen.join('\n'),
    );
    assert.equal(r.tasks.greedy!.attempts[0]!.exit_code, undefined, 'a pod that never started has no exit code');
    assert.equal(r.tasks.greedy!.state, 'failed');
    assert.match(
      r.tasks.greedy!.reason!,
      /did not start within the startup timeout \(8s\): Unschedulable: .*Insufficient cpu/,
    );
    assert.ok(
      notes.some((n) => n.type === 'note' && n.taskId === 'greedy' && /pending: Unschedulable/.test(n.message)),
    );
    await waitGone(runId);
  });

  it('kills a pod at the task timeout and deletes it (test 18)', async () => {
    const dag = dagOf(`tasks:
  slow: {image: $IMAGE, image_pull_policy: Never, timeout: 3s, command: [sleep, '120']}
`);
    const { done, runId } = startPodRun(cluster, dag);
    const r = await done;
    assert.equal(r.tasks.slow!.state, 'failed');
    assert.match(r.tasks.slow!.reason!, /timeout after 3s/);
    await waitGone(runId);
  });

  it('cancel deletes the running pod and no retry follows (test 19)', async () => {
    const dag = dagOf(`tasks:
  long: {image: $IMAGE, image_pull_policy: Never, retries: 3, command: [sh, -c, 'echo started; sleep 120']}
`);
    const { engine, done, runId } = startPodRun(cluster, dag, {}, (e) => {
      if (e.type === 'log' && e.line === 'started') engine.cancel();
    });
    const r = await done;
    assert.equal(r.state, 'cancelled');
    assert.equal(r.tasks.long!.tries, 1);
    await waitGone(runId);
  });

  it('fails the task "pod deleted" when its pod is deleted out of band, without hanging (test 11)', async () => {
    const dag = dagOf(`tasks:
  victim: {image: $IMAGE, image_pull_policy: Never, command: [sh, -c, 'echo up; sleep 120']}
`);
    const { done, runId } = startPodRun(cluster, dag, {}, (e) => {
      if (e.type === 'log' && e.line === 'up') deletePodsOf(runId);
    });
    const r = await done;
    assert.equal(r.tasks.victim!.state, 'failed');
    assert.match(r.tasks.victim!.reason!, /pod deleted|exit code 137|exit code 143/);
  });

  it('reports a pod the cluster refuses to create, naming the fix, with nothing left to delete (test 14)', async () => {
    const dag = dagOf(`kubernetes: {namespace: no-such-namespace-cdag}
tasks:
  t: {image: $IMAGE, image_pull_policy: Never, command: ['true']}
`);
    const { done } = startPodRun(cluster, dag);
    const r = await done;
    assert.equal(r.tasks.t!.state, 'failed');
    assert.match(
      r.tasks.t!.reason!,
      /Namespace "no-such-namespace-cdag" does not exist\. Create it with "kubectl create namespace/,
    );
  });

  it('reattaches to the newest of two pods of one attempt and removes the other (test 13)', async () => {
    const dag = dagOf(`tasks:
  twin: {image: $IMAGE, image_pull_policy: Never, command: [sh, -c, 'echo from $HOSTNAME; sleep 3']}
`);
    const runId = `it__twins__${process.pid}`;
    const labels = `io.container-dags/managed-by=container-dags,io.container-dags/run-id=${runId},io.container-dags/task=twin,io.container-dags/try=1`;
    const [older, newer] = [`twin-older-${process.pid}`, `twin-newer-${process.pid}`];
    for (const name of [older, newer]) {
      // As this tool makes them: one container named "task", the attempt's labels.
      const file = join(mkdtempSync(join(tmpdir(), 'cdag-twin-')), 'pod.json');
      writeFileSync(
        file,
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: {
            name,
            namespace: NAMESPACE,
            labels: Object.fromEntries(labels.split(',').map((kv) => kv.split('='))),
          },
          spec: {
            restartPolicy: 'Never',
            containers: [
              {
                name: 'task',
                image: TEST_IMAGE,
                imagePullPolicy: 'Never',
                command: ['sh', '-c', 'echo from $HOSTNAME; sleep 3'],
              },
            ],
          },
        }),
      );
      kubectl('apply', '-f', file);
      await new Promise((r) => setTimeout(r, 1100)); // creation timestamps have 1 s resolution
    }
    const backend = new KubernetesBackend(cluster, dag);
    const rendered = renderTask(dag, dag.tasks[0]!, {
      runId,
      tryNumber: 1,
      interval: { start: new Date('2024-01-01T00:00:00Z'), end: new Date('2024-01-02T00:00:00Z') },
    });
    assert.ok(rendered.succeeded);
    const notes: string[] = [];
    const found = await backend.reattach(
      {
        dagId: dag.id,
        runId,
        tryNumber: 1,
        rendered: rendered.result,
        secrets: {},
        mask: (l) => l,
        note: (m) => notes.push(m),
      },
      undefined,
    );
    assert.ok(found.succeeded && found.result);
    const h = found.result;
    assert.equal(h.id, newer);
    const lines: string[] = [];
    for await (const l of h.logs) lines.push(l.line);
    assert.equal((await h.wait()).exitCode, 0);
    assert.deepEqual(lines, [`from ${newer}`]);
    assert.match(notes.join('\n'), new RegExp(`Pod ${older} duplicates ${newer} .* removed ${older}`));
    await h.cleanup(false);
    await waitGone(runId);
  });

  it('rides out an API server that stops answering for 15 s mid-task: the run finishes, no duplicate pod (test 12)', async function () {
    const pidFile = '/run/cdag-cluster/pids/kube-apiserver.pid';
    if (!existsSync(pidFile)) this.skip(); // only this project's cluster can be frozen from here
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    const dag = dagOf(`tasks:
  steady: {image: $IMAGE, image_pull_policy: Never, command: [sh, -c, 'echo one; sleep 20; echo two']}
`);
    let frozen = false;
    const { done, store, runId } = startPodRun(cluster, dag, {}, (e) => {
      if (e.type === 'log' && e.line === 'one' && !frozen) {
        frozen = true;
        // SIGSTOP: connections stay open but nothing answers, as with a network partition.
        process.kill(pid, 'SIGSTOP');
        setTimeout(() => process.kill(pid, 'SIGCONT'), 15_000);
      }
    });
    try {
      const r = await done;
      assert.equal(r.state, 'success', JSON.stringify(r.tasks));
      assert.equal(r.tasks.steady!.tries, 1, 'no second pod');
      assert.equal(readFileSync(join(store.runDir(runId), 'steady', '1.log'), 'utf8'), '  one\n  two\n');
    } finally {
      process.kill(pid, 'SIGCONT');
    }
  });

  it('delivers 5 MiB of log complete and in order: every line the cluster holds, once', async () => {
    const dag = dagOf(`kubernetes: {namespace: ${NAMESPACE}, delete_pods: never}
tasks:
  talk: {image: $IMAGE, image_pull_policy: Never, command: [sh, -c, 'seq 1000000 1655359; sleep 5']}
`);
    const { done, store, runId } = startPodRun(cluster, dag);
    const r = await done;
    assert.equal(r.state, 'success');
    const pod = r.tasks.talk!.attempts[0]!.container_id!;
    try {
      const lines = readFileSync(join(store.runDir(runId), 'talk', '1.log'), 'utf8')
        .trimEnd()
        .split('\n');
      // What the node's runtime kept, read once after the end: containerd 1.6 (the test cluster's
      // runtime) has been seen to keep less than was written when the node is busy (CI: a file cut
      // short, or lines missing from its middle) — the runtime's loss, not the log path's under test.
      const held = execFileSync('kubectl', ['-n', NAMESPACE, 'logs', pod, '-c', 'task'], {
        env: { ...process.env, KUBECONFIG: kubeconfig() },
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      })
        .trimEnd()
        .split('\n')
        .map((l) => `  ${l}`);
      assert.ok(held.length > 100_000, `the runtime kept ${held.length} lines`);
      assert.equal(lines.length, held.length, `the last line read: ${lines.at(-1)}`);
      for (let i = 0; i < lines.length; i += 1)
        if (lines[i] !== held[i]) assert.fail(`line ${i + 1} is "${lines[i]}", the cluster has "${held[i]}"`);
      for (let i = 1; i < lines.length; i += 1)
        if (Number(lines[i]) <= Number(lines[i - 1])) assert.fail(`line ${i + 1} is out of order: ${lines[i]}`);
      if (held.length === 655_360) assert.equal(lines.at(-1), '  1655359');
    } finally {
      kubectl('-n', NAMESPACE, 'delete', 'pod', pod, '--wait=false');
    }
  });

  it('passes a Secret as secretKeyRef and masks its value in the log', async () => {
    try {
      kubectl('-n', NAMESPACE, 'delete', 'secret', 'api-token', '--ignore-not-found');
    } catch {
      // none yet
    }
    kubectl('-n', NAMESPACE, 'create', 'secret', 'generic', 'api-token', '--from-literal=api-token=s3cr3t-t0ken-value');
    const dag = dagOf(`tasks:
  t: {image: $IMAGE, image_pull_policy: Never, secrets: {TOKEN: api-token}, command: [sh, -c, 'echo "token=$TOKEN"; sleep 2']}
`);
    const values = await clusterSecretValues(cluster, NAMESPACE, dag);
    assert.ok(values.succeeded);
    let manifest = '';
    const { done, store, runId } = startPodRun(cluster, dag, { secretValues: values.result }, (e) => {
      if (e.type === 'task-state' && e.state === 'running' && !manifest) {
        setTimeout(() => {
          try {
            manifest = kubectl('-n', NAMESPACE, 'get', 'pods', '-l', `io.container-dags/run-id=${runId}`, '-o', 'yaml');
          } catch {
            // raced with the end
          }
        }, 500);
      }
    });
    const r = await done;
    assert.equal(r.state, 'success');
    const log = readFileSync(join(store.runDir(runId), 't', '1.log'), 'utf8');
    assert.equal(log, '  token=***\n');
    assert.match(manifest, /secretKeyRef:\s+key: api-token\s+name: api-token/);
    assert.ok(!manifest.includes('s3cr3t-t0ken-value'));
  });

  it('follows a 5-minute task whose connections the server closes every 30 s: every line, in order, once (test 25)', async function () {
    this.timeout(420_000);
    longRunChecked = true;
    const r = await longRun!.done;
    assert.equal(r.state, 'success', JSON.stringify(r.tasks));
    assert.ok(proxy!.cuts >= 9, `the connections were cut ${proxy!.cuts} times`);
    const lines = readFileSync(join(longRun!.store.runDir(longRun!.runId), 'long', '1.log'), 'utf8')
      .trimEnd()
      .split('\n');
    assert.deepEqual(
      lines,
      Array.from({ length: 3000 }, (_, i) => `  line-${i + 1}`),
    );
  });
});

async function waitGone(runId: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (podsOf(runId).length === 0) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.deepEqual(podsOf(runId), [], 'the pod is gone');
}

describe('a log the kubelet rotates while it is followed (test 27)', function () {
  this.timeout(180_000);
  let cluster: Cluster;
  const setRotation = (...args: string[]) =>
    execFileSync('bash', [join(__dirname, '..', '..', '..', 'scripts', 'cluster', 'kubelet-logs.sh'), ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });

  before(async () => {
    cluster = await clusterOrFail();
    ensureTestImage();
    loadImages(TEST_IMAGE);
    ensureNamespace();
    // The least the kubelet allows: 1 MiB files, checked every 3 s.
    setRotation('1Mi', '3s');
  });
  after(() => setRotation());

  it('keeps following across rotations: lines in order, none twice, the last one there', async () => {
    // 12 bursts of 30,000 numbered lines a second apart (about 16 MB in the node's CRI files): the
    // kubelet rotates the log several times under the follow.
    const dag = dagOf(`kubernetes: {namespace: ${NAMESPACE}, delete_pods: never}
tasks:
  rotate:
    image: $IMAGE
    image_pull_policy: Never
    command: [sh, -c, 'for i in $(seq 0 11); do seq $((1000000 + i * 30000)) $((1029999 + i * 30000)); sleep 1; done; sleep 2']
`);
    const { done, store, runId } = startPodRun(cluster, dag);
    const r = await done;
    try {
      assert.equal(r.state, 'success', JSON.stringify(r.tasks));
      const pod = r.tasks.rotate!.attempts[0]!.container_id!;
      const dirs = readdirSync('/var/log/pods').filter((d) => d.startsWith(`${NAMESPACE}_${pod}_`));
      assert.equal(dirs.length, 1, 'the pod’s log directory on the node');
      const rotated = readdirSync(join('/var/log/pods', dirs[0]!, 'task')).filter((f) => /^0\.log\.\d/.test(f));
      assert.ok(rotated.length >= 2, `the kubelet rotated the log (files: ${rotated.join(', ') || 'none'})`);
      const lines = readFileSync(join(store.runDir(runId), 'rotate', '1.log'), 'utf8')
        .trimEnd()
        .split('\n')
        .map((l) => Number(l.trim()));
      assert.equal(lines[0], 1_000_000);
      assert.equal(lines.at(-1), 1_359_999, 'the tail, written after the last rotation, arrived');
      for (let i = 1; i < lines.length; i += 1)
        if (!(lines[i]! > lines[i - 1]!))
          assert.fail(`line ${i + 1} (${lines[i]}) after ${lines[i - 1]}: out of order or twice`);
      // Not asserted: every line. The kubelet's own follow sometimes skips a whole rotated file
      // (`kubectl get --raw …/log?follow=true` loses the same), and the API serves only the current file.
      console.log(`      ${lines.length} of 360000 lines came through ${rotated.length} rotations`);
    } finally {
      deletePodsOf(runId);
    }
  });
});
