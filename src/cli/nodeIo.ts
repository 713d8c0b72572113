import { readFileSync, writeFileSync } from 'node:fs';
import { readDagFile } from '../dag/dagFile';
import type { Io } from './io';

/** The real process: its streams, files, environment and signals. */
export const nodeIo: Io = {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
  readFile: (p) => readFileSync(p, 'utf8'),
  readDagFile,
  writeFile: (p, text, overwrite) => writeFileSync(p, text, { flag: overwrite ? 'w' : 'wx' }),
  env: process.env,
  signals: process,
  errIsTTY: !!process.stderr.isTTY,
};
