import dockerignore from '@balena/dockerignore';
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync, statSync, type Stats } from 'node:fs';
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
  const root = resolve(contextDir);
  let st: Stats;
  try {
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
    for (const e of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = dir ? `${dir}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (!exceptions && ig.ignores(path)) continue;
        const r = walk(path);
        if (!r.succeeded) return r;
      } else if (!ig.ignores(path) || path === rel || path === '.dockerignore') {
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

/** File digests by path, size and mtime: a second run hashes only what changed since. */
const digests = new Map<string, { size: number; mtimeMs: number; mode: number; digest: string }>();

/**
 * The context's content address: every file's path, executable bit and bytes (symlinks by their
 * target), with what else decides the image (Dockerfile path, build args, target). An unchanged
 * folder gives the same address, so its image is not built again.
 */
export function contentHash(ctx: BuildContext, extra: string): string {
  const h = createHash('sha256');
  for (const f of ctx.files) {
    const abs = join(ctx.root, f);
    const st = lstatSync(abs);
    const known = digests.get(abs);
    let digest: string;
    if (known && known.size === st.size && known.mtimeMs === st.mtimeMs && known.mode === st.mode)
      digest = known.digest;
    else {
      digest = st.isSymbolicLink()
        ? `link:${readlinkTarget(abs)}`
        : createHash('sha256').update(readFileSync(abs)).digest('hex');
      digests.set(abs, { size: st.size, mtimeMs: st.mtimeMs, mode: st.mode, digest });
    }
    h.update(`${f}\0${st.mode & 0o111 ? 'x' : '-'}\0${digest}\n`);
  }
  h.update(`\0${extra}`);
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
