import type { DagFileError, DagFileText } from '../dag/dagFile';

/** Exit codes are part of the contract: 0 ok, 1 the input has errors or a task failed, 2 the command line is wrong. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/**
 * The CLI's only contact with the process — output, files, environment, signals, terminal — so
 * commands can be tested in memory. The exit code is what `main` returns; `cdag.ts` sets it.
 */
export interface Io {
  out(s: string): void;
  err(s: string): void;
  readFile(path: string): string;
  /** Reads a DAG file with its checks (regular file, size, UTF-8); defaults to the real file system. */
  readDagFile?(path: string): DagFileText | DagFileError;
  /** Writes a new file; throws EEXIST rather than replace one unless `overwrite`. Defaults to the real file system. */
  writeFile?(path: string, text: string, overwrite: boolean): void;
  /** The environment: secrets, DOCKER_HOST, KUBECONFIG and templates' `env.*` (none when absent). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Where SIGINT, SIGTERM and SIGHUP arrive (none when absent). */
  readonly signals?: NodeJS.EventEmitter;
  /** Whether stderr is a terminal (progress lines get symbols). */
  readonly errIsTTY?: boolean;
}
