/** How long from `start` to `end` (or now), as the tree, the log header and the CLI say it: `475 ms`, `2.5 s`, `3 min 4 s`. */
export function elapsed(start: string, end?: string, now = Date.now()): string {
  const ms = (end ? Date.parse(end) : now) - Date.parse(start);
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}
