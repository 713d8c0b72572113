import type { BuildSpec } from '../dag/buildImages';
import type { Dag } from '../dag/model';
import type { ImageBuilder } from './backend';
import type { Errorable } from '../util/errorable';
import { renderBuildArgs } from './buildArgs';
import { templateContext } from './renderTask';

/** One image of a DAG as `cdag build` and VS Code's Build Images report it. */
export interface ImageBuildResult {
  readonly image: string;
  /** The tasks (and `service NAME`s) that run it. */
  readonly tasks: readonly string[];
  /** The content tag built or found, its id, and whether it was built now. */
  readonly built?: string;
  readonly id?: string;
  readonly rebuilt?: boolean;
  readonly error?: string;
}

/** The images a DAG builds, each once with the tasks (and services) that run it; `only` keeps those tasks'. */
export function imagesToBuild(
  dag: Dag,
  only?: ReadonlySet<string>,
): Map<string, { build: BuildSpec; tasks: string[] }> {
  const byImage = new Map<string, { build: BuildSpec; tasks: string[] }>();
  const add = (build: BuildSpec, who: string) => {
    const b = byImage.get(build.image) ?? { build, tasks: [] };
    b.tasks.push(who);
    byImage.set(build.image, b);
  };
  for (const t of dag.tasks) if (t.build && (!only || only.has(t.id))) add(t.build, t.id);
  // The services' images come too, unless tasks were named.
  if (!only)
    for (const s of dag.services.values()) {
      const build = dag.images.get(s.image);
      if (build && dag.tasks.some((t) => t.services.includes(s.name))) add(build, `service ${s.name}`);
    }
  return byImage;
}

/**
 * Builds a DAG's images one after another (a build already uses every core), each found by its
 * content when nothing changed; args rendered with the names of a manual run today.
 */
export async function buildDagImages(
  dag: Dag,
  builder: ImageBuilder,
  o: {
    readonly only?: ReadonlySet<string>;
    readonly env: Readonly<Record<string, string | undefined>>;
    readonly onLine: (image: string, line: string) => void;
    readonly signal: AbortSignal;
  },
): Promise<ImageBuildResult[]> {
  const results: ImageBuildResult[] = [];
  for (const [image, { build, tasks }] of imagesToBuild(dag, o.only)) {
    if (o.signal.aborted) break;
    const args = manualArgs(dag, build, tasks[0]!, o.env);
    if (!args.succeeded) {
      results.push({ image, tasks, error: args.error });
      continue;
    }
    const r = await builder.ensure(build, args.result, (l) => o.onLine(image, l), o.signal);
    results.push(
      r.succeeded
        ? { image, tasks, built: r.result.image, id: r.result.id, rebuilt: r.result.built }
        : { image, tasks, error: r.error },
    );
  }
  return results;
}

/** A build's args as a manual run today renders them (outside a run: `cdag build`, the editor's stale marks). */
export function manualArgs(
  dag: Dag,
  build: BuildSpec,
  taskId: string,
  env: Readonly<Record<string, string | undefined>>,
): Errorable<Record<string, string>> {
  const today = new Date(`${new Date().toISOString().slice(0, 10)}T00:00:00Z`);
  const interval = { start: today, end: new Date(today.getTime() + 86_400_000) };
  const task = dag.tasks.find((t) => t.id === taskId) ?? dag.tasks[0]!;
  return renderBuildArgs(
    build,
    templateContext(dag, task, { runId: 'build', tryNumber: 1, interval, env, outputs: new Map() }),
  );
}
