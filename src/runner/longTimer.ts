/** Node's timers fire at once past 2^31-1 ms (24.8 days); longer waits are chained in steps. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export interface LongTimer {
  clear(): void;
}

/** `setTimeout` for any duration: a `timeout: 25d` waits 25 days, not one millisecond. */
export function setLongTimeout(fn: () => void, ms: number, step = MAX_TIMER_MS): LongTimer {
  let timer: NodeJS.Timeout | undefined;
  let cleared = false;
  const due = Date.now() + Math.max(0, ms);
  // Always through setTimeout, even for 0 ms: a caller may hold the returned timer in the callback.
  const arm = () => {
    const left = due - Date.now();
    timer = setTimeout(
      () => {
        if (due - Date.now() > 0) return arm();
        timer = undefined;
        if (!cleared) fn();
      },
      Math.max(0, Math.min(left, step)),
    );
  };
  arm();
  return {
    clear: () => {
      cleared = true;
      if (timer) clearTimeout(timer);
    },
  };
}

/** Resolves after `ms` (any length) or as soon as `signal` aborts. */
export function abortableSleep(ms: number, signal: AbortSignal, step = MAX_TIMER_MS): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setLongTimeout(done, ms, step);
    function done() {
      t.clear();
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
