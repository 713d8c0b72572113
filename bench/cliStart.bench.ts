import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateDag } from './generate';
import { fmt, median } from './stats';

export interface CliStartResult {
  /** `cdag --version` and bare `node -e 0`, as whole processes (median of paired rounds). */
  versionMs: number;
  nodeMs: number;
  /** `cdag validate` of a 2,000-task file, and `node -e` parsing it with `yaml` alone. */
  validateMs: number;
  yamlMs: number;
  validateRatio: number;
}

function wall(args: string[], okCodes = [0]): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  if (!okCodes.includes(r.status ?? -1)) throw new Error(`node ${args.join(' ')} failed: ${r.stderr}`);
  return performance.now() - t0;
}

/** What a pre-commit hook or a CI step pays per `cdag` call: whole processes, rounds paired and alternated. */
export function benchCliStart(root: string, rounds = 15): CliStartResult {
  const cli = join(root, 'dist', 'cli.js');
  const dir = mkdtempSync(join(tmpdir(), 'cdag-cli-bench-'));
  const file = join(dir, 'big.dag.yaml');
  writeFileSync(file, generateDag(2000));
  // `yaml` as a user's script loads it: from the project's node_modules.
  const yamlScript = `require(${JSON.stringify(join(root, 'node_modules', 'yaml'))}).parseDocument(require('fs').readFileSync(${JSON.stringify(file)}, 'utf8'))`;
  const version: number[] = [];
  const node: number[] = [];
  const validate: number[] = [];
  const yaml: number[] = [];
  const ratios: number[] = [];
  for (let r = 0; r < rounds + 2; r++) {
    const first = r % 2 === 0;
    // The first two rounds warm the file cache and are not counted.
    const v = wall([cli, '--version']);
    const n = wall(['-e', '0']);
    const y1 = first ? wall(['-e', yamlScript]) : 0;
    const c = wall([cli, 'validate', file]);
    const y = first ? y1 : wall(['-e', yamlScript]);
    if (r < 2) continue;
    version.push(v);
    node.push(n);
    validate.push(c);
    yaml.push(y);
    ratios.push(c / y);
  }
  rmSync(dir, { recursive: true, force: true });
  return {
    versionMs: median(version),
    nodeMs: median(node),
    validateMs: median(validate),
    yamlMs: median(yaml),
    validateRatio: median(ratios),
  };
}

export function printCliStart(r: CliStartResult): string[] {
  return [
    `cli start: cdag --version ${fmt(r.versionMs)} ms vs node -e 0 ${fmt(r.nodeMs)} ms (+${fmt(r.versionMs - r.nodeMs)} ms)`,
    `cli start: cdag validate of 2,000 tasks ${fmt(r.validateMs)} ms vs node -e yaml.parseDocument ${fmt(r.yamlMs)} ms = ${r.validateRatio.toFixed(2)}x`,
  ];
}
