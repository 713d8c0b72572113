import dockerignore from '@balena/dockerignore';
import { createHash } from 'node:crypto';
import {
  closeSync,
  lstatSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  readSync,
  realpathSync,
  statSync,
  type Dirent,
  type Stats,
} from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pack } from 'tar-fs';
import { fail, ok, type Errorable } from '../../util/errorable';

/** More files than this in a context is a folder that wants a `.dockerignore` (node_modules, .git). */
export const MAX_CONTEXT_FILES = 20_000;

/** A build's folder as Docker sends it: the files `.dockerignore` leaves, relative and sorted. */
export interface BuildContext {
  readonly root: string;
  readonly files: readonly string[];
  readonly dockerfile: string;
}

/**
 * The files of a context as `docker build` sends them: `.dockerignore` honoured (Docker's own
 * pattern rules, `!` exceptions included), the Dockerfile and `.dockerignore` always sent.
 */
export function readContext(contextDir: string, dockerfile: string): Errorable<BuildContext> {
  let root = resolve(contextDir);
  let st: Stats;
  try {
    // What is sent is the folder the path resolves to now, as the consent judged it.
    root = realpathSync(root);
    st = statSync(root);
  } catch {
    return fail(`The build context ${root} does not exist. Fix "context" (it is relative to the DAG file).`);
  }
  if (!st.isDirectory()) return fail(`The build context ${root} is not a folder. Give "context" a folder.`);
  const dockerfilePath = resolve(root, dockerfile);
  const rel = relative(root, dockerfilePath).split(sep).join('/');
  if (rel.startsWith('../'))
    return fail(`The Dockerfile ${dockerfile} is outside the build context ${root}; Docker sends only the context.`);
  try {
    if (!statSync(dockerfilePath).isFile()) throw new Error('not a file');
  } catch {
    return fail(`There is no Dockerfile at ${dockerfilePath}. Add one, or set "dockerfile" (relative to the context).`);
  }
  let patterns: string[] = [];
  try {
    patterns = readFileSync(join(root, '.dockerignore'), 'utf8')
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
  } catch {
    // No .dockerignore: everything is sent.
  }
  const ig = dockerignore().add(patterns);
  // As Docker: an ignored folder is skipped whole unless some `!` pattern may take a file in it back.
  const exceptions = patterns.some((p) => p.startsWith('!'));
  const files: string[] = [];
  const walk = (dir: string): Errorable<void> => {
    let entries: Dirent[];
    try {
      entries = readdirSync(join(root, dir), { withFileTypes: true });
    } catch (e) {
      return fail(
        `The build context ${root} has a folder that cannot be read (${dir || '.'}: ${(e as NodeJS.ErrnoException).code ?? String(e)}). Leave it out with .dockerignore.`,
      );
    }
    for (const e of entries) {
      const path = dir ? `${dir}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (!exceptions && ig.ignores(path)) continue;
        const r = walk(path);
        if (!r.succeeded) return r;
        // Sockets, FIFOs and devices hold no content an image can take (reading a FIFO would block).
      } else if (!e.isFile() && !e.isSymbolicLink()) continue;
      else if (!ig.ignores(path) || path === rel || path === '.dockerignore') {
        files.push(path);
        if (files.length > MAX_CONTEXT_FILES)
          return fail(
            `The build context ${root} has more than ${MAX_CONTEXT_FILES} files. Leave out what the image does not need with a .dockerignore (node_modules, .git).`,
          );
      }
    }
    return ok(undefined);
  };
  const walked = walk('');
  if (!walked.succeeded) return walked;
  if (!files.includes(rel)) files.push(rel);
  files.sort();
  return ok({ root, files, dockerfile: rel });
}

/** File digests by path, size, mtime and mode: a second run hashes only what changed since. */
const digests = new Map<string, { size: number; mtimeMs: number; mode: number; digest: string; hashedAt: number }>();

/**
 * A digest kept is trusted only when the file's mtime is well before it was taken (git's "racily
 * clean" rule): an edit of the same size within one timestamp tick is hashed again.
 */
const RACY_MS = 2_000;

/**
 * The context's content address: every file's path, executable bit and bytes (symlinks by their
 * target), with what else decides the image (Dockerfile path, build args, target). An unchanged
 * folder gives the same address, so its image is not built again. A file that vanished or cannot
 * be read is said, never thrown.
 */
export function contentHash(ctx: BuildContext, extra: string): Errorable<string> {
  const h = createHash('sha256');
  for (const f of ctx.files) {
    const abs = join(ctx.root, f);
    try {
      const st = lstatSync(abs);
      const known = digests.get(abs);
      let digest: string;
      if (
        known &&
        known.size === st.size &&
        known.mtimeMs === st.mtimeMs &&
        known.mode === st.mode &&
        st.mtimeMs < known.hashedAt - RACY_MS
      )
        digest = known.digest;
      else {
        digest = st.isSymbolicLink() ? `link:${readlinkTarget(abs)}` : fileDigest(abs);
        digests.set(abs, { size: st.size, mtimeMs: st.mtimeMs, mode: st.mode, digest, hashedAt: Date.now() });
      }
      h.update(`${f}\0${st.mode & 0o111 ? 'x' : '-'}\0${digest}\n`);
    } catch (e) {
      return fail(
        `${abs} in the build context could not be read (${(e as NodeJS.ErrnoException).code ?? String(e)}). Leave it out with .dockerignore, or try again.`,
      );
    }
  }
  h.update(`\0${extra}`);
  return ok(h.digest('hex'));
}

/** A file's sha256, read in 1 MiB pieces: memory stays flat whatever its size. */
function fileDigest(abs: string): string {
  const h = createHash('sha256');
  const fd = openSync(abs, 'r');
  try {
    const buf = Buffer.allocUnsafe(1024 * 1024);
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      h.update(buf.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
  return h.digest('hex');
}

function readlinkTarget(abs: string): string {
  try {
    return readlinkSync(abs);
  } catch {
    return '?';
  }
}

/** The context as the tar stream the Engine's build endpoint reads. */
export function contextTar(ctx: BuildContext): Readable {
  return pack(ctx.root, { entries: [...ctx.files] }) as unknown as Readable;
}
