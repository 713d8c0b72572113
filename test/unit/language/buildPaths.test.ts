import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeDag } from '../../../src/dag/analyze';
import { answer } from '../../../src/language/requests';

function project(text: string): { file: string; text: string } {
  const dir = mkdtempSync(join(tmpdir(), 'cdag-lang-build-'));
  mkdirSync(join(dir, 'fetch'));
  mkdirSync(join(dir, 'rank'));
  writeFileSync(join(dir, 'fetch', 'Dockerfile'), 'FROM x\n');
  writeFileSync(join(dir, 'rank', 'build.dockerfile'), 'FROM x\n');
  writeFileSync(join(dir, 'rank', 'notes.txt'), '');
  const file = join(dir, 'p.dag.yaml');
  writeFileSync(file, text);
  return { file, text };
}

describe('build paths in the editor', () => {
  it('says, on the value that names it, a context folder or Dockerfile that is not on disk', () => {
    const text =
      'images:\n  x/rank: {context: rank}\ntasks:\n  a: {build: {context: fetch}}\n  b: {build: {context: nowhere}}\n  c: {image: x/rank}\n';
    const p = project(text);
    const problems = answer(analyzeDag(p.text, p.file), { op: 'problems' });
    const found = problems.map((x) => [x.code, p.text.slice(x.range.start, x.range.end)]);
    assert.deepEqual(found, [
      ['build-dockerfile-missing', 'rank'],
      ['build-context-missing', 'nowhere'],
    ]);
  });

  it('completes a context with the folders beside the DAG file, and a dockerfile with the Dockerfiles in the context', () => {
    const p = project('tasks:\n  a:\n    build:\n      context: rank\n      dockerfile: \n');
    const a = analyzeDag(p.text, p.file);
    const at = (needle: string) => p.text.indexOf(needle) + needle.length;
    const folders = answer(a, { op: 'complete', offset: at('context: rank') - 4 }).map((c) => c.label);
    assert.deepEqual(folders.sort(), ['fetch/', 'rank/']);
    const files = answer(a, { op: 'complete', offset: at('dockerfile: ') }).map((c) => c.label);
    assert.deepEqual(files, ['build.dockerfile']);
  });
});
