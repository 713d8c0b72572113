import { fail, type Errorable } from './errorable';

/** The promise's value, or a `cancelled` failure as soon as the signal aborts (its listener removed either way). */
export function untilAborted<T>(p: Promise<Errorable<T>>, signal: AbortSignal): Promise<Errorable<T>> {
  if (signal.aborted) return Promise.resolve(fail('cancelled'));
  let onAbort = () => {};
  const aborted = new Promise<Errorable<T>>((r) => {
    onAbort = () => r(fail('cancelled'));
    signal.addEventListener('abort', onAbort, { once: true });
  });
  return Promise.race([p, aborted]).finally(() => signal.removeEventListener('abort', onAbort));
}
