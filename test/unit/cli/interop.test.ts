import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main, nodeIo, type Io } from '../../../src/cli/main';
import { FIXTURES } from '../helpers';

async function cdag(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { ...nodeIo, out: (s) => (out += s), err: (s) => (err += s) };
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

  it('import --report prints, per task, what was carried, approximated and left out, and a count line', async () => {
    const r = await cdag(['import', BOOK, '--report']);
    assert.equal(r.code, 0);
    assert.match(r.err, /^fetch_ratings \(DockerOperator, line \d+\): \d+ of \d+ arguments carried$/m);
    assert.match(r.err, /^ {2}approximated: command — .*MOVIELENS_PASSWORD/m);
    assert.match(r.err, /^\d+ of \d+ arguments carried, 1 approximated, 0 left out, in 2 tasks\.$/m);
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

  it('import validates what it writes: errors of the written file on the Python lines they come from, exit 1, never a success', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cdag-import-'));
    const py = join(dir, 'bad.py');
    writeFileSync(
      py,
      'from airflow import DAG\nfrom airflow.providers.docker.operators.docker import DockerOperator\n\nwith DAG("bad") as dag:\n    a = DockerOperator(task_id="has space", image="busybox")\n    b = DockerOperator(task_id="ok", image="Busybox:UPPER")\n',
    );
    const r = await cdag(['import', py, '-o', join(dir, 'bad.dag.yaml')]);
    assert.equal(r.code, 1);
    assert.match(r.err, /bad\.py:5:9: error: The written DAG file, line \d+: "has space" is not a valid name/);
    assert.match(r.err, /bad\.py:6:9: error: The written DAG file, line \d+: "Busybox:UPPER" is not a valid image/);
    assert.match(r.err, /The import is not complete: 2 errors above must be fixed before the DAG file can run/);
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
