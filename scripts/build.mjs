import { copyFile, mkdir } from 'node:fs/promises';
// Bundles the extension, its validation worker and the CLI with esbuild (the esbuild-sample shape).
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { yamlEnvProbe } from './yamlEnvProbe.mjs';

const production = process.argv.includes('--production');
const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
/**
 * dockerode loads ssh2 (for ssh:// hosts) and gRPC with protobufjs (for BuildKit sessions) as it
 * loads. Each is a function it calls on first use, so each ships as a file of its own, required
 * then: parsing them was most of the Docker runtime's start-up, which a local run never needs.
 */
const LAZY_MODULES = [
  { importer: /docker-modem[\\/]lib[\\/]modem\.js$/, path: './ssh', file: './docker-ssh.js' },
  { importer: /dockerode[\\/]lib[\\/]docker\.js$/, path: './session', file: './docker-session.js' },
];
const lazyRequires = {
  name: 'lazy-requires',
  setup(b) {
    b.onResolve({ filter: /^\.\/(ssh|session)$/ }, (args) => {
      const hit = LAZY_MODULES.find((l) => l.importer.test(args.importer) && l.path === args.path);
      return hit ? { path: hit.file, namespace: 'lazy' } : undefined;
    });
    b.onLoad({ filter: /.*/, namespace: 'lazy' }, (args) => ({
      contents: `module.exports = function () { return require(${JSON.stringify(args.path)}).apply(this, arguments); };`,
    }));
    b.onResolve({ filter: /^\.\/docker-(ssh|session)\.js$/, namespace: 'lazy' }, (args) => ({
      path: args.path,
      external: true,
    }));
  },
};
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: production,
  sourcemap: !production,
  logLevel: 'warning',
  define: { __VERSION__: JSON.stringify(version) },
  // `import()` of a lazy runtime becomes `require()`: Node's ESM loader would otherwise scan each
  // CommonJS runtime for its exports first (cjs-module-lexer over 1 MB: about 120 ms per `cdag run`).
  supported: { 'dynamic-import': false },
  // ssh2 (under dockerode, for ssh:// hosts) loads these native addons inside try/catch and falls
  // back to JavaScript; left external they are simply not found.
  external: ['cpu-features', '*.node'],
  // web-tree-sitter's ES module build finds itself through import.meta.url, which a CommonJS bundle lacks.
  alias: { 'web-tree-sitter': './node_modules/web-tree-sitter/tree-sitter.cjs' },
  plugins: [lazyRequires, yamlEnvProbe],
};
/** In the extension and CLI bundles, the Docker, Kubernetes, interop and layout code stays in separate files, required on first use. */
const lazyRuntimes = {
  name: 'lazy-runtimes',
  setup(b) {
    b.onResolve({ filter: /docker\/dockerBundle$/ }, () => ({ path: './docker-runtime.js', external: true }));
    b.onResolve({ filter: /kubernetes\/kubernetesBundle$/ }, () => ({
      path: './kubernetes-runtime.js',
      external: true,
    }));
    b.onResolve({ filter: /interop\/interopBundle$/ }, () => ({ path: './interop-runtime.js', external: true }));
    // elkjs (1.4 MB, for `cdag graph` only) was four fifths of the CLI that every command loads.
    b.onResolve({ filter: /^elkjs\/lib\/elk\.bundled\.js$/ }, () => ({ path: './elk-runtime.js', external: true }));
  },
};
/**
 * The graph page's layered-layout worker, bundled first and inlined into the page's script as text
 * (`virtual:layered-worker`): the page starts it from a blob, with no file or URL of its own.
 */
const layeredWorker = build({
  entryPoints: ['webview/layeredWorker.ts'],
  bundle: true,
  platform: 'browser',
  format: 'iife',
  target: 'es2022',
  minify: true,
  write: false,
  logLevel: 'warning',
}).then((r) => r.outputFiles[0].text);
const inlineWorker = {
  name: 'inline-layered-worker',
  setup(b) {
    b.onResolve({ filter: /^virtual:layered-worker$/ }, () => ({ path: 'layered-worker', namespace: 'inline' }));
    b.onLoad({ filter: /.*/, namespace: 'inline' }, async () => ({ contents: await layeredWorker, loader: 'text' }));
  },
};
/** A webview page's script: one browser bundle, no Node built-ins. */
const page = (entry, outfile) =>
  build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    plugins: [inlineWorker],
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    minify: production,
    sourcemap: production ? false : 'inline',
    logLevel: 'warning',
  });
// A fresh clone has no dist/ yet, and the copy below may run before any bundle is written.
await mkdir('dist', { recursive: true });
await Promise.all([
  build({
    ...common,
    entryPoints: ['src/extension/extension.ts'],
    outfile: 'dist/extension.js',
    external: [...common.external, 'vscode'],
    plugins: [lazyRuntimes, lazyRequires, yamlEnvProbe],
  }),
  build({ ...common, entryPoints: ['src/runner/docker/dockerBundle.ts'], outfile: 'dist/docker-runtime.js' }),
  build({ ...common, entryPoints: ['node_modules/docker-modem/lib/ssh.js'], outfile: 'dist/docker-ssh.js' }),
  build({ ...common, entryPoints: ['node_modules/dockerode/lib/session.js'], outfile: 'dist/docker-session.js' }),
  build({
    ...common,
    entryPoints: ['src/runner/kubernetes/kubernetesBundle.ts'],
    outfile: 'dist/kubernetes-runtime.js',
  }),
  // The graph page: a browser bundle with elkjs's API only; the layout itself runs in elkjs's own
  // worker script, shipped as it is (dist/graphWorker.js).
  page('webview/main.ts', 'dist/webview.js'),
  copyFile('node_modules/elkjs/lib/elk-worker.min.js', 'dist/graphWorker.js'),
  // `cdag graph` lays out in process with elkjs's bundled build, required on first use.
  copyFile('node_modules/elkjs/lib/elk.bundled.js', 'dist/elk-runtime.js'),
  // The History page (Grid and Gantt): its own small browser bundle, no web components, no worker.
  page('webview/history/main.ts', 'dist/history.js'),
  build({ ...common, entryPoints: ['src/interop/interopBundle.ts'], outfile: 'dist/interop-runtime.js' }),
  // Python is parsed by tree-sitter's grammar in WebAssembly; both .wasm files ship beside the bundles.
  copyFile('node_modules/web-tree-sitter/tree-sitter.wasm', 'dist/tree-sitter.wasm'),
  copyFile('node_modules/tree-sitter-python/tree-sitter-python.wasm', 'dist/tree-sitter-python.wasm'),
  build({
    ...common,
    entryPoints: ['src/extension/language/languageWorker.ts'],
    outfile: 'dist/languageWorker.js',
  }),
  build({
    ...common,
    entryPoints: ['src/cli/cdag.ts'],
    outfile: 'dist/cli.js',
    plugins: [lazyRuntimes, lazyRequires, yamlEnvProbe],
    banner: { js: '#!/usr/bin/env node' },
  }),
]);
