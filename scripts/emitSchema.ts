// Emits the generated artifacts of src/dag/schema.ts (the source of truth): schemas/dag.schema.json
// and docs/dag-format.md; and src/dag/podModel.json from @kubernetes/client-node's models. With
// `--check` it only compares, and fails when one is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatReferenceTables } from '../src/dag/formatReference';
import { toJsonSchema } from '../src/dag/jsonSchema';
import { podModelText } from './podModel';

const root = join(__dirname, '..');
const outputs: Array<[string, string]> = [
  [join(root, 'schemas', 'dag.schema.json'), `${JSON.stringify(toJsonSchema(), null, 2)}\n`],
  [
    join(root, 'docs', 'dag-format.md'),
    `${readFileSync(join(root, 'docs', 'src', 'dag-format.head.md'), 'utf8').trimEnd()}\n\n${formatReferenceTables()}`,
  ],
  [join(root, 'src', 'dag', 'podModel.json'), podModelText(root)],
];
let stale = false;
for (const [file, text] of outputs) {
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(file, 'utf8');
    } catch {
      // a missing file is stale
    }
    if (current !== text) {
      console.error(`${file} is out of date with src/dag/schema.ts: run \`npm run schema\`.`);
      stale = true;
    }
  } else {
    writeFileSync(file, text);
    console.log(`wrote ${file}`);
  }
}
if (stale) process.exit(1);
if (process.argv.includes('--check')) console.log('schema and format reference are up to date.');
