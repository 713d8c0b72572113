import type Docker from 'dockerode';
import { resolve } from 'node:path';
import type { Dag } from '../../dag/model';
import { imagesToBuild, manualArgs } from '../dagImages';
import { status } from './engineErrors';
import { contentTagOf } from './imageBuilds';

/** Which tasks' images would be built by the next run, and the folders that decide it. */
export interface ImageStatus {
  /** Tasks whose image, as their folder is now, is not on the Engine: the next run builds it. */
  readonly stale: readonly string[];
  /** The build contexts, resolved: a change in one may make its tasks stale. */
  readonly contexts: readonly string[];
}

/**
 * What the editor marks stale: each task image's content tag as its folder is now, looked up on
 * the Engine (an inspect, never a build). A folder that cannot be read counts as stale too.
 */
export async function imageStatus(
  docker: Docker,
  dag: Dag,
  dagDir: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<ImageStatus> {
  const stale: string[] = [];
  const contexts = new Set<string>();
  for (const [, { build, tasks }] of imagesToBuild(dag)) {
    contexts.add(resolve(dagDir, build.context));
    const ids = tasks.filter((t) => !t.startsWith('service '));
    const args = manualArgs(dag, build, ids[0] ?? tasks[0]!, env);
    const tag = args.succeeded ? contentTagOf(dagDir, build, args.result) : args;
    const present =
      tag.succeeded &&
      (await docker
        .getImage(tag.result.tag)
        .inspect()
        .then(
          () => true,
          (e: unknown) => (status(e) === 404 ? false : true),
        ));
    if (!present) stale.push(...ids);
  }
  return { stale, contexts: [...contexts] };
}
