import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';

const ROOT = join(__dirname, '..', '..', '..');

interface Probe {
  name: string;
  setup: (b: unknown) => void;
}
async function plugin(): Promise<Probe> {
  const mod = (await import(join(ROOT, 'scripts', 'yamlEnvProbe.mjs'))) as { yamlEnvProbe: Probe };
  return mod.yamlEnvProbe;
}

describe('the yaml environment probe of our bundles (scripts/yamlEnvProbe.mjs)', () => {
  it('leaves no per-token process.env read in a bundle of yaml, and the bundle parses as yaml does', async () => {
    const out = await build({
      stdin: {
        contents: "module.exports = require('yaml').parseDocument('a: [1, {b: \"x\"}]\\nc: d\\n').toJS();",
        resolveDir: ROOT,
      },
      bundle: true,
      platform: 'node',
      format: 'cjs',
      write: false,
      logLevel: 'silent',
      plugins: [(await plugin()) as never],
    });
    const code = out.outputFiles[0]!.text;
    assert.doesNotMatch(code, /env\.LOG_TOKENS|env\.LOG_STREAM/);
    const m = { exports: {} as unknown };
    new Function('module', 'exports', 'require', code)(m, m.exports, require);
    assert.deepEqual(m.exports, { a: [1, { b: 'x' }], c: 'd' });
  });

  it('fails the build when a yaml version no longer has the switch, rather than shipping unpatched silently', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cdag-probe-'));
    try {
      const parser = join(dir, 'node_modules', 'yaml', 'dist', 'parse');
      mkdirSync(parser, { recursive: true });
      writeFileSync(join(parser, 'parser.js'), 'exports.Parser = class {};\n');
      await assert.rejects(
        build({
          stdin: { contents: "require('./node_modules/yaml/dist/parse/parser.js');", resolveDir: dir },
          bundle: true,
          platform: 'node',
          write: false,
          logLevel: 'silent',
          plugins: [(await plugin()) as never],
        }),
        /no process\.env debugging switch/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
