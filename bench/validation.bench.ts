import { createRequire } from 'node:module';
import { parseDocument as shippedParse } from 'yaml';
import { analyzeDag } from '../src/dag/analyze';
import { generateDag, generateDataflowDag } from './generate';
import { fmt, median, sample } from './stats';

/**
 * The yaml package as published, loaded at run time: our bundles (and this benchmark's) ship it
 * with its per-token environment probe read as off (scripts/yamlEnvProbe.mjs), and the baseline is
 * what a user of yaml alone gets. `shippedParse` is the parser as we ship it, to show what our
 * checks alone add.
 */
const parseDocument = (createRequire(__filename)('yaml') as typeof import('yaml')).parseDocument;

export interface ValidationResult {
  tasks: number;
  kib: number;
  validateMs: number;
  parseAloneMs: number;
  ratio: number;
  /** Against the parser as our bundles ship it: what the checks alone add. */
  shippedRatio: number;
  perTaskUs: number;
}

/**
 * Interleaves the two measurements round by round and reports the median of per-round ratios, so
 * drift of a shared machine hits both sides alike; the baseline is
 * `yaml.parseDocument` with its defaults — what "yaml alone" costs a user.
 */
export function benchValidation(sizes = [20, 200, 2000]): ValidationResult[] {
  return sizes.map((n) => ({ tasks: n, ...measure(generateDag(n), n) }));
}

/** Validation of a DAG with 500 output references (101 tasks, five each): what the dataflow checks cost. */
export function benchDataflowValidation(): ValidationResult & { refs: number } {
  const text = generateDataflowDag(101);
  return { tasks: 101, refs: 500, ...measure(text, 101) };
}

function measure(text: string, n: number): Omit<ValidationResult, 'tasks'> {
  const a = analyzeDag(text, 'bench.dag.yaml');
  if (a.hasErrors) throw new Error(`generated DAG has errors: ${a.problems[0]?.message}`);
  // Each side runs a batch of about 50 ms per round so that one GC pause or timer tick does not
  // decide a sample, and the median of per-round ratios is compared.
  const once = median(sample(() => parseDocument(text), 5, 3));
  const batch = Math.max(1, Math.round(50 / once));
  const rounds = 31;
  const ours: number[] = [];
  const base: number[] = [];
  const ratios: number[] = [];
  const shippedRatios: number[] = [];
  const sides = [
    () => timeBatch(() => analyzeDag(text, 'bench.dag.yaml'), batch),
    () => timeBatch(() => parseDocument(text), batch),
    () => timeBatch(() => shippedParse(text), batch),
  ];
  for (let r = 0; r < rounds; r++) {
    // The order turns each round, so that no side always inherits another's garbage.
    const t: number[] = [];
    for (let k = 0; k < sides.length; k++) {
      const i = (r + k) % sides.length;
      t[i] = sides[i]!();
    }
    const [o, b, s] = t as [number, number, number];
    ours.push(o);
    base.push(b);
    // A round's sides run back to back, so their ratio cancels the machine's drift.
    ratios.push(o / b);
    shippedRatios.push(o / s);
  }
  const validateMs = median(ours);
  return {
    kib: Math.round(text.length / 1024),
    validateMs,
    parseAloneMs: median(base),
    ratio: median(ratios),
    shippedRatio: median(shippedRatios),
    perTaskUs: (validateMs / n) * 1000,
  };
}

function timeBatch(fn: () => unknown, n: number): number {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) fn();
  return (performance.now() - t0) / n;
}

export function printValidation(rs: readonly ValidationResult[]): string[] {
  const lines = [
    'validation (median): tasks | KiB | cdag validate ms | yaml.parseDocument ms | ratio | vs parser as shipped | µs/task',
  ];
  for (const r of rs) {
    lines.push(
      `  ${String(r.tasks).padStart(5)} | ${String(r.kib).padStart(4)} | ${fmt(r.validateMs).padStart(8)} | ${fmt(r.parseAloneMs).padStart(8)} | ${r.ratio.toFixed(2)}x | ${r.shippedRatio.toFixed(2)}x | ${r.perTaskUs.toFixed(1)}`,
    );
  }
  return lines;
}
