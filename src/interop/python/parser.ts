import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Parser as TsParser, Tree } from 'web-tree-sitter';
import { fail, ok, type Errorable } from '../../util/errorable';

/**
 * Python is read with tree-sitter's real grammar (WebAssembly, no native build), loaded on first use:
 * importing an Airflow DAG is rare next to editing, so neither the editor nor `cdag validate` pays for it.
 */
let loading: Promise<Errorable<TsParser>> | undefined;

/** Where the two .wasm files are: beside the bundle (dist/) when bundled, else in node_modules. */
function wasmPaths(): { runtime: string; python: string } {
  const beside = { runtime: join(__dirname, 'tree-sitter.wasm'), python: join(__dirname, 'tree-sitter-python.wasm') };
  if (existsSync(beside.python) && existsSync(beside.runtime)) return beside;
  // Unbundled (tests, tsx): from the packages themselves.
  const resolve = (id: string): string => require.resolve(id);
  return {
    runtime: resolve('web-tree-sitter/tree-sitter.wasm'),
    python: resolve('tree-sitter-python/tree-sitter-python.wasm'),
  };
}

async function load(): Promise<Errorable<TsParser>> {
  try {
    const { Parser, Language } = await import('web-tree-sitter');
    const paths = wasmPaths();
    // The runtime's bytes are handed over directly, so no bundler or working directory decides where it is looked for.
    const wasmBinary = readFileSync(paths.runtime);
    await Parser.init({ wasmBinary } as unknown as Parameters<typeof Parser.init>[0]);
    const python = await Language.load(readFileSync(paths.python));
    const parser = new Parser();
    parser.setLanguage(python);
    return ok(parser);
  } catch (e) {
    return fail(
      `The Python parser could not be loaded (${(e as Error).message}); reinstall the extension or run npm ci.`,
    );
  }
}

export async function pythonParser(): Promise<Errorable<TsParser>> {
  loading ??= load();
  return loading;
}

export async function parsePython(text: string): Promise<Errorable<Tree>> {
  const parser = await pythonParser();
  if (!parser.succeeded) return parser;
  const tree = parser.result.parse(text);
  return tree ? ok(tree) : fail('The Python parser returned no tree.');
}
