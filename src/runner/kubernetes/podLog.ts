import type { KubeConfig } from '@kubernetes/client-node';
import * as http from 'node:http';
import * as https from 'node:https';

export interface LogRequest {
  readonly follow: boolean;
  readonly sinceTime?: string;
  /** The pod's container; `task` unless said. */
  readonly container?: string;
}

/**
 * One read of a container's log (`timestamps=true`), chunk by chunk. Resolves when the stream ends
 * *or breaks* — client-node's `Log` pipes the body and never reports a dropped connection, which
 * would hang a follow forever, so the request is made here with the kubeconfig's TLS options.
 */
export async function readPodLog(
  kc: KubeConfig,
  namespace: string,
  pod: string,
  req: LogRequest,
  onChunk: (chunk: Buffer) => void,
  signal: AbortSignal,
): Promise<{ ok: boolean; status?: number }> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) return { ok: false };
  const url = new URL(
    `${cluster.server}/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/log`,
  );
  url.searchParams.set('container', req.container ?? 'task');
  url.searchParams.set('timestamps', 'true');
  if (req.follow) url.searchParams.set('follow', 'true');
  if (req.sinceTime) url.searchParams.set('sinceTime', req.sinceTime);
  const options: https.RequestOptions = { method: 'GET', headers: {} };
  await kc.applyToHTTPSOptions(options);
  const mod = url.protocol === 'https:' ? https : http;
  let onAbort: (() => void) | undefined;
  // Reads repeat for as long as a pod runs: each takes its abort listener away when it ends.
  return new Promise<{ ok: boolean; status?: number }>((resolve) => {
    if (signal.aborted) return resolve({ ok: false });
    const request = mod.request(url, options, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        resolve({ ok: false, status: res.statusCode ?? 0 });
        return;
      }
      res.on('data', (c: Buffer) => onChunk(c));
      res.on('end', () => resolve({ ok: true }));
      res.on('error', () => resolve({ ok: false }));
      res.on('aborted', () => resolve({ ok: false }));
      res.on('close', () => resolve({ ok: res.complete }));
    });
    request.on('error', () => resolve({ ok: false }));
    onAbort = () => request.destroy();
    signal.addEventListener('abort', onAbort, { once: true });
    request.end();
  }).finally(() => {
    if (onAbort) signal.removeEventListener('abort', onAbort);
  });
}
