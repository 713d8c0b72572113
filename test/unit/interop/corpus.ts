import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES } from '../helpers';

const ROOT = join(__dirname, '..', '..', '..');

/** Every example and every valid test DAG. */
export function roundTripCorpus(): Array<{ name: string; text: string }> {
  const valid = join(FIXTURES, 'valid');
  return [
    {
      name: 'examples/movielens',
      text: readFileSync(join(ROOT, 'examples', 'movielens', 'movielens.dag.yaml'), 'utf8'),
    },
    ...readdirSync(valid)
      .filter((f) => f.endsWith('.dag.yaml'))
      .sort()
      .map((f) => ({ name: f, text: readFileSync(join(valid, f), 'utf8') })),
  ];
}
