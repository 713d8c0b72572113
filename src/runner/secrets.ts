import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fail, ok, type Errorable } from '../util/errorable';
import type { Dag } from '../dag/model';
import { dict } from '../util/dict';
import { envNameOf } from '../dag/secretRefs';

/** A place secret values come from, in order of precedence. */
export type SecretSource = (name: string) => Promise<string | undefined>;

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

/** Every secret the DAG's tasks use → its value; the names no source has a value for otherwise. */
export async function resolveSecrets(
  dag: Dag,
  sources: readonly SecretSource[],
  taskIds?: ReadonlySet<string>,
): Promise<Errorable<Record<string, string>, { readonly code: 'secrets-missing'; readonly names: string[] }>> {
  const names = new Set<string>();
  for (const t of dag.tasks) {
    if (taskIds && !taskIds.has(t.id)) continue;
    for (const s of Object.values(t.secrets)) names.add(s);
    // The services a task needs run with it: their secrets are read with its own.
    for (const name of t.services) for (const s of Object.values(dag.services.get(name)?.secrets ?? {})) names.add(s);
  }
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
  return missing.length ? fail({ code: 'secrets-missing', names: missing }) : ok(values);
}
