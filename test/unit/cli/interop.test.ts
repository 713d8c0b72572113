import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main, type Io } from '../../../src/cli/main';
import { FIXTURES } from '../helpers';

async function cdag(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { out: (s) => (out += s), err: (s) => (err += s), readFile: (p) => readFileSync(p, 'utf8') };
  const code = await main(args, io);
  return { code, out, err };
}

const BOOK = join(FIXTURES, 'airflow', '01_docker.py');
const MOVIELENS = join(FIXTURES, 'valid', 'movielens.dag.yaml');

describe('cdag import and cdag export', () => {
  it('import prints the DAG file and the Python lines it could not translate as file:line:col diagnostics', async () => {
    const r = await cdag(['import', BOOK]);
    assert.equal(r.code, 0);
    assert.match(r.out, /^dag: 01_docker$/m);
    assert.match(r.err, /01_docker\.py:31:13: warning: .*MOVIELENS_PASSWORD.* \[secret-on-command-line\]/);
  });

  it('import -o writes a new file and never replaces one without --force', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cdag-import-'));
    const target = join(dir, 'movielens.dag.yaml');
    writeFileSync(target, 'mine\n');
    const refused = await cdag(['import', BOOK, '-o', target]);
    assert.equal(refused.code, 1);
    assert.match(refused.err, /exists; nothing was written.*--force/);
    assert.equal(readFileSync(target, 'utf8'), 'mine\n');
    assert.equal((await cdag(['import', BOOK, '-o', target, '--force'])).code, 0);
    assert.match(readFileSync(target, 'utf8'), /^dag: 01_docker$/m);
  });

  it('import exits 1, naming the cause, for a file with no DAG or that does not exist', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cdag-import-'));
    const empty = join(dir, 'empty.py');
    writeFileSync(empty, 'print("hello")\n');
    const r = await cdag(['import', empty]);
    assert.equal(r.code, 1);
    assert.match(r.err, /empty\.py:1:1: error: No DAG\(\.\.\.\) was found/);
    const missing = await cdag(['import', join(dir, 'nope.py')]);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /nope\.py: no such file/);
  });

  it('export writes Airflow (either operator) or Argo, and refuses a DAG file with errors or a wrong option', async () => {
    const docker = await cdag(['export', MOVIELENS, '--to', 'airflow']);
    assert.equal(docker.code, 0);
    assert.match(docker.out, /ContainerDagsDockerOperator\(\s+task_id="fetch_ratings"/);
    const pods = await cdag(['export', MOVIELENS, '--to', 'airflow', '--operator', 'kubernetes']);
    assert.match(pods.out, /KubernetesPodOperator\(\s+task_id="fetch_ratings"/);
    const argo = await cdag(['export', MOVIELENS, '--to', 'argo']);
    assert.match(argo.out, /^kind: CronWorkflow$/m);
    assert.equal((await cdag(['export', MOVIELENS, '--to', 'luigi'])).code, 2);
    const broken = await cdag(['export', join(FIXTURES, 'invalid', 'cycle.dag.yaml'), '--to', 'argo']);
    assert.equal(broken.code, 1);
    assert.match(broken.err, /has errors; export needs a valid DAG/);
  });
});
