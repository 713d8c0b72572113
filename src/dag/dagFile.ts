import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { MAX_FILE_BYTES } from './parse';
import { problem, type Problem } from './problem';

/** Why a DAG file could not be read: a code each front end phrases, with the path. */
export interface DagFileError {
  readonly code: 'file-not-found' | 'file-not-regular' | 'file-too-large' | 'file-unreadable';
  readonly path: string;
  /** The system's error code (`EACCES`, …), or what the path is (`a FIFO`). */
  readonly detail?: string;
}

export interface DagFileText {
  readonly text: string;
  /** Problems of the bytes themselves (invalid UTF-8), with their place in `text`. */
  readonly problems: readonly Problem[];
}

/**
 * Reads a DAG file that may be hostile: opened without blocking (a FIFO would wait for a writer
 * forever), refused unless a regular file, its size judged from `fstat` before a byte is read,
 * and decoded as UTF-8 with the first invalid byte reported where it stands.
 */
export function readDagFile(path: string): DagFileText | DagFileError {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? { code: 'file-not-found', path } : { code: 'file-unreadable', path, detail: code ?? '' };
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return { code: 'file-not-regular', path, detail: kindOf(st) };
    if (st.size > MAX_FILE_BYTES) return { code: 'file-too-large', path, detail: String(st.size) };
    // One byte more than the limit tells a file that grew since fstat from one that did not.
    const buf = Buffer.alloc(MAX_FILE_BYTES + 1);
    let n = 0;
    for (;;) {
      const got = readSync(fd, buf, n, buf.length - n, null);
      if (got === 0 || n + got >= buf.length) {
        n += got;
        break;
      }
      n += got;
    }
    if (n > MAX_FILE_BYTES) return { code: 'file-too-large', path, detail: `more than ${MAX_FILE_BYTES}` };
    return decodeDag(buf.subarray(0, n));
  } catch (e) {
    return { code: 'file-unreadable', path, detail: (e as NodeJS.ErrnoException).code ?? (e as Error).message };
  } finally {
    closeSync(fd);
  }
}

export function isDagFileError(x: DagFileText | DagFileError): x is DagFileError {
  return 'code' in x;
}

/** One sentence for a file error, naming the path, the cause and the fix. */
export function describeDagFileError(e: DagFileError): string {
  switch (e.code) {
    case 'file-not-found':
      return `${e.path}: no such file.`;
    case 'file-not-regular':
      return `${e.path}: not a regular file (${e.detail ?? 'something else'}); a DAG file is a YAML file.`;
    case 'file-too-large':
      return `${e.path}: ${e.detail ?? 'too many'} bytes; DAG files are limited to ${MAX_FILE_BYTES} bytes (1 MiB). Split it into several DAGs.`;
    case 'file-unreadable':
      return `${e.path}: cannot read (${e.detail ?? 'unknown error'}).`;
  }
}

/** UTF-8 text; invalid bytes become U+FFFD and the first one is a problem at its place. */
export function decodeDag(bytes: Uint8Array): DagFileText {
  const bad = firstInvalidUtf8(bytes);
  const decoder = new TextDecoder('utf-8');
  const text = decoder.decode(bytes);
  if (bad < 0) return { text, problems: [] };
  // The valid prefix decodes to the same characters, so its length is the offset in `text`.
  const at = decoder.decode(bytes.subarray(0, bad)).length;
  return {
    text,
    problems: [
      problem(
        'invalid-encoding',
        'error',
        `Byte 0x${bytes[bad]!.toString(16).padStart(2, '0')} at byte ${bad} is not valid UTF-8; DAG files are UTF-8. Re-save the file as UTF-8.`,
        { start: at, end: Math.min(at + 1, text.length) },
      ),
    ],
  };
}

/** The index of the first byte that is not part of well-formed UTF-8 (RFC 3629), or -1. */
export function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) need = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      need = 2;
      if (c === 0xe0) lo = 0xa0;
      if (c === 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3;
      if (c === 0xf0) lo = 0x90;
      if (c === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= need; k++) {
      const x = b[i + k];
      if (x === undefined) return i;
      if (k === 1 ? x < lo || x > hi : x < 0x80 || x > 0xbf) return i;
    }
    i += need + 1;
  }
  return -1;
}

function kindOf(st: import('node:fs').Stats): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a file';
}
