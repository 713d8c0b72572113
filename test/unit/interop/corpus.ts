import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES } from '../helpers';

const ROOT = join(__dirname, '..', '..', '..');

/** Every example, every valid test DAG and the format-v2 dataflow ones. */
export function roundTripCorpus(): Array<{ name: string; text: string }> {
  const files = (dir: string) =>
    readdirSync(dir)
      .filter((f) => f.endsWith('.dag.yaml'))
      .sort()
      .map((f) => ({ name: f, text: readFileSync(join(dir, f), 'utf8') }));
  return [
    ...files(join(ROOT, 'examples', 'movielens')).map((f) => ({ ...f, name: `examples/${f.name}` })),
    ...files(join(FIXTURES, 'valid')),
    ...files(join(FIXTURES, 'dataflow')),
  ];
}
