import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { contentHash, readContext } from '../../../../src/runner/docker/buildContext';
import { repositoryOf } from '../../../../src/runner/docker/imageBuilds';
import { instructionLines } from '../../../../src/runner/dockerfileSteps';

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'cdag-ctx-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

describe('a build context as Docker sends it', () => {
  it('leaves out what .dockerignore says, takes back a ! exception, and always sends the Dockerfile', () => {
    const dir = folder({
      Dockerfile: 'FROM x\n',
      '.dockerignore': '# junk\nnode_modules\n*.log\n!keep.log\nDockerfile\n',
      'app/main.py': 'print(1)\n',
      'node_modules/a/index.js': '',
      'debug.log': '',
      'keep.log': '',
    });
    const ctx = readContext(dir, 'Dockerfile');
    assert.ok(ctx.succeeded);
    assert.deepEqual(ctx.result.files, ['.dockerignore', 'Dockerfile', 'app/main.py', 'keep.log']);
  });

  it('says which is missing: the folder, the Dockerfile, or a Dockerfile outside the context', () => {
    const dir = folder({ 'a.txt': '' });
    const none = readContext(join(dir, 'nope'), 'Dockerfile');
    assert.ok(!none.succeeded && /build context .*nope does not exist/.test(none.error));
    const noFile = readContext(dir, 'Dockerfile');
    assert.ok(!noFile.succeeded && /There is no Dockerfile at .*Dockerfile/.test(noFile.error));
    const outside = readContext(dir, '../Dockerfile');
    assert.ok(!outside.succeeded && /outside the build context/.test(outside.error));
  });

  it('addresses the content: the same files and args give the same hash; a byte, a mode or an arg changes it', () => {
    const dir = folder({ Dockerfile: 'FROM x\n', 'a.txt': 'one' });
    const hash = (extra = '') => {
      const ctx = readContext(dir, 'Dockerfile');
      assert.ok(ctx.succeeded);
      return contentHash(ctx.result, extra);
    };
    const before = hash();
    assert.equal(hash(), before);
    assert.notEqual(hash('BASE=y'), before);
    writeFileSync(join(dir, 'a.txt'), 'two');
    assert.notEqual(hash(), before);
  });
});

describe('Dockerfile steps', () => {
  it('maps the classic builder’s step N to its instruction’s line, past comments, blank lines and continuations', () => {
    const text =
      '# syntax=docker/dockerfile:1\nARG BASE\n\nFROM $BASE\n# a comment\nRUN a && \\\n  # inside\n  b\nCOPY . /app\n';
    assert.deepEqual(instructionLines(text), [2, 4, 6, 9]);
    assert.deepEqual(instructionLines('# escape=`\nFROM x\nRUN a `\n  b\nCMD c\n'), [2, 3, 5]);
  });

  it('names the repository of a reference, registry port and all', () => {
    assert.equal(repositoryOf('localhost:5000/a/b:v1'), 'localhost:5000/a/b');
    assert.equal(repositoryOf('localhost:5000/a/b'), 'localhost:5000/a/b');
    assert.equal(repositoryOf('busybox'), 'busybox');
  });
});
