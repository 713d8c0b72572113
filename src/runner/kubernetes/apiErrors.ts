import type { Cluster } from './connect';

/**
 * How every Kubernetes call of this tool treats errors: what status an error carries, what it says,
 * which errors are worth another try, and which answers to a delete mean "already done".
 */
interface ApiError {
  /** The HTTP status from the API; a string (ECONNRESET…) from the network underneath. */
  code?: number | string;
  body?: unknown;
  headers?: Record<string, string>;
  message?: string;
  cause?: { code?: string };
}

/** The API's HTTP status, or a network error's code (`ECONNRESET`), or undefined. */
export const statusOf = (e: unknown): number | string | undefined => (e as ApiError | undefined)?.code;

/** The API server's own message (from a Status body) when there is one, else the error's. */
export function messageOf(e: unknown): string {
  const body = (e as ApiError).body;
  if (typeof body === 'string') {
    try {
      return (JSON.parse(body) as { message?: string }).message ?? body;
    } catch {
      return body;
    }
  }
  if (body && typeof body === 'object' && 'message' in body) return String((body as { message: unknown }).message);
  return (e as ApiError).message ?? String(e);
}

/** 404 and 409 on a delete: the object is gone or going already, which is what was asked. */
export const isGone = (e: unknown): boolean => statusOf(e) === 404 || statusOf(e) === 409;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Retries only what is transient: 429 (honouring Retry-After), 5xx and network errors, with
 * backoff, at most `tries` times; a 401 reads the kubeconfig again once (rotated credentials);
 * anything else is thrown to the caller at once.
 */
export async function withRetry<T>(call: () => Promise<T>, tries = 5, baseMs = 250, refresh?: () => void): Promise<T> {
  let refreshed = false;
  for (let i = 1; ; i++) {
    try {
      return await call();
    } catch (e) {
      const code = statusOf(e);
      if (code === 401 && refresh && !refreshed && i < tries) {
        refreshed = true;
        refresh();
        continue;
      }
      // A number is the API's HTTP status; anything else (ECONNRESET, a socket hang-up) is the network.
      const transient = code === 429 || (typeof code === 'number' && code >= 500) || typeof code !== 'number';
      if (!transient || i >= tries) throw e;
      const retryAfter = Number((e as ApiError).headers?.['retry-after']);
      await sleep(code === 429 && retryAfter > 0 ? retryAfter * 1000 : Math.min(8000, baseMs * 2 ** i));
    }
  }
}

/** Deletes a pod, retrying what is transient; gone already counts as done. Returns whether it deleted something. */
export async function deletePod(
  cluster: Cluster,
  namespace: string,
  name: string,
  graceSeconds: number,
): Promise<boolean> {
  try {
    await withRetry(
      () => cluster.core.deleteNamespacedPod({ name, namespace, gracePeriodSeconds: graceSeconds }),
      5,
      250,
      cluster.refresh,
    );
    return true;
  } catch (e) {
    if (isGone(e)) return false;
    throw e;
  }
}

/** Why the API server of a context could not be reached, and what to do, in a sentence. */
export function explainApiError(e: unknown, server: string, context: string): string {
  const err = e as ApiError;
  const net = typeof err.code === 'string' ? err.code : err.cause?.code;
  switch (net) {
    case 'ECONNREFUSED':
      return `The Kubernetes API server of context "${context}" (${server}) refused the connection: the cluster is not running there. Start it (e.g. "npm run cluster:up", "kind create cluster", "minikube start") or pick another context.`;
    case 'ENOTFOUND':
    case 'EHOSTUNREACH':
    case 'ETIMEDOUT':
      return `The Kubernetes API server of context "${context}" (${server}) is unreachable (${net}). Check the network or VPN, or pick another context.`;
  }
  if (err.code === 401)
    return `The cluster of context "${context}" refused the credentials (401). Refresh them (log in again, renew the token) and retry.`;
  if (err.code === 403)
    return `The credentials of context "${context}" may not do this (403 Forbidden). Ask for access to pods in the namespace, or use another context.`;
  return `Could not reach the Kubernetes API server of context "${context}" (${server}): ${err.message ?? String(e)}`;
}
