// The Engine API floor for a chain (issue 18): a whole process that does only what a chain needs —
// create → start → wait, the next container created while the current one runs, removal off the
// path — with dockerode, as `cdag run` does. Bundled to out/engine-floor.js by scripts/bench.mjs.
import Docker from 'dockerode';

async function main(): Promise<void> {
  const [image = 'cdag-test/busybox:1', count = '20'] = process.argv.slice(2);
  const n = Number(count);
  const docker = new Docker({ socketPath: '/var/run/docker.sock' });
  const create = () =>
    docker.createContainer({ Image: image, Cmd: ['true'], Labels: { 'cdag-bench': 'engine-floor' } });
  let next = create();
  const removals: Array<Promise<unknown>> = [];
  for (let i = 0; i < n; i++) {
    const c = await next;
    if (i + 1 < n) next = create();
    const waited = c.wait({ condition: 'next-exit' }) as Promise<{ StatusCode: number }>;
    await c.start();
    const { StatusCode } = await waited;
    if (StatusCode !== 0) throw new Error(`container ${i} exited ${StatusCode}`);
    removals.push(c.remove({ force: true }));
  }
  await Promise.all(removals);
}

main().catch((e: unknown) => {
  process.stderr.write(`engine floor: ${(e as Error).message}\n`);
  process.exit(1);
});
