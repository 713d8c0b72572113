import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeDag } from '../../../src/dag/analyze';
import { decodeDag, describeDagFileError, isDagFileError, readDagFile } from '../../../src/dag/dagFile';
import { MAX_FILE_BYTES } from '../../../src/dag/parse';

describe('reading a DAG file that may be hostile', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'cdag-file-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('counts the 1 MiB limit in bytes, from the file size, before reading', () => {
    // 400k three-byte characters: 1.2 MB, though only 400k characters.
    const p = join(dir, 'wide.dag.yaml');
    writeFileSync(p, `description: ${'€'.repeat(400_000)}\ntasks: {}\n`);
    const r = readDagFile(p);
    assert.ok(isDagFileError(r) && r.code === 'file-too-large', JSON.stringify(r).slice(0, 200));
    assert.match(describeDagFileError(r), /limited to 1048576 bytes/);
    // The same from the editor, which has text, not a file.
    const a = analyzeDag(`description: ${'€'.repeat(400_000)}\ntasks: {}\n`);
    assert.deepEqual(
      a.problems.map((p) => p.code),
      ['file-too-large'],
    );
    // Just under the limit in bytes is read.
    const ok = join(dir, 'ok.dag.yaml');
    writeFileSync(ok, `# ${'x'.repeat(MAX_FILE_BYTES - 40)}\ntasks: {a: {image: x}}\n`);
    const okRead = readDagFile(ok);
    assert.ok(!isDagFileError(okRead));
  });

  it('reports invalid UTF-8 at its position, as an error', () => {
    const bytes = Buffer.concat([
      Buffer.from('tasks:\n  a: {image: x, command: "ok \xc3\xa9 '),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('"}\n'),
    ]);
    const { text, problems } = decodeDag(bytes);
    assert.equal(problems.length, 1);
    assert.equal(problems[0]!.code, 'invalid-encoding');
    assert.equal(text.slice(problems[0]!.range.start, problems[0]!.range.start + 1), '\ufffd');
    assert.match(problems[0]!.message, /Byte 0xff at byte \d+ is not valid UTF-8/);
    const a = analyzeDag(text, 'x.dag.yaml', problems);
    assert.ok(a.hasErrors);
    // Overlong forms and surrogates are not UTF-8 either; a BOM and four-byte characters are.
    assert.equal(decodeDag(Buffer.from([0xc0, 0xaf])).problems.length, 1);
    assert.equal(decodeDag(Buffer.from([0xed, 0xa0, 0x80])).problems.length, 1);
    assert.equal(decodeDag(Buffer.from('\ufefftasks: {} # 😀', 'utf8')).problems.length, 0);
  });

  it('names a missing file and a folder', () => {
    const missing = readDagFile(join(dir, 'nope.dag.yaml'));
    assert.ok(isDagFileError(missing) && missing.code === 'file-not-found');
    const folder = readDagFile(dir);
    assert.ok(isDagFileError(folder) && folder.code === 'file-not-regular' && folder.detail === 'a folder');
  });
});
