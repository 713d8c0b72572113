import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fail, ok, type Errorable } from '../dag/errorable';
import type { Dag } from '../dag/model';
import { dict } from '../dag/dict';

/** A place secret values come from, in order of precedence. */
export type SecretSource = (name: string) => Promise<string | undefined>;

/** `movielens-password` → `MOVIELENS_PASSWORD`; a `name/key` reference uses its name. */
export function envNameOf(secretName: string): string {
  return secretName
    .split('/')[0]!
    .replace(/[^A-Za-z0-9]+/g, '_')
    .toUpperCase();
}

export function fromEnvironment(env: Readonly<Record<string, string | undefined>>): SecretSource {
  return async (name) => env[envNameOf(name)];
}

/** A `.env` file beside the DAG: `NAME=value` lines, `#` comments, optional quotes. */
export function fromDotEnv(dagDir: string): SecretSource {
  let parsed: Promise<Map<string, string>> | undefined;
  return async (name) => {
    parsed ??= readFile(join(dagDir, '.env'), 'utf8').then(parseDotEnv, () => new Map());
    return (await parsed).get(envNameOf(name));
  };
}

export function parseDotEnv(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    let v = m[2]!;
    if ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))) v = v.slice(1, -1);
    out.set(m[1]!, v);
  }
  return out;
}

/** Every secret the DAG's tasks use → its value, or a message naming the missing ones and how to set them. */
export async function resolveSecrets(
  dag: Dag,
  sources: readonly SecretSource[],
  taskIds?: ReadonlySet<string>,
): Promise<Errorable<Record<string, string>>> {
  const names = new Set<string>();
  for (const t of dag.tasks) if (!taskIds || taskIds.has(t.id)) for (const s of Object.values(t.secrets)) names.add(s);
  const values = dict<string>();
  const missing: string[] = [];
  for (const name of names) {
    let v: string | undefined;
    for (const source of sources) {
      v = await source(name);
      if (v !== undefined) break;
    }
    if (v === undefined) missing.push(name);
    else values[name] = v;
  }
  if (missing.length) {
    return fail(
      `No value for secret${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')}. ` +
        `Set it with "Container DAGs: Set Secret", or as the environment variable ${missing.map(envNameOf).join(', ')}, ` +
        'or in a .env file beside the DAG.',
    );
  }
  return ok(values);
}
