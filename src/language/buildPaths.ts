import { readdirSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { YAMLMap } from 'yaml';
import type { Analysis } from '../dag/analyze';
import { problem, type Problem } from '../dag/problem';
import { entry, isMap, isScalar, mapAt, pairs, rangeOf } from '../dag/yamlNodes';
import type { Completion } from './completion';

/** Entries listed for a completion: a folder of thousands is cut, as the editor's own path completion does. */
const MAX_ENTRIES = 200;

const kindOf = (path: string): 'dir' | 'file' | undefined => {
  try {
    const st = statSync(path);
    return st.isDirectory() ? 'dir' : st.isFile() ? 'file' : undefined;
  } catch {
    return undefined;
  }
};

/** Every `build` of the file (tasks' own and `images` entries), with its YAML map. */
function buildMaps(a: Analysis): YAMLMap[] {
  const root = a.parsed.doc?.contents;
  if (!isMap(root)) return [];
  const out: YAMLMap[] = [];
  const tasks = mapAt(root, 'tasks');
  for (const t of tasks ? pairs(tasks) : []) {
    const b = isMap(t.value) ? mapAt(t.value, 'build') : undefined;
    if (b) out.push(b);
  }
  const images = mapAt(root, 'images');
  for (const i of images ? pairs(images) : []) if (isMap(i.value)) out.push(i.value);
  return out;
}

/**
 * A build's folder and Dockerfile as they are on disk now, with the ranges of the values that name
 * them: what `docker build` would say at the start of a run, said as the file is typed.
 */
export function buildPathProblems(a: Analysis): Problem[] {
  if (!isAbsolute(a.fileName)) return [];
  const dagDir = dirname(a.fileName);
  const out: Problem[] = [];
  for (const b of buildMaps(a)) {
    const context = entry(b, 'context')?.value;
    if (!isScalar(context) || typeof context.value !== 'string' || !context.value.trim()) continue;
    const dir = resolve(dagDir, context.value);
    if (kindOf(dir) !== 'dir') {
      out.push(
        problem(
          'build-context-missing',
          'error',
          `There is no folder ${dir} to build from. "context" is relative to the DAG file.`,
          rangeOf(context),
        ),
      );
      continue;
    }
    const dockerfile = entry(b, 'dockerfile')?.value;
    const name = isScalar(dockerfile) && typeof dockerfile.value === 'string' ? dockerfile.value : 'Dockerfile';
    if (kindOf(join(dir, name)) !== 'file')
      out.push(
        problem(
          'build-dockerfile-missing',
          'error',
          `There is no ${name} in ${dir}. Add one, or set "dockerfile" (relative to the context).`,
          rangeOf(isScalar(dockerfile) ? dockerfile : context),
        ),
      );
  }
  return out;
}

/**
 * Completion of a build's paths: folders for `context` (from the DAG file's folder, or the folder
 * typed so far), files for `dockerfile` (in the context).
 */
export function buildPathCompletions(
  a: Analysis,
  field: 'context' | 'dockerfile',
  typed: string,
  context: string | undefined,
  replace: Completion['replace'],
): Completion[] {
  if (!isAbsolute(a.fileName)) return [];
  const base = field === 'context' ? dirname(a.fileName) : resolve(dirname(a.fileName), context ?? '.');
  const slash = typed.lastIndexOf('/');
  const prefix = slash >= 0 ? typed.slice(0, slash + 1) : '';
  let names: Array<{ name: string; dir: boolean }>;
  try {
    names = readdirSync(resolve(base, prefix || '.'), { withFileTypes: true })
      .slice(0, MAX_ENTRIES)
      .map((e) => ({ name: e.name, dir: e.isDirectory() }));
  } catch {
    return [];
  }
  return names
    .filter((n) => !n.name.startsWith('.') && (field === 'context' ? n.dir : n.dir || /dockerfile/i.test(n.name)))
    .map((n) => ({
      label: `${prefix}${n.name}${n.dir ? '/' : ''}`,
      kind: 'value' as const,
      detail: n.dir ? 'folder' : 'file',
      insertText: `${prefix}${n.name}${n.dir && field === 'dockerfile' ? '/' : ''}`,
      replace,
    }));
}
