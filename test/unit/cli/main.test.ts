import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { main, type Io } from '../../../src/cli/main';
import { FIXTURES } from '../helpers';

function run(args: string[], files: Record<string, string> = {}): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const io: Io = {
    out: (s) => (out += s),
    err: (s) => (err += s),
    readFile: (p) => {
      if (p in files) return files[p]!;
      return readFileSync(p, 'utf8');
    },
  };
  const code = main(args, io);
  if (typeof code !== 'number') throw new Error('use runAsync for commands that run');
  return { code, out, err };
}

const MOVIELENS = join(FIXTURES, 'valid', 'movielens.dag.yaml');
const TYPO = join(FIXTURES, 'invalid', 'unknown_dependency.dag.yaml');

describe('cdag validate', () => {
  it('exits 0 for a file without errors', () => {
    assert.equal(run(['validate', MOVIELENS]).code, 0);
  });

  it('exits 1 and prints file:line:col: severity: message [code] when a file has errors', () => {
    const r = run(['validate', MOVIELENS, TYPO]);
    assert.equal(r.code, 1);
    assert.match(
      r.out,
      new RegExp(
        `^${TYPO.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:5:18: error: Unknown task "fetch_ratngs".* \\[unknown-task\\]$`,
        'm',
      ),
    );
  });

  it('prints LSP-style 0-based JSON with --json', () => {
    const r = run(['validate', '--json', TYPO]);
    assert.equal(r.code, 1);
    const [d] = JSON.parse(r.out) as Array<Record<string, unknown>>;
    assert.deepEqual(d, {
      file: TYPO,
      severity: 'error',
      code: 'unknown-task',
      message: 'Unknown task "fetch_ratngs" in depends_on of "rank". Did you mean "fetch_ratings"?',
      range: { start: { line: 4, character: 17 }, end: { line: 4, character: 29 } },
    });
  });

  it('exits 2 on usage errors', () => {
    assert.equal(run(['validate']).code, 2);
    assert.equal(run(['validate', '--bogus', MOVIELENS]).code, 2);
    assert.equal(run(['frobnicate']).code, 2);
    assert.equal(run([]).code, 2);
  });

  it('reports a missing file as an error, not a crash', () => {
    const r = run(['validate', '/nonexistent/x.dag.yaml']);
    assert.equal(r.code, 1);
    assert.match(r.err, /no such file/);
  });
});

describe('cdag graph', () => {
  it('prints {dag, nodes, edges} as JSON', () => {
    const r = run(['graph', MOVIELENS]);
    assert.equal(r.code, 0);
    const g = JSON.parse(r.out);
    assert.equal(g.dag, 'movielens');
    assert.deepEqual(
      g.nodes.map((n: { id: string; image: string }) => [n.id, n.image]),
      [
        ['fetch_ratings', 'manning-airflow/movielens-fetch'],
        ['rank_movies', 'manning-airflow/movielens-rank'],
      ],
    );
    assert.deepEqual(g.edges, [{ from: 'fetch_ratings', to: 'rank_movies' }]);
  });

  it('prints Graphviz DOT', () => {
    const r = run(['graph', MOVIELENS, '--format', 'dot']);
    assert.match(r.out, /"fetch_ratings" -> "rank_movies";/);
  });

  it('refuses a file with errors', () => {
    const r = run(['graph', TYPO]);
    assert.equal(r.code, 1);
    assert.match(r.err, /fetch_ratngs/);
  });
});

describe('cdag render', () => {
  it('prints the Docker create body with templates rendered and secrets masked', () => {
    const r = run(['render', MOVIELENS, '--task', 'fetch_ratings', '--date', '2019-01-01']);
    assert.equal(r.code, 0, r.err);
    const body = JSON.parse(r.out);
    assert.equal(body.Image, 'manning-airflow/movielens-fetch');
    assert.deepEqual(body.Entrypoint, ['fetch-ratings']);
    assert.deepEqual(body.Cmd.slice(0, 6), [
      '--start_date',
      '2019-01-01',
      '--end_date',
      '2019-01-02',
      '--output_path',
      '/data/ratings/2019-01-01.json',
    ]);
    assert.ok(body.Env.includes('MOVIELENS_PASSWORD=***'));
    assert.deepEqual(body.HostConfig.Mounts, [
      { Type: 'bind', Source: '/tmp/airflow/data', Target: '/data', ReadOnly: false },
    ]);
    assert.equal(body.HostConfig.NetworkMode, 'airflow');
    assert.equal(body.Labels['io.container-dags/task'], 'fetch_ratings');
  });

  it('prints the pod manifest with the secret as a secretKeyRef', () => {
    const r = run(['render', MOVIELENS, '--task', 'fetch_ratings', '--date', '2019-01-01', '--backend', 'kubernetes']);
    assert.equal(r.code, 0, r.err);
    const pod = JSON.parse(r.out);
    assert.equal(pod.kind, 'Pod');
    assert.equal(pod.metadata.namespace, 'airflow');
    assert.match(pod.metadata.name, /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    assert.ok(pod.metadata.name.length <= 63);
    assert.equal(pod.spec.restartPolicy, 'Never');
    assert.equal(pod.spec.activeDeadlineSeconds, 600 + 120);
    const c = pod.spec.containers[0];
    assert.deepEqual(c.command, ['fetch-ratings']);
    assert.deepEqual(
      c.env.find((e: { name: string }) => e.name === 'MOVIELENS_PASSWORD'),
      {
        name: 'MOVIELENS_PASSWORD',
        valueFrom: { secretKeyRef: { name: 'movielens-password', key: 'movielens-password' } },
      },
    );
    assert.deepEqual(pod.spec.volumes, [{ name: 'vol-data', persistentVolumeClaim: { claimName: 'data-volume' } }]);
  });

  it('fails when a mounted volume has no source for the backend', () => {
    const dag = 'volumes:\n  v: {docker: /tmp/v}\ntasks:\n  t: {image: x, mounts: [v:/v]}\n';
    const r = run(['render', 'mem.dag.yaml', '--task', 't', '--backend', 'kubernetes'], { 'mem.dag.yaml': dag });
    assert.equal(r.code, 1);
    assert.match(r.err, /no kubernetes source/);
  });

  it('exits 2 for an unknown task or a bad date', () => {
    assert.equal(run(['render', MOVIELENS, '--task', 'nope']).code, 2);
    assert.equal(run(['render', MOVIELENS, '--task', 'fetch_ratings', '--date', 'yesterday']).code, 2);
    assert.equal(run(['render', MOVIELENS]).code, 2);
  });
});
