import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildDagImages, imagesToBuild } from '../../runner/dagImages';
import { buildContextRequests } from '../../runner/consent';
import { Consent } from '../../runner/hostAccess';
import { launchFailureText } from '../launchMessages';
import { EXIT, type Io } from '../io';
import { loadValidDag } from '../loadDag';
import { USAGES } from '../usage';

/**
 * Builds the images of a DAG's tasks with `build` (or of the tasks named) and of its services, as
 * `docker compose build` does: only an image whose folder, Dockerfile or args changed is sent to
 * the Engine; the others are found by their content tag.
 */
export async function buildCommand(args: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: {
      task: { type: 'string', multiple: true },
      json: { type: 'boolean' },
      push: { type: 'boolean' },
      registry: { type: 'string' },
      'allow-host-path': { type: 'string', multiple: true },
    },
    allowPositionals: true,
  });
  if (positionals.length !== 1) {
    io.err(`build takes one FILE.\nUsage: ${USAGES.build}\n`);
    return EXIT.usage;
  }
  const file = resolve(positionals[0]!);
  const a = loadValidDag(file, io);
  if (typeof a === 'number') return a;
  const dag = a.dag!;
  for (const t of values.task ?? [])
    if (!dag.tasks.some((x) => x.id === t)) {
      io.err(`No task "${t}" in ${dag.id}.\nUsage: ${USAGES.build}\n`);
      return EXIT.usage;
    }
  const registry = values.registry ?? io.env?.CDAG_REGISTRY;
  if (values.push && !registry) {
    io.err(`--push needs the registry to push to: --registry HOST (or CDAG_REGISTRY).\nUsage: ${USAGES.build}\n`);
    return EXIT.usage;
  }
  const only = values.task ? new Set(values.task) : undefined;
  if (imagesToBuild(dag, only).size === 0) {
    io.err(
      `${only ? 'These tasks do' : `${dag.id} does`} not build an image (no "build", no "images" entry for an image it runs).\n`,
    );
    return only ? EXIT.usage : EXIT.ok;
  }
  // A context that resolves to a system folder needs the consent a mount of it would.
  const allowed = new Consent(values['allow-host-path'] ?? []);
  const refused = buildContextRequests(dag, dirname(file), only).filter((r) => !allowed.allows(r));
  if (refused.length) {
    io.err(`${launchFailureText({ code: 'host-access-refused', requests: refused })}\n`);
    return EXIT.usage;
  }
  const { connectDocker, ImageBuilds, ClusterDelivery } = await import('../../runner/docker/dockerBundle');
  const engine = await connectDocker(dag.docker.host, io.env ?? {});
  if (!engine.succeeded) {
    io.err(`${engine.error}\n`);
    return EXIT.failed;
  }
  const local = new ImageBuilds(engine.result, dirname(file));
  // With --push, what is built is pushed too, and reported by digest (`REGISTRY/REPO@sha256:…`).
  const builder =
    values.push && registry ? new ClusterDelivery(engine.result, local, { kind: 'registry', registry }) : local;
  const results = await buildDagImages(dag, builder, {
    ...(only ? { only } : {}),
    env: io.env ?? {},
    onLine: (_image, l) => !values.json && io.err(`  ${l}\n`),
    signal: new AbortController().signal,
  });
  if (values.json) io.out(`${JSON.stringify({ dag: dag.id, images: results }, null, 2)}\n`);
  else
    for (const r of results)
      io.err(
        r.error
          ? `✘ ${r.image} (${r.tasks.join(', ')}): ${r.error}\n`
          : `✔ ${r.image} → ${r.built} ${r.rebuilt ? 'built' : 'up to date'} (${r.tasks.join(', ')})\n`,
      );
  return results.some((r) => r.error) ? EXIT.failed : EXIT.ok;
}
