import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { analyzeDag } from '../../../src/dag/analyze';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AttemptHandle, LogLine } from '../../../src/runner/backend';
import { connectKubernetes } from '../../../src/runner/kubernetes/connect';
import type { Cluster } from '../../../src/runner/kubernetes/connect';
import { KubernetesBackend } from '../../../src/runner/kubernetes/kubernetesBackend';
import { renderTask } from '../../../src/runner/renderTask';

/**
 * Fault cases a real API server cannot be made to stage on demand (the real-cluster suite is the
 * main one): a watch that drops mid-event, and a log follow cut mid-stream whose resumption replays
 * part of a second. Only the few endpoints a pod attempt uses are served.
 */
class FaultyApiServer {
  private server!: Server;
  watches = 0;
  logReads: string[] = [];
  phase: 'Pending' | 'Running' | 'Succeeded' = 'Pending';
  /** When set, only this bearer token is accepted (a rotated credential). */
  requireToken: string | undefined;
  unauthorized = 0;
  /** How many pod creations to refuse with 429 and `Retry-After: 2` (an API server shedding load). */
  throttleCreates = 0;
  /** When each pod creation arrived (ms since epoch). */
  creates: number[] = [];
  /** The first creation succeeds but its answer is lost (the connection dies): the retry finds the pod. */
  loseFirstCreateAnswer = false;
  private labels: Record<string, string> = {};

  private pod(name: string): object {
    const state =
      this.phase === 'Succeeded'
        ? { terminated: { exitCode: 0, reason: 'Completed' } }
        : this.phase === 'Running'
          ? { running: { startedAt: '2024-01-01T00:00:00Z' } }
          : { waiting: { reason: 'ContainerCreating' } };
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'ns', resourceVersion: String(this.watches + 1), labels: this.labels },
      status: {
        phase: this.phase,
        containerStatuses: [{ name: 'task', image: 'x', imageID: '', ready: false, restartCount: 0, state }],
      },
    };
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url!, 'http://x');
    const json = (body: object, status = 200) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const name = 'dropme-t-pod';
    if (url.pathname === '/version') return json({ major: '1', minor: '33', gitVersion: 'v1.33.0' });
    if (this.requireToken && req.headers.authorization !== `Bearer ${this.requireToken}`) {
      this.unauthorized++;
      return json({ kind: 'Status', code: 401, message: 'Unauthorized' }, 401);
    }
    if (req.method === 'POST') this.creates.push(Date.now());
    if (req.method === 'POST' && this.throttleCreates > 0) {
      this.throttleCreates--;
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '2' });
      res.end(JSON.stringify({ kind: 'Status', code: 429, reason: 'TooManyRequests', message: 'slow down' }));
      return;
    }
    if (req.method === 'POST') {
      let body = '';
      req.on('data', (c: Buffer) => (body += c));
      req.on('end', () => {
        const pod = JSON.parse(body) as { metadata: { labels?: Record<string, string> } };
        if (this.loseFirstCreateAnswer && this.creates.length > 1)
          return json({ kind: 'Status', code: 409, reason: 'AlreadyExists', message: 'pods already exists' }, 409);
        this.labels = pod.metadata.labels ?? {};
        if (this.loseFirstCreateAnswer) return void res.socket?.destroy();
        json(pod, 201);
      });
      return;
    }
    if (req.method === 'DELETE') return json({ kind: 'Status', status: 'Success' });
    if (url.pathname.endsWith('/events')) return json({ items: [] });
    if (url.pathname.endsWith('/log')) {
      this.logReads.push(url.searchParams.get('sinceTime') ?? 'start');
      res.writeHead(200, { 'content-type': 'text/plain' });
      if (this.logReads.length === 1) {
        // Three lines, then the connection dies in the middle of the fourth.
        res.write(
          '2024-01-01T00:00:01.100Z one\n2024-01-01T00:00:01.200Z two\n2024-01-01T00:00:02.300Z three\n2024-01-01T00:00:02.4',
        );
        setTimeout(() => res.socket?.destroy(), 50);
        return;
      }
      // Resumed from second 2: the API replays that second, then the rest.
      res.end('2024-01-01T00:00:02.300Z three\n2024-01-01T00:00:02.400Z four\n2024-01-01T00:00:03.000Z five\n');
      return;
    }
    if (url.searchParams.get('watch') === 'true') {
      this.watches++;
      res.writeHead(200, { 'content-type': 'application/json' });
      if (this.watches === 1) {
        // The first watch reports Running, then breaks mid-event.
        this.phase = 'Running';
        res.write(`${JSON.stringify({ type: 'MODIFIED', object: this.pod(name) })}\n{"type":"MODI`);
        setTimeout(() => res.socket?.destroy(), 300);
        return;
      }
      // Re-established: the container ends.
      setTimeout(() => {
        this.phase = 'Succeeded';
        res.write(`${JSON.stringify({ type: 'MODIFIED', object: this.pod(name) })}\n`);
      }, 300);
      return;
    }
    if (req.method === 'GET' && url.pathname.includes('/pods/')) return json(this.pod(url.pathname.split('/').pop()!));
    json({ kind: 'Status', code: 404 }, 404);
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }
}

/** A kubeconfig for the fake server: one context, a bearer token. */
function fakeKubeconfig(server: string, token: string): string {
  return `apiVersion: v1\nkind: Config\nclusters: [{name: fake, cluster: {server: "${server}", insecure-skip-tls-verify: true}}]\nusers: [{name: u, user: {token: ${token}}}]\ncontexts: [{name: fake, context: {cluster: fake, user: u, namespace: ns}}]\ncurrent-context: fake\n`;
}

function rendered() {
  const dag = analyzeDag('dag: dropme\ntasks:\n  t: {image: x, command: [run]}\n').dag!;
  const r = renderTask(dag, dag.tasks[0]!, {
    runId: 'r',
    tryNumber: 1,
    interval: { start: new Date('2024-01-01T00:00:00Z'), end: new Date('2024-01-02T00:00:00Z') },
  });
  assert.ok(r.succeeded);
  return {
    dag,
    spec: { dagId: dag.id, runId: 'r', tryNumber: 1, rendered: r.result, secrets: {}, mask: (l: string) => l },
  };
}

async function finish(handle: AttemptHandle): Promise<{ exit: number; lines: string[] }> {
  const lines: string[] = [];
  const pump = (async () => {
    for await (const l of handle.logs) lines.push(l.line);
  })();
  const exit = await handle.wait();
  await pump;
  return { exit: exit.exitCode, lines };
}

describe('a pod attempt against an API server that refuses a rotated credential', function () {
  this.timeout(30_000);
  const api = new FaultyApiServer();
  after(() => api.stop());

  it('reads the kubeconfig again once after a 401 and carries on with the new token (fault test 20)', async () => {
    const server = await api.start();
    const file = join(mkdtempSync(join(tmpdir(), 'cdag-kc-')), 'kubeconfig');
    const config = (token: string) => fakeKubeconfig(server, token);
    writeFileSync(file, config('old-token'));
    const cluster = await connectKubernetes({ kubeconfig: file });
    assert.ok(cluster.succeeded, cluster.succeeded ? '' : cluster.error);
    // The token is renewed on disk while we hold the old one; the server now takes only the new one.
    writeFileSync(file, config('new-token'));
    api.requireToken = 'new-token';
    const { dag, spec } = rendered();
    const started = await new KubernetesBackend(cluster.result, dag).start(spec, new AbortController().signal);
    assert.ok(started.succeeded, started.succeeded ? '' : started.error);
    const { exit, lines } = await finish(started.result);
    assert.equal(exit, 0);
    assert.deepEqual(lines, ['one', 'two', 'three', 'four', 'five']);
    assert.equal(api.unauthorized, 1, 'one 401, then the new token everywhere');
  });
});

describe('a pod attempt against an API server that sheds load', function () {
  this.timeout(30_000);
  const api = new FaultyApiServer();
  after(() => api.stop());

  it('waits as long as a 429’s Retry-After says (2 s), then creates the pod once (fault test 20)', async () => {
    const server = await api.start();
    const file = join(mkdtempSync(join(tmpdir(), 'cdag-kc-')), 'kubeconfig');
    writeFileSync(file, fakeKubeconfig(server, 't'));
    const cluster = await connectKubernetes({ kubeconfig: file });
    assert.ok(cluster.succeeded, cluster.succeeded ? '' : cluster.error);
    api.throttleCreates = 1;
    const { dag, spec } = rendered();
    const started = await new KubernetesBackend(cluster.result, dag).start(spec, new AbortController().signal);
    assert.ok(started.succeeded, started.succeeded ? '' : started.error);
    assert.equal(api.creates.length, 2, 'refused once, then created');
    const waited = api.creates[1]! - api.creates[0]!;
    assert.ok(waited >= 1900 && waited < 3500, `waited ${waited} ms for Retry-After: 2`);
    const { exit } = await finish(started.result);
    assert.equal(exit, 0);
  });
});

describe('a pod attempt whose creation answer is lost', function () {
  this.timeout(30_000);
  const api = new FaultyApiServer();
  after(() => api.stop());

  it('retries the create, takes the 409 for the pod it made itself, and runs it', async () => {
    const server = await api.start();
    const file = join(mkdtempSync(join(tmpdir(), 'cdag-kc-')), 'kubeconfig');
    writeFileSync(file, fakeKubeconfig(server, 't'));
    const cluster = await connectKubernetes({ kubeconfig: file });
    assert.ok(cluster.succeeded, cluster.succeeded ? '' : cluster.error);
    api.loseFirstCreateAnswer = true;
    const { dag, spec } = rendered();
    const started = await new KubernetesBackend(cluster.result, dag).start(spec, new AbortController().signal);
    assert.ok(started.succeeded, started.succeeded ? '' : started.error);
    assert.equal(api.creates.length, 2, 'the lost answer made the create go again, once');
    const { exit, lines } = await finish(started.result);
    assert.equal(exit, 0);
    assert.deepEqual(lines, ['one', 'two', 'three', 'four', 'five']);
  });
});

describe('a pod attempt against an API server that drops its streams', function () {
  this.timeout(30_000);
  const api = new FaultyApiServer();
  let cluster: Cluster;

  before(async () => {
    const server = await api.start();
    const k8s = await import('@kubernetes/client-node');
    const kc = new k8s.KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'fake', server, skipTLSVerify: true }],
      users: [{ name: 'u', token: 't' }],
      contexts: [{ name: 'fake', cluster: 'fake', user: 'u', namespace: 'ns' }],
      currentContext: 'fake',
    });
    cluster = { kc, core: kc.makeApiClient(k8s.CoreV1Api), context: 'fake', namespace: 'ns', server };
  });
  after(() => api.stop());

  it('re-establishes a watch that broke mid-event and resumes a cut log without gaps or duplicates', async () => {
    const dag = analyzeDag('dag: dropme\ntasks:\n  t: {image: x, command: [run]}\n').dag!;
    const rendered = renderTask(dag, dag.tasks[0]!, {
      runId: 'r',
      tryNumber: 1,
      interval: { start: new Date('2024-01-01T00:00:00Z'), end: new Date('2024-01-02T00:00:00Z') },
    });
    assert.ok(rendered.succeeded);
    const started = await new KubernetesBackend(cluster, dag).start(
      { dagId: dag.id, runId: 'r', tryNumber: 1, rendered: rendered.result, secrets: {}, mask: (l) => l },
      new AbortController().signal,
    );
    assert.ok(started.succeeded, started.succeeded ? '' : started.error);
    const lines: LogLine[] = [];
    const pump = (async () => {
      for await (const l of started.result.logs) lines.push(l);
    })();
    const exit = await started.result.wait();
    await pump;
    assert.equal(exit.exitCode, 0);
    assert.ok(api.watches >= 2, `the watch was re-established (${api.watches} watches)`);
    assert.deepEqual(
      lines.map((l) => l.line),
      ['one', 'two', 'three', 'four', 'five'],
    );
    assert.equal(api.logReads[0], 'start');
    assert.equal(api.logReads[1], '2024-01-01T00:00:02Z', "resumed from the last line's second");
  });
});
