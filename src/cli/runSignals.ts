/**
 * How `cdag run` meets the signals that end a terminal session: SIGINT (Ctrl-C), SIGTERM (a
 * supervisor) and SIGHUP (the terminal closed) all cancel the runs — containers stopped and
 * removed, records finished as cancelled. A second signal does not abandon that cleanup: leaving
 * early is what leaves containers running unowned, so it only says what is still being done.
 */
export function onStopSignals(
  signals: NodeJS.EventEmitter,
  cancel: () => void,
  say: (text: string) => void,
): () => void {
  let count = 0;
  const handler = (signal: string) => {
    count++;
    if (count === 1) {
      say(`Cancelling (${signal}): stopping and removing this run's containers…\n`);
      cancel();
    } else {
      say('Still stopping and removing containers; cdag exits when they are gone.\n');
    }
  };
  const names = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  const listeners = names.map((n) => [n, () => handler(n)] as const);
  for (const [n, l] of listeners) signals.on(n, l);
  return () => {
    for (const [n, l] of listeners) signals.off(n, l);
  };
}
