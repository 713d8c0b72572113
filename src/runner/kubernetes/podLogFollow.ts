import { LineAssembler } from '../lineAssembler';
import type { LogLine } from '../backend';
import type { Cluster } from './connect';
import { LogCursor } from './logCursor';
import { readPodLog } from './podLog';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What a log follower needs to know about the pod it reads, from whoever watches that pod. */
export interface FollowedPod {
  readonly cluster: Cluster;
  readonly namespace: string;
  readonly name: string;
  readonly container: string;
  readonly mask: (line: string) => string;
  /** Stops the reads at once (the attempt or service was cleaned up). */
  readonly signal: AbortSignal;
  /** Whether the container has ended, and a promise settled when it does. */
  readonly ended: () => boolean;
  readonly endedKnown: Promise<void>;
  /** Whether the pod is being deleted (its tail cannot be read again). */
  readonly deleted: () => boolean;
}

/**
 * Follows a started container's log to its end: a follow that drops (rotation, idle timeouts) is
 * resumed from where it got to, without gaps or duplicates, and once the container has ended the
 * log is read once more so its tail is never lost. Resolves when every line has been pushed.
 */
export async function followPodLog(p: FollowedPod, push: (l: LogLine) => void): Promise<void> {
  const cursor = new LogCursor();
  const read = async (follow: boolean) => {
    const lines = new LineAssembler((raw) => {
      const { take, text } = cursor.accept(raw);
      if (take) push({ stream: 'stdout', line: p.mask(text) });
    });
    const since = cursor.since();
    const r = await readPodLog(
      p.cluster.kc,
      p.namespace,
      p.name,
      { follow, container: p.container, ...(since ? { sinceTime: since } : {}) },
      (c) => lines.push(c),
      p.signal,
    );
    // A read that ends may have been cut mid-line: that piece comes again, whole, in the next
    // read. Only the last complete read's unterminated line is the container's own last line.
    if (!follow && r.ok) lines.end();
    cursor.resume();
    return r.ok;
  };
  while (!p.ended() && !p.signal.aborted) {
    await read(true);
    // A follow ends when the container does, or when the connection drops: wait for the watch
    // to say which, then resume or finish.
    await Promise.race([p.endedKnown, sleep(1000)]);
  }
  // The tail read is the last chance for what the follows missed: one the API server refuses or
  // that breaks off (a busy node) is tried again from where it got to, not taken as the end.
  for (let i = 0; i < TAIL_READS && !p.signal.aborted && !p.deleted(); i++) {
    if (await read(false)) return;
    await sleep(250 * 2 ** i);
  }
}

/** Tries of the read after the container ended: 250 ms to 4 s apart, about 8 s in all. */
const TAIL_READS = 6;
