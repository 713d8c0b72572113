import { untilAborted } from '../../util/untilAborted';
import { execFile } from 'node:child_process';
import type Docker from 'dockerode';
import type { BuildSpec } from '../../dag/buildImages';
import { fail, ok, type Errorable } from '../../util/errorable';
import type { BuiltImage, ImageBuilder } from '../backend';
import { apiMessage } from './engineErrors';
import { repositoryOf } from './imageBuilds';

/** How an image built on the local Engine reaches a cluster: a registry it pulls from, or a load command. */
export type Delivery =
  | { readonly kind: 'registry'; readonly registry: string }
  /** A command given the image as its last argument (`kind load docker-image`, `minikube image load`). */
  | { readonly kind: 'load'; readonly command: string };

/** Loading a large image into a cluster may take a while; a hung command does not hang the run. */
const LOAD_TIMEOUT_MS = 10 * 60_000;

/**
 * Builds as `inner` does, then makes the image reach the cluster, once per content: pushed to the
 * registry and run by digest (`REGISTRY/REPO@sha256:…`), or loaded by the user's command and run
 * by its content tag (which no other content ever has, so `IfNotPresent` never runs a stale one).
 */
export class ClusterDelivery implements ImageBuilder {
  private readonly delivered = new Map<string, Promise<Errorable<string>>>();

  constructor(
    private readonly docker: Docker,
    private readonly inner: ImageBuilder,
    private readonly delivery: Delivery,
  ) {}

  async ensure(
    build: BuildSpec,
    args: Readonly<Record<string, string>>,
    onLine: (line: string) => void,
    signal: AbortSignal,
  ): Promise<Errorable<BuiltImage>> {
    const built = await this.inner.ensure(build, args, onLine, signal);
    if (!built.succeeded) return built;
    let p = this.delivered.get(built.result.image);
    if (!p) {
      // Shared by every task that runs this image: no one task's cancel stops it for the others
      // (a load is bounded by its timeout; a push ends with the connection).
      p = this.deliver(built.result.image, onLine, new AbortController().signal).catch((e: unknown) =>
        fail(`The image ${built.result.image} could not reach the cluster: ${apiMessage(e)}`),
      );
      this.delivered.set(built.result.image, p);
      void p.then((r) => !r.succeeded && this.delivered.delete(built.result.image));
    }
    const ref = await untilAborted(p, signal);
    return ref.succeeded ? ok({ ...built.result, image: ref.result }) : ref;
  }

  private deliver(image: string, onLine: (line: string) => void, signal: AbortSignal): Promise<Errorable<string>> {
    return this.delivery.kind === 'registry'
      ? this.push(image, this.delivery.registry, onLine, signal)
      : this.load(image, this.delivery.command, onLine, signal);
  }

  private async push(
    image: string,
    registry: string,
    onLine: (line: string) => void,
    signal: AbortSignal,
  ): Promise<Errorable<string>> {
    const repo = `${registry.replace(/\/+$/, '')}/${repositoryOf(image)}`;
    const tag = image.slice(repositoryOf(image).length + 1);
    try {
      await this.docker.getImage(image).tag({ repo, tag });
      onLine(`Pushing ${repo}:${tag}`);
      // The Engine wants an X-Registry-Auth header even for a registry without login: an empty one.
      const stream = (await this.docker
        .getImage(`${repo}:${tag}`)
        .push({ authconfig: {}, abortSignal: signal })) as NodeJS.ReadableStream;
      let digest: string | undefined;
      const error = await new Promise<string | undefined>((done) =>
        this.docker.modem.followProgress(
          stream,
          (err: Error | null) => done(err?.message),
          (e: { status?: string; error?: string; aux?: { Digest?: string } }) => {
            if (e.aux?.Digest) digest = e.aux.Digest;
            if (e.error) done(e.error);
          },
        ),
      );
      if (signal.aborted) return fail('cancelled');
      if (error !== undefined)
        return fail(
          `Pushing ${repo}:${tag} to ${registry} failed: ${error}. Check that the registry is up and takes pushes without a login (a registry that needs one is not supported yet).`,
        );
      if (!digest) return fail(`The push of ${repo}:${tag} reported no digest.`);
      onLine(`Pushed ${repo}@${digest}`);
      return ok(`${repo}@${digest}`);
    } catch (e) {
      return fail(signal.aborted ? 'cancelled' : `Pushing ${repo}:${tag} to ${registry} failed: ${apiMessage(e)}`);
    }
  }

  private load(
    image: string,
    command: string,
    onLine: (line: string) => void,
    signal: AbortSignal,
  ): Promise<Errorable<string>> {
    onLine(`Loading ${image} into the cluster: ${command} ${image}`);
    return new Promise((resolve) => {
      // The command comes from the user's settings (never from a DAG file); the image goes as an argument.
      execFile(
        'sh',
        ['-c', `${command} "$1"`, 'cdag-load-image', image],
        { signal, timeout: LOAD_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 },
        (err, stdout, stderr) => {
          for (const l of `${stdout}${stderr}`.split('\n')) if (l.trim()) onLine(l.trimEnd());
          if (signal.aborted) return resolve(fail('cancelled'));
          if (err)
            return resolve(
              fail(
                `Loading ${image} into the cluster with "${command}" failed (${err.message.split('\n')[0]}); see the lines above in the task's log.`,
              ),
            );
          resolve(ok(image));
        },
      );
    });
  }
}
