import assert from 'node:assert/strict';
import { analyzeDag } from '../../../src/dag/analyze';
import { complete } from '../../../src/language/completion';
import { hover } from '../../../src/language/hover';
import { fixtureFiles } from '../helpers';

/** A small deterministic PRNG (mulberry32) so a failure can be replayed from its seed. */
function rng(seed: number): () => number {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NOISE = [
  '{',
  '}',
  '[',
  ']',
  ':',
  '- ',
  '*a',
  '&a ',
  '!',
  '|',
  '>',
  '"',
  "'",
  '\n',
  '\t',
  '  ',
  '{{',
  '}}',
  '#',
  '%YAML 1.1\n',
  '\u0000',
  '\uFFFF',
  'ä',
  '🙂',
  '---\n',
  '? ',
];

function mutate(text: string, r: () => number): string {
  const lines = text.split('\n');
  const at = (n: number) => Math.floor(r() * n);
  switch (at(6)) {
    case 0: {
      const i = at(text.length + 1);
      return text.slice(0, i) + NOISE[at(NOISE.length)] + text.slice(i);
    }
    case 1: {
      const i = at(text.length);
      return text.slice(0, i) + text.slice(i + 1 + at(8));
    }
    case 2: {
      const i = at(lines.length);
      lines.splice(i, 0, lines[at(lines.length)] ?? '');
      return lines.join('\n');
    }
    case 3: {
      const i = at(lines.length);
      const j = at(lines.length);
      [lines[i], lines[j]] = [lines[j] ?? '', lines[i] ?? ''];
      return lines.join('\n');
    }
    case 4: {
      const i = at(lines.length);
      lines[i] = ' '.repeat(at(6)) + (lines[i] ?? '').trimStart();
      return lines.join('\n');
    }
    default:
      return text.replace(/[a-z_]+/, (w) => w.split('').reverse().join(''));
  }
}

describe('fuzzing the validator with mutations of the corpus', () => {
  const corpus = [...fixtureFiles('valid'), ...fixtureFiles('invalid')];
  const SEED = Number(process.env.FUZZ_SEED ?? 20261121);
  const ROUNDS = Number(process.env.FUZZ_ROUNDS ?? 1500);

  it(`never throws and never takes over 1 s on ${ROUNDS} mutated files (seed ${SEED})`, () => {
    const r = rng(SEED);
    let slowest = 0;
    for (let i = 0; i < ROUNDS; i++) {
      let text = corpus[i % corpus.length]!.text;
      const n = 1 + Math.floor(r() * 4);
      for (let k = 0; k < n; k++) text = mutate(text, r);
      const t0 = performance.now();
      let a;
      try {
        a = analyzeDag(text, 'fuzz.dag.yaml');
        // Editor features must survive whatever the validator survived.
        const offset = Math.floor(r() * (text.length + 1));
        complete(a, offset);
        hover(a, offset);
      } catch (e) {
        assert.fail(`round ${i} threw ${(e as Error).stack}\n--- input ---\n${text}`);
      }
      const ms = performance.now() - t0;
      slowest = Math.max(slowest, ms);
      assert.ok(ms < 1000, `round ${i} took ${ms} ms`);
      for (const p of a.problems) {
        assert.ok(
          p.range.start >= 0 && p.range.end <= text.length && p.range.start <= p.range.end,
          `bad range in round ${i}: ${JSON.stringify(p)} (length ${text.length})`,
        );
      }
    }
    assert.ok(slowest < 1000);
  });
});
