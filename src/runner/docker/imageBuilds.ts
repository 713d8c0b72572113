import type Docker from 'dockerode';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { BuildSpec } from '../../dag/buildImages';
import { LABELS, LABEL_PREFIX, MANAGED_BY } from '../../dag/labels';
import { fail, ok, type Errorable } from '../../util/errorable';
import type { BuiltImage, ImageBuilder } from '../backend';
import { instructionLines } from '../dockerfileSteps';
import { untilAborted } from '../../util/untilAborted';
import { contentHash, contextTar, readContext, type BuildContext } from './buildContext';
import { apiMessage, status } from './engineErrors';

/** The label that carries a built image's content address. */
export const BUILD_LABEL = `${LABEL_PREFIX}/build`;
/** Lines of a failing step a failure quotes. */
const FAILED_STEP_LINES = 15;

interface Shared {
  readonly stop: AbortController;
  waiters: number;
  readonly lines: Set<(line: string) => void>;
  done: Promise<Errorable<BuiltImage>>;
}

/**
 * What a build would be tagged now: its context read as Docker sends it and addressed by content
 * (`REPO:cdag-HASH`), so a run, `cdag build` and the editor's stale marks agree.
 */
export function contentTagOf(
  dagDir: string,
  build: BuildSpec,
  args: Readonly<Record<string, string>>,
): Errorable<{ ctx: BuildContext; hash: string; tag: string }> {
  const ctx = readContext(resolve(dagDir, build.context), build.dockerfile);
  if (!ctx.succeeded) return ctx;
  const sortedArgs = Object.entries(args).sort(([a], [b]) => a.localeCompare(b));
  const hash = contentHash(ctx.result, JSON.stringify([ctx.result.dockerfile, sortedArgs, build.target ?? null]));
  if (!hash.succeeded) return hash;
  return ok({
    ctx: ctx.result,
    hash: hash.result,
    tag: `${repositoryOf(build.image)}:cdag-${hash.result.slice(0, 16)}`,
  });
}

/** `host:5000/a/b:tag` → `host:5000/a/b`: a tag is a `:` after the last `/`. */
export function repositoryOf(image: string): string {
  const at = image.lastIndexOf(':');
  return at > image.lastIndexOf('/') ? image.slice(0, at) : image;
}

/**
 * Images built on one Docker Engine from their folders, as Docker Compose's `build:` does, tagged by
 * content (`REPO:cdag-HASH`, and the reference as written): a context whose files, Dockerfile, args
 * and target are unchanged is found by that tag and never sent again; one build per content at a
 * time, whoever asks for it. The classic builder's "Step N/M" lines map a failure to its Dockerfile line.
 */
export class ImageBuilds implements ImageBuilder {
  /** Builds going on or done, by content tag: each with its own cancel, pulled only when no one waits. */
  private readonly inFlight = new Map<string, Shared>();

  constructor(
    private readonly docker: Docker,
    /** The DAG file's folder: contexts are relative to it. */
    private readonly dagDir: string,
  ) {}

  async ensure(
    build: BuildSpec,
    args: Readonly<Record<string, string>>,
    onLine: (line: string) => void,
    signal: AbortSignal,
  ): Promise<Errorable<BuiltImage>> {
    const addressed = contentTagOf(this.dagDir, build, args);
    if (!addressed.succeeded) return addressed;
    const { ctx, hash, tag } = addressed.result;
    let shared = this.inFlight.get(tag);
    if (!shared) {
      const stop = new AbortController();
      const lines = new Set<(line: string) => void>();
      const s: Shared = { stop, waiters: 0, lines, done: Promise.resolve(fail('cancelled')) };
      s.done = this.build(build, ctx, args, hash, tag, (l) => lines.forEach((f) => f(l)), stop.signal)
        .catch((e: unknown) => fail(`The build of ${build.image} failed: ${apiMessage(e)}`))
        .then((r) => {
          // A failed or cancelled build is tried again by the next task that needs it.
          if (!r.succeeded && this.inFlight.get(tag) === s) this.inFlight.delete(tag);
          return r;
        });
      this.inFlight.set(tag, s);
      shared = s;
    } else onLine(`Image ${tag} is being built for another task; waiting for it.`);
    return this.wait(shared, onLine, signal);
  }

  /**
   * One task's wait for a build others may wait for too: its cancel ends its own wait at once, and
   * the build itself only when no task waits for it any more.
   */
  private async wait(s: Shared, onLine: (line: string) => void, signal: AbortSignal): Promise<Errorable<BuiltImage>> {
    if (signal.aborted) return fail('cancelled');
    s.waiters++;
    s.lines.add(onLine);
    try {
      return await untilAborted(s.done, signal);
    } finally {
      s.lines.delete(onLine);
      if (--s.waiters === 0 && signal.aborted) s.stop.abort();
    }
  }

  private async build(
    build: BuildSpec,
    ctx: BuildContext,
    args: Readonly<Record<string, string>>,
    hash: string,
    tag: string,
    onLine: (line: string) => void,
    signal: AbortSignal,
  ): Promise<Errorable<BuiltImage>> {
    const present = await this.docker
      .getImage(tag)
      .inspect()
      .then((i) => i.Id)
      .catch((e: unknown) => (status(e) === 404 ? undefined : new Error(apiMessage(e))));
    if (present instanceof Error) return fail(`Docker could not inspect image ${tag}: ${present.message}`);
    if (present) {
      onLine(`Image ${build.image} is up to date (${tag}): ${ctx.root} has not changed since it was built.`);
      await this.tagAsWritten(tag, build.image, onLine);
      return ok({ image: tag, id: present, built: false });
    }
    if (signal.aborted) return fail('cancelled');
    onLine(`Building ${build.image} from ${ctx.root} (${ctx.files.length} files, ${ctx.dockerfile})`);
    // A file that vanishes or cannot be read while the context is sent ends the request, never the
    // process (an 'error' with no listener would), and is the build's failure.
    const request = new AbortController();
    const onAbort = () => request.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    let tarError: string | undefined;
    const tar = contextTar(ctx);
    tar.once('error', (e: Error) => {
      tarError = e.message;
      request.abort();
    });
    try {
      return await this.send(build, ctx, args, hash, tag, tar, request.signal, signal, onLine, () => tarError);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  private async send(
    build: BuildSpec,
    ctx: BuildContext,
    args: Readonly<Record<string, string>>,
    hash: string,
    tag: string,
    tar: NodeJS.ReadableStream,
    requestSignal: AbortSignal,
    signal: AbortSignal,
    onLine: (line: string) => void,
    tarError: () => string | undefined,
  ): Promise<Errorable<BuiltImage>> {
    const unsent = () => {
      const e = tarError();
      return e
        ? fail(
            `The build context ${ctx.root} could not be sent: ${e}. Leave the file out with .dockerignore, or try again.`,
          )
        : undefined;
    };
    let stream: NodeJS.ReadableStream;
    try {
      stream = await this.docker.buildImage(tar, {
        t: tag,
        dockerfile: ctx.dockerfile,
        ...(Object.keys(args).length ? { buildargs: { ...args } } : {}),
        ...(build.target ? { target: build.target } : {}),
        labels: { [LABELS.managedBy]: MANAGED_BY, [BUILD_LABEL]: hash },
        rm: true,
        forcerm: true,
        abortSignal: requestSignal,
      });
    } catch (e) {
      return (
        unsent() ??
        fail(signal.aborted ? 'cancelled' : `Docker could not start the build of ${build.image}: ${apiMessage(e)}`)
      );
    }
    const step = { n: 0, of: 0, text: '', lines: [] as string[] };
    let id: string | undefined;
    const error = await new Promise<string | undefined>((done) => {
      this.docker.modem.followProgress(
        stream,
        (err: Error | null) => done(err ? (signal.aborted ? 'cancelled' : err.message) : undefined),
        (e: { stream?: string; error?: string; errorDetail?: { message?: string }; aux?: { ID?: string } }) => {
          if (e.aux?.ID) id = e.aux.ID;
          for (const raw of (e.stream ?? '').split('\n')) {
            const line = raw.trimEnd();
            if (!line) continue;
            const s = /^Step (\d+)\/(\d+) : (.*)$/.exec(line);
            if (s) Object.assign(step, { n: Number(s[1]), of: Number(s[2]), text: s[3], lines: [] });
            // The builder's own bookkeeping is not the step's output.
            else if (!/^ ---> |^Removing intermediate container /.test(line)) step.lines.push(line);
            onLine(line);
          }
          if (e.error) {
            onLine(e.errorDetail?.message ?? e.error);
            done(e.errorDetail?.message ?? e.error);
          }
        },
      );
    });
    const lost = unsent();
    if (lost) return lost;
    if (error === 'cancelled' || signal.aborted) return fail('cancelled');
    if (error !== undefined) return fail(this.failure(build, ctx.root, ctx.dockerfile, step, error));
    const built =
      id ??
      (await this.docker
        .getImage(tag)
        .inspect()
        .then(
          (i) => i.Id,
          () => undefined,
        ));
    if (!built) return fail(`The build of ${build.image} reported no image; see its log.`);
    await this.tagAsWritten(tag, build.image, onLine);
    return ok({ image: tag, id: built, built: true });
  }

  /**
   * The reference as written follows what the DAG runs (for `docker run` by hand, Airflow and other
   * tools), unless it names an image this tool did not build: a DAG file never replaces the user's
   * own `python:3.12` or `alpine`.
   */
  private async tagAsWritten(tag: string, image: string, onLine: (line: string) => void): Promise<void> {
    const repo = repositoryOf(image);
    const name = image.slice(repo.length + 1) || 'latest';
    const theirs = await this.docker
      .getImage(`${repo}:${name}`)
      .inspect()
      .then(
        (i) => i.Config?.Labels?.[LABELS.managedBy] !== MANAGED_BY,
        () => false,
      );
    if (theirs) {
      onLine(`Left ${repo}:${name} as it is: it is an image cdag did not build. The task runs ${tag}.`);
      return;
    }
    await this.docker
      .getImage(tag)
      .tag({ repo, tag: name })
      .catch(() => undefined);
  }

  /** The failing step, its Dockerfile line and output: what `docker build` would have shown last. */
  private failure(
    build: BuildSpec,
    root: string,
    dockerfile: string,
    step: { n: number; of: number; text: string; lines: string[] },
    error: string,
  ): string {
    let where = '';
    if (step.n > 0) {
      let line: number | undefined;
      try {
        line = instructionLines(readFileSync(join(root, dockerfile), 'utf8'))[step.n - 1];
      } catch {
        // The Dockerfile changed or went away since: the step alone says where.
      }
      where = ` at ${dockerfile}${line ? `:${line}` : ''} (step ${step.n}/${step.of}: ${step.text})`;
    }
    const tail = step.lines.filter((l) => l !== error).slice(-FAILED_STEP_LINES);
    // Builds go through the Engine API's classic builder: BuildKit-only syntax fails there.
    const hint = /buildkit/i.test(error)
      ? ' This Dockerfile needs BuildKit (RUN --mount, heredocs, COPY --link), which builds through the Engine API do not use yet; build it with `docker buildx build` and give the image without `build`.'
      : '';
    return `The build of ${build.image} failed${where}: ${error}${hint}${tail.length ? `\n${tail.join('\n')}` : ''}`;
  }
}
