// Benchmarks run on the code as shipped: bench/run.ts is bundled by esbuild like the CLI, then run.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { yamlEnvProbe } from './yamlEnvProbe.mjs';

await build({
  entryPoints: ['bench/run.ts'],
  outfile: 'out/bench.js',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  external: ['vscode', 'cpu-features', '*.node', 'playwright-core'],
  logLevel: 'warning',
  // yaml as our bundles ship it; the validation baseline loads the published package itself.
  plugins: [yamlEnvProbe],
});
// The Engine API floor of a chain runs as a process of its own, as `cdag run` does.
await build({
  entryPoints: ['bench/engineFloor.ts'],
  outfile: 'out/engine-floor.js',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: true,
  external: ['cpu-features', '*.node'],
  logLevel: 'warning',
});
const r = spawnSync(process.execPath, ['--expose-gc', 'out/bench.js', ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(r.status ?? 1);
