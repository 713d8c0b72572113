import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../e2e/codeServer';

describe('the movielens example (npm run demo)', function () {
  this.timeout(300_000);

  it('backfills 2019-01-01..2019-01-03 and writes the three ranking files', () => {
    const r = spawnSync('bash', [join(ROOT, 'scripts', 'demo.sh'), '--runs-dir', '/tmp/cdag-movielens-it-runs'], {
      encoding: 'utf8',
      env: { ...process.env, MOVIELENS_PASSWORD: 'airflow' },
    });
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    for (const day of ['2019-01-01', '2019-01-02', '2019-01-03']) {
      const ratings = JSON.parse(readFileSync(`/tmp/airflow/data/ratings/${day}.json`, 'utf8')) as Array<{
        movieId: number;
        rating: number;
      }>;
      assert.equal(ratings.length, 25, 'every page of the API was fetched');
      const csv = readFileSync(`/tmp/airflow/data/rankings/${day}.csv`, 'utf8').trim().split('\n');
      assert.equal(csv[0], 'movieId,avg_rating,num_ratings');
      const rows = csv.slice(1).map((l) => l.split(',').map(Number));
      // The ranking is the average per movie, best first, over exactly the fetched ratings.
      assert.equal(
        rows.reduce((n, row) => n + row[2]!, 0),
        25,
      );
      for (let i = 1; i < rows.length; i++) assert.ok(rows[i - 1]![1]! >= rows[i]![1]!);
      const movie = rows[0]![0]!;
      const mine = ratings.filter((x) => x.movieId === movie);
      assert.equal(rows[0]![1], Number((mine.reduce((s, x) => s + x.rating, 0) / mine.length).toFixed(3)));
    }
  });

  it('fails the fetch, saying so, when the password secret is wrong', () => {
    const r = spawnSync(
      'bash',
      [join(ROOT, 'scripts', 'demo.sh'), '--runs-dir', '/tmp/cdag-movielens-it-runs', '--json'],
      {
        encoding: 'utf8',
        env: { ...process.env, MOVIELENS_PASSWORD: 'wrong-password' },
      },
    );
    assert.notEqual(r.status, 0);
    assert.match(r.stdout, /"fetch_ratings": \{\s*"state": "failed"/);
    assert.ok(!`${r.stdout}${r.stderr}`.includes('wrong-password'), 'the secret never appears in output');
  });
});
