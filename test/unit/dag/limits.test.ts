import assert from 'node:assert/strict';
import { analyzeDag } from '../../../src/dag/analyze';
import { flowNestingBeyondLimit, MAX_DEPTH } from '../../../src/dag/parse';

function timed<T>(fn: () => T): { result: T; ms: number } {
  const t0 = performance.now();
  const result = fn();
  return { result, ms: performance.now() - t0 };
}

const codes = (text: string) => analyzeDag(text).problems.map((p) => p.code);

describe('hostile input gives a diagnostic, never a crash or a hang', () => {
  it('an alias bomb is refused quickly with memory flat', () => {
    let text = 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n';
    for (let i = 1; i < 10; i++)
      text += `a${i}: &a${i} [${Array(10)
        .fill(`*a${i - 1}`)
        .join(', ')}]\n`;
    text += 'tasks:\n  t:\n    image: x\n    args: *a9\n';
    const before = process.memoryUsage().heapUsed;
    const { result, ms } = timed(() => analyzeDag(text));
    assert.ok(result.problems.some((p) => p.code === 'yaml-alias-limit'));
    assert.ok(ms < 1000, `${ms} ms`);
    assert.ok(process.memoryUsage().heapUsed - before < 64 * 2 ** 20, 'heap grew by more than 64 MiB');
  });

  it('a 10 MB file is refused by the size cap in under a second', () => {
    const text = `tasks:\n${'  # padding padding padding padding\n'.repeat(300_000)}`;
    assert.ok(text.length > 10_000_000);
    const { result, ms } = timed(() => analyzeDag(text));
    assert.deepEqual(
      result.problems.map((p) => p.code),
      ['file-too-large'],
    );
    assert.ok(ms < 1000, `${ms} ms`);
  });

  it('a 200k-key map is refused by the size cap in under a second', () => {
    const keys = Array.from({ length: 200_000 }, (_, i) => `k${i}: 1`).join('\n');
    const { result, ms } = timed(() => analyzeDag(`params:\n${keys.replace(/^/gm, '  ')}\ntasks: {}\n`));
    assert.ok(result.problems.some((p) => p.code === 'file-too-large'));
    assert.ok(ms < 1000, `${ms} ms`);
  });

  it('1,000-deep flow nesting is refused as too deep', () => {
    assert.ok(codes(`tasks: ${'['.repeat(1000)}${']'.repeat(1000)}`).includes('nesting-too-deep'));
  });

  it('1,000-deep block nesting is refused as too deep', () => {
    const text = Array.from({ length: 1000 }, (_, i) => `${' '.repeat(i)}k:`).join('\n');
    assert.ok(codes(text).includes('nesting-too-deep'));
  });

  it('"[" repeated 100,000 times is an error within two seconds', () => {
    const { result, ms } = timed(() => analyzeDag('['.repeat(100_000)));
    assert.ok(result.hasErrors);
    assert.ok(ms < 2000, `${ms} ms`);
  });

  it('binary garbage gives a diagnostic', () => {
    let seed = 7;
    const bytes = Buffer.from(Buffer.alloc(20_000, 0).map(() => (seed = (seed * 1103515245 + 12345) & 0xff)));
    for (const text of [bytes.toString('latin1'), bytes.toString('utf8'), '\u0000\u0001\u0002tasks: {}']) {
      const a = analyzeDag(text);
      assert.ok(a.problems.length > 0);
    }
  });

  it('duplicate keys in a large map are found in linear time', () => {
    const tasks = Array.from({ length: 5000 }, (_, i) => `  t${i}: {image: x}`).join('\n');
    const { result, ms } = timed(() => analyzeDag(`tasks:\n${tasks}\n  t17: {image: y}\n`));
    assert.deepEqual(result.problems.filter((p) => p.code === 'duplicate-key').length, 1);
    assert.ok(ms < 2000, `${ms} ms`);
  });
});

/** The scan as first written, one character at a time: the reference the faster scan must agree with. */
function referenceNesting(text: string): number {
  const ws = new Set([0x20, 0x09, 0x0a, 0x0d]);
  const starters = new Set([...ws, 0x5b, 0x7b, 0x2c, 0x3a]);
  let depth = 0;
  let quote = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (quote) {
      if (c === quote) quote = 0;
      else if (c === 0x5c && quote === 0x22) i++;
      continue;
    }
    if ((c === 0x22 || c === 0x27) && (i === 0 || starters.has(text.charCodeAt(i - 1)))) quote = c;
    else if (c === 0x23 && (i === 0 || ws.has(text.charCodeAt(i - 1)))) {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? text.length : nl;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > MAX_DEPTH) return i;
    } else if ((c === 0x5d || c === 0x7d) && depth > 0) depth--;
  }
  return -1;
}

describe('the pre-scan for deep flow nesting', () => {
  it('finds the same first bracket past the limit as a scan of every character, on random text', () => {
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const alphabet = ['[', '[', '{', '{', ']', '}', '"', "'", '\\', '#', ' ', '\n', 'a', ':', ','];
    for (let round = 0; round < 3000; round++) {
      const length = 1 + Math.floor(rand() * 400);
      let text = '';
      for (let i = 0; i < length; i++) text += alphabet[Math.floor(rand() * alphabet.length)];
      if (round % 3 === 0) text = '['.repeat(60 + Math.floor(rand() * 10)) + text;
      assert.equal(flowNestingBeyondLimit(text), referenceNesting(text), JSON.stringify(text));
    }
  });
});
