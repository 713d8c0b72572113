import type Docker from 'dockerode';
import { fail, ok, type Errorable } from '../../util/errorable';
import { apiMessage, status } from './engineErrors';

/**
 * The images of one run on one Docker Engine: each found present is inspected once, not per task;
 * a missing one is pulled as its pull policy says, with progress summarised for the UI.
 */
export class RunImages {
  /** Images found present during this run (IfNotPresent/Never): image → digest. */
  private readonly present = new Map<string, string>();
  private readonly inspecting = new Map<string, Promise<string | null | Error>>();

  constructor(
    private readonly docker: Docker,
    private readonly onPull?: (image: string, status: string) => void,
  ) {}

  /** The image's digest, pulled per policy: Never fails when missing, IfNotPresent pulls when missing, Always pulls. */
  async ensure(image: string, policy: string, signal: AbortSignal): Promise<Errorable<string | undefined>> {
    const known = policy !== 'Always' ? this.present.get(image) : undefined;
    if (known) return ok(known);
    const r = await this.inspectOrPull(image, policy, signal);
    if (r.succeeded && r.result) this.present.set(image, r.result);
    return r;
  }

  /** The image's digest, null when it is missing: one request for tasks that start together. */
  private inspected(image: string): Promise<string | null | Error> {
    let p = this.inspecting.get(image);
    if (!p) {
      p = this.docker
        .getImage(image)
        .inspect()
        .then((i) => i.RepoDigests?.[0] ?? i.Id)
        .catch((e: unknown) => (status(e) === 404 ? null : Promise.reject(e)))
        .catch((e: unknown) => new Error(apiMessage(e)))
        .finally(() => this.inspecting.delete(image));
      this.inspecting.set(image, p);
    }
    return p;
  }

  private async inspectOrPull(
    image: string,
    policy: string,
    signal: AbortSignal,
  ): Promise<Errorable<string | undefined>> {
    const present = await this.inspected(image);
    if (present instanceof Error) return fail(`Docker could not inspect image ${image}: ${present.message}`);
    if (present && policy !== 'Always') return ok(present);
    if (!present && policy === 'Never') {
      return fail(
        `Image ${image} is not on this Docker Engine and image_pull_policy is Never. Build or load it first (docker build -t ${image} …), or allow pulling with image_pull_policy: IfNotPresent.`,
      );
    }
    try {
      const stream = await this.docker.pull(image);
      const progress = new PullProgress((text) => this.onPull?.(image, text));
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => {
          (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
          reject(new Error('cancelled'));
        };
        signal.addEventListener('abort', onAbort, { once: true });
        this.docker.modem.followProgress(
          stream,
          (err: Error | null) => {
            signal.removeEventListener('abort', onAbort);
            if (err) reject(err);
            else resolve();
          },
          (event: PullEvent) => progress.push(event),
        );
      });
      progress.end();
      const i = await this.docker.getImage(image).inspect();
      return ok(i.RepoDigests?.[0] ?? i.Id);
    } catch (e) {
      if (signal.aborted) return fail('cancelled');
      return fail(
        `Could not pull image ${image}: ${apiMessage(e)}. Check the name and registry access, or build it locally and set image_pull_policy: Never.`,
      );
    }
  }
}

interface PullEvent {
  status?: string;
  id?: string;
  progressDetail?: { current?: number; total?: number };
}

/**
 * Docker's pull progress is one event per layer per chunk; users want one line now and then:
 * bytes done of the layers seen so far, at most once a second, and the final status.
 */
export class PullProgress {
  private readonly layers = new Map<string, { current: number; total: number }>();
  private last = 0;
  private final: string | undefined;

  constructor(
    private readonly emit: (text: string) => void,
    private readonly now: () => number = Date.now,
  ) {}

  push(e: PullEvent): void {
    if (e.status?.startsWith('Status:') || e.status?.startsWith('Digest:')) this.final = e.status;
    if (e.id && e.progressDetail?.total) {
      this.layers.set(e.id, { current: e.progressDetail.current ?? 0, total: e.progressDetail.total });
    }
    if (e.id && e.status === 'Pull complete') {
      const l = this.layers.get(e.id);
      if (l) l.current = l.total;
    }
    if (this.now() - this.last < 1000 || this.layers.size === 0) return;
    this.last = this.now();
    let current = 0;
    let total = 0;
    for (const l of this.layers.values()) {
      current += Math.min(l.current, l.total);
      total += l.total;
    }
    this.emit(`${mb(current)} of ${mb(total)} MB (${this.layers.size} layer${this.layers.size === 1 ? '' : 's'})`);
  }

  end(): void {
    this.emit(this.final?.replace(/^Status: /, '') ?? 'pulled');
  }
}

const mb = (n: number) => (n / 1e6).toFixed(1);
