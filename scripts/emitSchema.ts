// Emits schemas/dag.schema.json from src/dag/schema.ts (the source of truth); `--check` fails when stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toJsonSchema } from '../src/dag/jsonSchema';

const target = join(__dirname, '..', 'schemas', 'dag.schema.json');
const text = `${JSON.stringify(toJsonSchema(), null, 2)}\n`;
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(target, 'utf8');
  } catch {
    // missing counts as stale
  }
  if (current !== text) {
    console.error('schemas/dag.schema.json is out of date with src/dag/schema.ts: run `npm run schema`.');
    process.exit(1);
  }
  console.log('schemas/dag.schema.json is up to date.');
} else {
  writeFileSync(target, text);
  console.log(`wrote ${target}`);
}
