import { analyzeDag, type Analysis } from '../dag/analyze';
import { describeDagFileError, isDagFileError } from '../dag/dagFile';
import { toHumanLines } from './formatProblems';
import { EXIT, type Io } from './io';

/** A DAG file read with its checks and analyzed, or why it could not be read. */
export function loadDag(file: string, io: Io): Analysis | string {
  if (io.readDagFile) {
    const read = io.readDagFile(file);
    if (isDagFileError(read)) return describeDagFileError(read);
    return analyzeDag(read.text, file, read.problems);
  }
  try {
    return analyzeDag(io.readFile(file), file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? `${file}: no such file.` : `${file}: cannot read (${code ?? String(e)}).`;
  }
}

/** Loads a file that must be free of errors; prints its problems otherwise. */
export function loadValidDag(file: string, io: Io): Analysis | number {
  const a = loadDag(file, io);
  if (typeof a === 'string') {
    io.err(`${a}\n`);
    return EXIT.failed;
  }
  if (a.hasErrors || !a.dag) {
    for (const line of toHumanLines(file, a).filter((l) => l.includes(': error: '))) io.err(`${line}\n`);
    io.err(`${file}: fix the errors above first (cdag validate ${file}).\n`);
    return EXIT.failed;
  }
  return a;
}
