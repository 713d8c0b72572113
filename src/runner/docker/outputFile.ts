import type Docker from 'dockerode';
import type { OutputFile } from '../backend';
import { MAX_OUTPUT_BYTES, OUTPUT_PATHS } from '../outputs';
import { apiMessage, status } from './engineErrors';

/**
 * The output file of a stopped container, read through the Engine API's archive endpoint (what
 * `docker cp` uses): it works on a remote daemon and needs nothing inside the image. The answer is
 * a tar stream holding the one file; only its first header and data are read.
 */
export async function readOutputFile(container: Docker.Container): Promise<OutputFile> {
  let stream: NodeJS.ReadableStream;
  try {
    stream = (await container.getArchive({ path: OUTPUT_PATHS.docker })) as NodeJS.ReadableStream;
  } catch (e) {
    return status(e) === 404 ? { kind: 'missing' } : { kind: 'unreadable', why: apiMessage(e) };
  }
  const chunks: Buffer[] = [];
  let length = 0;
  // A header (512 bytes) and at most the limit plus one byte of data decide it; the rest is not kept.
  const enough = 512 + MAX_OUTPUT_BYTES + 1;
  await new Promise<void>((resolve) => {
    stream.on('data', (c: Buffer) => {
      if (length < enough) chunks.push(c);
      length += c.length;
    });
    stream.on('end', resolve);
    stream.on('close', resolve);
    stream.on('error', () => resolve());
  });
  const tar = Buffer.concat(chunks);
  if (tar.length < 512) return { kind: 'unreadable', why: 'the archive the daemon sent was empty' };
  const type = String.fromCharCode(tar[156] ?? 48);
  if (type !== '0' && type !== '\0') return { kind: 'unreadable', why: 'it is not a regular file' };
  const size = parseInt(tar.subarray(124, 136).toString('ascii').replace(/\0.*$/, '').trim() || '0', 8);
  if (size > MAX_OUTPUT_BYTES) return { kind: 'too-large', bytes: size };
  return { kind: 'text', text: tar.subarray(512, 512 + size).toString('utf8') };
}

/**
 * Puts the folder of the output file into a created container, before it starts: images need not
 * have it (a scratch or minimal image has no /tmp), and any user may write there (mode 1777).
 */
export async function prepareOutputFolder(container: Docker.Container): Promise<void> {
  const dir = OUTPUT_PATHS.docker.slice(1, OUTPUT_PATHS.docker.lastIndexOf('/') + 1);
  await container.putArchive(tarOfFolder(dir, 0o1777), { path: '/' });
}

/** A tar archive holding one empty folder (ustar: a header block, then two zero blocks). */
function tarOfFolder(name: string, mode: number): Buffer {
  const header = Buffer.alloc(512);
  const field = (offset: number, length: number, value: string) => header.write(value, offset, length, 'ascii');
  const octal = (n: number, length: number) => `${n.toString(8).padStart(length - 1, '0')}\0`;
  field(0, 100, name);
  field(100, 8, octal(mode, 8));
  field(108, 8, octal(0, 8));
  field(116, 8, octal(0, 8));
  field(124, 12, octal(0, 12));
  field(136, 12, octal(Math.floor(Date.now() / 1000), 12));
  field(148, 8, '        ');
  field(156, 1, '5');
  field(257, 6, 'ustar\0');
  field(263, 2, '00');
  let sum = 0;
  for (const b of header) sum += b;
  field(148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  return Buffer.concat([header, Buffer.alloc(1024)]);
}
