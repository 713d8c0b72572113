import type { Task } from './model';

/** How a task's (or service's) image is built: Docker Compose's `build:` (see `BUILD_SPEC`). */
export interface BuildSpec {
  /** The reference the build tags (`repository[:tag]`); a run uses the content tag beside it. */
  readonly image: string;
  /** As written, relative to the DAG file's folder. */
  readonly context: string;
  /** Relative to the context. */
  readonly dockerfile: string;
  /** Templates with the run's names, rendered at build time. */
  readonly args: Readonly<Record<string, string>>;
  readonly target?: string;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;

/** A `build:` value as the model keeps it; undefined when it names no context. */
export function buildSpecOf(raw: unknown, image: string): BuildSpec | undefined {
  if (!isObj(raw)) return undefined;
  const context = text(raw.context);
  if (!context) return undefined;
  const args = new Map<string, string>();
  if (isObj(raw.args))
    for (const [k, v] of Object.entries(raw.args)) {
      const s = text(v);
      if (s !== undefined) args.set(k, s);
    }
  const target = text(raw.target);
  return {
    image,
    context,
    dockerfile: text(raw.dockerfile) || 'Dockerfile',
    args: Object.fromEntries(args),
    ...(target ? { target } : {}),
  };
}

/** `images:` — what the DAG builds, by the reference tasks and services give as `image`. */
export function imagesOf(root: unknown): Map<string, BuildSpec> {
  const out = new Map<string, BuildSpec>();
  if (isObj(root))
    for (const [ref, raw] of Object.entries(root)) {
      const b = buildSpecOf(raw, ref);
      if (b) out.set(ref, b);
    }
  return out;
}

/** The repository a task's own `build:` tags when it names no `image`: `cdag/DAG-TASK`. */
export function derivedImage(dagId: string, taskId: string): string {
  const clean = (s: string) =>
    s
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '');
  return `cdag/${clean(dagId) || 'dag'}-${clean(taskId) || 'task'}`;
}

/** The task with how its image is built: its own `build:`, else the DAG's `images` entry for its image. */
export function withBuild(task: Task, raw: unknown, images: ReadonlyMap<string, BuildSpec>, dagId: string): Task {
  const image = task.image || derivedImage(dagId, task.id);
  const own = buildSpecOf(raw, image);
  const build = own ?? images.get(task.image);
  return build ? { ...task, image, build } : task;
}
