import { EXIT, type Io } from './io';

function write(io: Io, path: string, text: string, force: boolean): string | undefined {
  try {
    if (!io.writeFile) return `${path}: cannot write (no file system).`;
    io.writeFile(path, text, force);
    return undefined;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'EEXIST'
      ? `${path} exists; nothing was written. Choose another -o, or add --force to replace it.`
      : `${path}: cannot write (${code ?? (e as Error).message}).`;
  }
}

/** To the -o file (never replacing one without --force), else to stdout; false when it could not be written. */
export function deliver(io: Io, text: string, path: string | undefined, force: boolean): boolean {
  if (!path) {
    io.out(text);
    return true;
  }
  const error = write(io, path, text, force);
  io.err(`${error ?? `wrote ${path}`}\n`);
  return !error;
}

/** The file's text, or (having said why) the exit code. */
export function readText(io: Io, file: string): string | { exit: number } {
  try {
    return io.readFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    io.err(`${code === 'ENOENT' ? `${file}: no such file.` : `${file}: cannot read (${code ?? String(e)}).`}\n`);
    return { exit: EXIT.failed };
  }
}
