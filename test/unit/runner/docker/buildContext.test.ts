import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { contentHash, readContext } from '../../../../src/runner/docker/buildContext';
import { repositoryOf } from '../../../../src/runner/docker/imageBuilds';
import { analyzeDag } from '../../../../src/dag/analyze';
import { buildContextRequests } from '../../../../src/runner/consent';
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

  it('skips a FIFO (reading it would block) and says which file vanished between listing and hashing', () => {
    const dir = folder({ Dockerfile: 'FROM x\n', 'a.txt': 'one', 'gone.txt': 'soon' });
    execFileSync('mkfifo', [join(dir, 'pipe')]);
    const ctx = readContext(dir, 'Dockerfile');
    assert.ok(ctx.succeeded);
    assert.deepEqual(ctx.result.files, ['Dockerfile', 'a.txt', 'gone.txt']);
    rmSync(join(dir, 'gone.txt'));
    const hash = contentHash(ctx.result, '');
    assert.ok(!hash.succeeded && /gone\.txt in the build context could not be read \(ENOENT\)/.test(hash.error));
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
      const h = contentHash(ctx.result, extra);
      assert.ok(h.succeeded);
      return h.result;
    };
    const before = hash();
    assert.equal(hash(), before);
    assert.notEqual(hash('BASE=y'), before);
    // Same size, within the same timestamp tick: hashed again all the same (git's racily-clean rule).
    writeFileSync(join(dir, 'a.txt'), 'two');
    assert.notEqual(hash(), before);
    const edited = hash();
    chmodSync(join(dir, 'a.txt'), 0o755);
    assert.notEqual(hash(), edited, 'the executable bit is content');
  });
});

describe('build contexts and consent', () => {
  it('asks before a context that resolves to a system folder is sent, as for a mount; a folder beside the DAG is not asked about', () => {
    const dag = analyzeDag(
      'images:\n  x/api: {context: ../../../../../../../..}\nservices:\n  api: {image: x/api, ready: {tcp: 80}}\ntasks:\n  a: {build: {context: ./app}, services: [api]}\n',
    ).dag!;
    const requests = buildContextRequests(dag, '/tmp/some/where');
    assert.deepEqual(
      requests.map((r) => [r.taskId, r.kind, r.subject]),
      [['a', 'host-path', '/']],
    );
    assert.match(requests[0]!.why, /sent to the Docker Engine as a build context/);
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
