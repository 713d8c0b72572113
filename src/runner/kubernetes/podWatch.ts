import { Watch } from '@kubernetes/client-node';
import type { Cluster } from './connect';

/**
 * Says when what `kubectl describe pod` shows may have changed: the pod itself, or an event about
 * it. Two watches, each re-established when it ends (never a poll), until stopped. Changes are
 * coalesced over `settleMs` so a burst of events costs one re-read.
 */
export function watchPodChanges(
  cluster: Cluster,
  namespace: string,
  name: string,
  onChange: () => void,
  settleMs = 300,
): () => void {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const aborts = new Set<AbortController>();
  const changed = () => {
    if (stopped || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      if (!stopped) onChange();
    }, settleMs);
  };
  const follow = (path: string, fieldSelector: string): void => {
    if (stopped) return;
    const again = () => setTimeout(() => follow(path, fieldSelector), 1000).unref?.();
    new Watch(cluster.kc)
      .watch(
        path,
        { fieldSelector, allowWatchBookmarks: true },
        (type: string) => type !== 'BOOKMARK' && changed(),
        again,
      )
      .then((ac) => {
        if (stopped) ac.abort();
        else aborts.add(ac);
      }, again);
  };
  follow(`/api/v1/namespaces/${namespace}/pods`, `metadata.name=${name}`);
  follow(`/api/v1/namespaces/${namespace}/events`, `involvedObject.name=${name}`);
  return () => {
    stopped = true;
    clearTimeout(timer);
    for (const ac of aborts) ac.abort();
  };
}
