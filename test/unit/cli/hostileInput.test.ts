import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main, nodeIo, type Io } from '../../../src/cli/main';
import { reportInternalError } from '../../../src/cli/internalError';
import { renderTemplate } from '../../../src/dag/templateRender';

async function cdag(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { ...nodeIo, out: (s) => (out += s), err: (s) => (err += s) };
  const code = await main(args, io);
  return { code, out, err };
}

const PROTO_IDS = `params:
  constructor: a
  toString: b
tasks:
  constructor:
    image: busybox
    command: echo {{ params.constructor }} {{ env.__proto__ | default("unset") }} {{ env.constructor | default("unset") }}
  toString: {image: busybox, depends_on: [constructor]}
  __proto__: {image: busybox, depends_on: [toString]}
  valueOf: {image: busybox, depends_on: [__proto__]}
`;

describe('no crash on any input cdag validate accepts', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'cdag-hostile-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };

  it('validates, draws and renders tasks and params named constructor, toString, __proto__ and valueOf', async () => {
    const f = file('protos.dag.yaml', PROTO_IDS);
    assert.equal((await cdag(['validate', f])).code, 0);
    const svg = await cdag(['graph', f, '--format', 'svg']);
    assert.equal(svg.code, 0, svg.err);
    for (const id of ['constructor', 'toString', '__proto__', 'valueOf'])
      assert.match(svg.out, new RegExp(`data-task="${id}"`));
    const rendered = await cdag(['render', f, '--task', 'constructor']);
    assert.equal(rendered.code, 0, rendered.err);
    // env.__proto__ and env.constructor are unset names, never "[object Object]" or a function's source.
    assert.deepEqual(JSON.parse(rendered.out).Entrypoint, ['echo', 'a', 'unset', 'unset']);
  });

  it('draws from a --record that lacks some tasks, and one holding only hostile ids', async () => {
    const f = file('protos2.dag.yaml', PROTO_IDS);
    const rec = file('rec.json', JSON.stringify({ tasks: { toString: { state: 'failed', tries: 1, attempts: [] } } }));
    const r = await cdag(['graph', f, '--format', 'svg', '--record', rec]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /class="node state-failed" data-task="toString"/);
    assert.match(r.out, /class="node" data-task="constructor"/);
    for (const bad of ['null', '[]', '{"tasks": []}', '{"tasks": {"a": null}}']) {
      const b = await cdag(['graph', f, '--format', 'svg', '--record', file('bad.json', bad)]);
      assert.equal(b.code, 2, bad);
      assert.match(b.err, /not a run record/);
    }
  });

  it('draws a 12,000-task chain as SVG (no recursion that grows with the chain)', async function () {
    this.timeout(60_000);
    const lines = ['tasks:'];
    for (let i = 0; i < 12_000; i++) lines.push(`  t${i}: {image: busybox${i ? `, depends_on: [t${i - 1}]` : ''}}`);
    const f = file('chain.dag.yaml', `${lines.join('\n')}\n`);
    const r = await cdag(['graph', f, '--format', 'svg']);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out.match(/<g class="node"/g)?.length, 12_000);
  });

  it('makes ds_add out of range a validation error, and never a RangeError when rendering', async () => {
    const f = file('dsadd.dag.yaml', 'tasks:\n  a: {image: busybox, command: "echo {{ ds | ds_add(99999999999) }}"}\n');
    const v = await cdag(['validate', f]);
    assert.equal(v.code, 1);
    assert.match(v.out, /ds_add\(99999999999\) leaves the calendar.*\[template-filter-args\]/);
    const ctx = {
      dagId: 'd',
      taskId: 't',
      runId: 'r',
      tryNumber: 1,
      logicalDate: new Date('9999-12-30T00:00:00Z'),
      intervalEnd: new Date('9999-12-31T00:00:00Z'),
      prevLogicalDate: new Date('9999-12-29T00:00:00Z'),
      params: {},
      env: {},
    };
    const r = renderTemplate('{{ ds | ds_add(5) }}', ctx);
    assert.ok(!r.succeeded && /outside the years 0001–9999/.test(r.error));
  });

  it('an unexpected internal error prints one line naming the bug; the stack only with CDAG_DEBUG=1', () => {
    let text = '';
    reportInternalError(new TypeError('x is undefined'), { env: {}, err: (s) => (text += s) });
    assert.equal(text.split('\n').filter(Boolean).length, 1);
    assert.match(text, /^cdag: internal error \(a bug in cdag, not in your DAG\): TypeError: x is undefined/);
    text = '';
    reportInternalError(new TypeError('x is undefined'), { env: { CDAG_DEBUG: '1' }, err: (s) => (text += s) });
    assert.match(text, /\n\s+at /);
  });

  it('refuses a FIFO and /dev/zero through a symlink at once, without reading them', function () {
    this.timeout(10_000);
    const fifo = join(dir, 'pipe.dag.yaml');
    execFileSync('mkfifo', [fifo]);
    symlinkSync('/dev/zero', join(dir, 'zero.dag.yaml'));
    const t0 = Date.now();
    const r = spawnSync(
      process.execPath,
      ['-r', 'tsx/cjs', join(__dirname, '../../../src/cli/cdag.ts'), 'validate', fifo, join(dir, 'zero.dag.yaml')],
      {
        encoding: 'utf8',
        timeout: 8_000,
      },
    );
    assert.ok(Date.now() - t0 < 8_000, 'validate hung');
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /pipe\.dag\.yaml: not a regular file \(a FIFO\)/);
    assert.match(r.stderr, /zero\.dag\.yaml: not a regular file \(a character device\)/);
  });
});
