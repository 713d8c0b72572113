import type { Io } from './io';

/**
 * A bug, not bad input: one line that names it and where to report it — never minified source or
 * a stack, which tell a user nothing. `CDAG_DEBUG=1` keeps the stack for whoever fixes it.
 */
export function reportInternalError(e: unknown, io: Pick<Io, 'err' | 'env'>): void {
  const write = (s: string) => io.err(s);
  const err = e instanceof Error ? e : new Error(String(e));
  const where = /\n\s+at (\S+)/.exec(err.stack ?? '')?.[1];
  write(
    `cdag: internal error (a bug in cdag, not in your DAG): ${err.name}: ${firstLine(err.message)}${where ? ` in ${where}` : ''}. Run again with CDAG_DEBUG=1 for details, and report it.\n`,
  );
  if (io.env?.CDAG_DEBUG === '1' && err.stack) write(`${err.stack}\n`);
}

function firstLine(s: string): string {
  const line = s.split('\n')[0] ?? '';
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}
