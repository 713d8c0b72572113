import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { KubeConfig } from '@kubernetes/client-node';
import type { LogLine } from '../../../../src/runner/backend';
import type { Cluster } from '../../../../src/runner/kubernetes/connect';
import { followPodLog } from '../../../../src/runner/kubernetes/podLogFollow';

/** An API server's pod log endpoint that refuses or breaks off its first reads after the container ended. */
function logServer(
  lines: readonly string[],
  failFirst: number,
  breakOff = false,
): Promise<{ server: Server; url: string; reads: () => number }> {
  let reads = 0;
  const body = lines.map((l, i) => `2024-01-01T00:00:${String(i % 60).padStart(2, '0')}.000000001Z ${l}\n`).join('');
  const server = createServer((_req, res) => {
    reads++;
    if (reads <= failFirst) {
      if (breakOff) {
        // Half the body, then the connection drops.
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write(body.slice(0, Math.floor(body.length / 2)));
        res.destroy();
      } else {
        res.writeHead(500);
        res.end('the kubelet is busy');
      }
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(body);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      resolve({ server, url: `http://127.0.0.1:${port}`, reads: () => reads });
    }),
  );
}

async function follow(url: string): Promise<LogLine[]> {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: url, skipTLSVerify: true }],
    users: [{ name: 'u' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  const got: LogLine[] = [];
  await followPodLog(
    {
      cluster: { kc } as unknown as Cluster,
      namespace: 'ns',
      name: 'pod',
      container: 'task',
      mask: (l) => l,
      signal: new AbortController().signal,
      ended: () => true,
      endedKnown: Promise.resolve(),
      deleted: () => false,
    },
    (l) => got.push(l),
  );
  return got;
}

describe('the log of a pod that has ended', () => {
  const lines = Array.from({ length: 50 }, (_, i) => `line-${i + 1}`);

  it('is read again when the API server refuses the read after the end, and arrives whole (a busy node lost it all once)', async () => {
    const { server, url, reads } = await logServer(lines, 2);
    try {
      const got = await follow(url);
      assert.deepEqual(
        got.map((l) => l.line),
        lines,
      );
      assert.equal(reads(), 3);
    } finally {
      server.close();
    }
  });

  it('is read on from where a broken-off read got to: every line once, in order', async () => {
    const { server, url } = await logServer(lines, 1, true);
    try {
      const got = await follow(url);
      assert.deepEqual(
        got.map((l) => l.line),
        lines,
      );
    } finally {
      server.close();
    }
  });
});
