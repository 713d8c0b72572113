import type Docker from 'dockerode';
import { AsyncQueue } from '../asyncQueue';
import type { AttemptExit, AttemptHandle, LogLine } from '../backend';
import { LineAssembler } from '../lineAssembler';
import { DockerDemuxer } from './demux';
import { apiMessage, removeQuietly, status } from './engineErrors';
import { readOutputFile } from './outputFile';

/**
 * Follows a container's log from its start until it ends (after the container exits), demultiplexed,
 * assembled into lines, masked. Never rejects: a container removed out of band just ends the log.
 */
export async function followLogs(
  container: Docker.Container,
  mask: (line: string) => string,
  emit: (line: LogLine) => void,
  options: { tty?: boolean; onStream?: (s: NodeJS.ReadableStream) => void } = {},
): Promise<void> {
  const out = new LineAssembler((line) => emit({ stream: 'stdout', line: mask(line) }));
  const err = new LineAssembler((line) => emit({ stream: 'stderr', line: mask(line) }));
  // A TTY container's log is one raw stream with no frame headers (Engine API, "Stream format").
  const demux = options.tty
    ? { push: (c: Buffer) => out.push(c) }
    : new DockerDemuxer((s, payload) => (s === 'stderr' ? err : out).push(payload));
  try {
    const stream = (await container.logs({ follow: true, stdout: true, stderr: true })) as NodeJS.ReadableStream;
    options.onStream?.(stream);
    await new Promise<void>((resolve) => {
      stream.on('data', (c: Buffer) => demux.push(c));
      stream.on('end', resolve);
      stream.on('close', resolve);
      stream.on('error', () => resolve());
    });
  } catch {
    // The container may be gone already; the exit status still decides the attempt.
  } finally {
    out.end();
    err.end();
  }
}

export class DockerAttempt implements AttemptHandle {
  readonly id: string;
  readonly logs: AsyncQueue<LogLine>;
  private logStream: NodeJS.ReadableStream | undefined;
  private readonly logsDone: Promise<void>;

  constructor(
    private readonly container: Docker.Container,
    private readonly waited: Promise<{ StatusCode: number }>,
    mask: (line: string) => string,
    readonly imageDigest: string | undefined,
    tty: boolean,
    /** The task declares outputs: read `$CDAG_OUTPUT` after a successful exit. */
    private readonly readsOutput = false,
  ) {
    this.id = container.id;
    const queue = new AsyncQueue<LogLine>();
    this.logs = queue;
    this.logsDone = followLogs(container, mask, (l) => queue.push(l), {
      tty,
      onStream: (stream) => (this.logStream = stream),
    }).finally(() => queue.end());
  }

  async wait(): Promise<AttemptExit> {
    let code: number;
    try {
      code = (await this.exited()).StatusCode;
    } catch (e) {
      await this.logsDone;
      return { exitCode: -1, reason: `the container disappeared (${apiMessage(e)})` };
    }
    await this.logsDone;
    // Only a failed exit can be the kernel's OOM kill: a successful one costs no extra round trip.
    if (code !== 0) {
      try {
        const state = (await this.container.inspect()).State;
        if (state.OOMKilled)
          return { exitCode: code, reason: 'OOMKilled: the container ran out of memory (raise resources.memory)' };
      } catch {
        // Removed out of band after exiting: the exit code we have is the truth.
      }
    }
    // Read before cleanup removes the container: the file lives in its own file system.
    if (code === 0 && this.readsOutput) return { exitCode: code, output: await readOutputFile(this.container) };
    return { exitCode: code };
  }

  /**
   * The exit. Docker 20.10 can miss the exit of a container that ends within milliseconds for a
   * `next-exit` wait registered before start (its FinishedAt then precedes its StartedAt), and that
   * wait never answers. The log follow does end: half a second after it, a `not-running` wait asks
   * again; it answers at once for an exited container and waits for one still running.
   */
  private exited(): Promise<{ StatusCode: number }> {
    let settled = false;
    const first = this.waited.finally(() => (settled = true));
    const again = this.logsDone
      // Unref'd: a finished run's process must not stay for this timer.
      .then(() => new Promise((r) => setTimeout(r, 500).unref()))
      .then(() =>
        settled ? first : (this.container.wait({ condition: 'not-running' }) as Promise<{ StatusCode: number }>),
      );
    return Promise.race([first, again]);
  }

  async kill(graceMs: number): Promise<void> {
    try {
      await this.container.stop({ t: Math.max(0, Math.ceil(graceMs / 1000)) });
    } catch (e) {
      // 304: already stopped; 404: gone.
      if (status(e) !== 304 && status(e) !== 404 && status(e) !== 409) throw e;
    }
  }

  async cleanup(keep: boolean): Promise<void> {
    (this.logStream as (NodeJS.ReadableStream & { destroy?: () => void }) | undefined)?.destroy?.();
    if (!keep) await removeQuietly(this.container);
  }
}
