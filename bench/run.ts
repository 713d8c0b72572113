import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { benchActivation, printActivation } from './activation.bench';
import { benchValidation, printValidation } from './validation.bench';

// Bundled to out/bench.js by scripts/bench.mjs; the project root is one level up.
const ROOT = resolve(__dirname, '..');

const validation = benchValidation();
const activation = benchActivation(ROOT);
const lines = [
  `container-dags benchmarks — node ${process.version}, ${new Date().toISOString()}`,
  ...printValidation(validation),
  ...printActivation(activation),
];
const byTasks = (n: number) => validation.find((v) => v.tasks === n)!;
const growth = byTasks(2000).perTaskUs / byTasks(200).perTaskUs;
const checks: Array<[string, boolean]> = [
  [`200 tasks validated in ${byTasks(200).validateMs.toFixed(1)} ms (target <= 50 ms)`, byTasks(200).validateMs <= 50],
  ...validation.map((v): [string, boolean] => [
    `${v.tasks} tasks: ${v.ratio.toFixed(2)}x parse alone (target <= 1.3x)`,
    v.ratio <= 1.3,
  ]),
  [`growth 200 → 2,000 tasks: ${growth.toFixed(2)}x time per task (linear = 1.0)`, growth <= 1.5],
  [`activation ${activation.totalMs.toFixed(1)} ms (target <= 100 ms)`, activation.totalMs <= 100],
  ['no Docker, Kubernetes or elkjs code loaded at activation', activation.heavyLoaded.length === 0],
];
lines.push('targets:', ...checks.map(([s, ok]) => `  ${ok ? 'MET   ' : 'MISSED'} ${s}`));
console.log(lines.join('\n'));
mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
writeFileSync(
  join(ROOT, 'bench', 'results', 'latest.json'),
  JSON.stringify({ validation, activation, checks }, null, 2),
);
