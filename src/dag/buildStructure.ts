import { DEFAULT_READY_INTERVAL_MS, DEFAULT_READY_TIMEOUT_MS, type Group, type Service, type Task } from './model';
import { parseDuration } from './duration';
import { parseCpu, parseMemory } from './quantity';
import { PULL_POLICIES, type PullPolicy } from './schema';
import { shellSplit } from './shellSplit';
import { dict, own } from '../util/dict';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const obj = (v: unknown): Obj => (isObj(v) ? v : {});
const str = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
const list = (v: unknown): string[] | undefined =>
  typeof v === 'string' ? shellSplit(v) : Array.isArray(v) ? v.map((x) => str(x) ?? '') : undefined;

/** `extract.eu` → `extract`, `extract.eu`: a group and every group around it, outermost first. */
export function groupPath(name: string): string[] {
  const parts = name.split('.');
  return parts.map((_, i) => parts.slice(0, i + 1).join('.'));
}

/** Every group the file names (under `groups`, by a task, or around either), by name, in first-seen order. */
export function groupsOf(groupsRoot: Obj, taskGroups: ReadonlyArray<string | undefined>): Map<string, Group> {
  const out = new Map<string, Group>();
  const add = (name: string) => {
    for (const g of groupPath(name)) {
      if (out.has(g)) continue;
      const dot = g.lastIndexOf('.');
      const description = str(obj(own(groupsRoot, g)).description);
      out.set(g, { name: g, ...(description ? { description } : {}), ...(dot > 0 ? { parent: g.slice(0, dot) } : {}) });
    }
  };
  for (const name of Object.keys(groupsRoot)) add(name);
  for (const g of taskGroups) if (g) add(g);
  return out;
}

/** The defaults a task of `group` gets from its groups, outer group first (an inner group's win). */
export function groupDefaults(groupsRoot: Obj, group: string | undefined, merge: (a: Obj, b: Obj) => Obj): Obj {
  let out: Obj = {};
  if (!group) return out;
  for (const g of groupPath(group)) out = merge(out, obj(obj(own(groupsRoot, g)).defaults));
  return out;
}

/** Whether a task is in a group or in a group inside it. */
export const inGroup = (task: Pick<Task, 'group'>, group: string): boolean =>
  task.group === group || (task.group?.startsWith(`${group}.`) ?? false);

/**
 * `depends_on` naming a group means every task of it (inner groups included), as Airflow's
 * `group >> task`. A task's own group is never its upstream.
 */
export function withGroupDependencies(tasks: readonly Task[], groups: ReadonlyMap<string, Group>): Task[] {
  const ids = new Set(tasks.map((t) => t.id));
  return tasks.map((t) => {
    if (!t.dependsOn.some((d) => !ids.has(d) && groups.has(d))) return t;
    const deps = t.dependsOn.flatMap((d) =>
      ids.has(d) || !groups.has(d) ? [d] : tasks.filter((m) => m.id !== t.id && inGroup(m, d)).map((m) => m.id),
    );
    const named = t.dependsOn.filter((d) => !ids.has(d) && groups.has(d));
    return { ...t, dependsOn: deps.filter((d, i) => deps.indexOf(d) === i), dependsOnGroups: named };
  });
}

export function buildServices(root: unknown, dockerPull: PullPolicy | undefined): Map<string, Service> {
  const out = new Map<string, Service>();
  for (const [name, raw] of Object.entries(obj(root))) {
    const s = obj(raw);
    const res = obj(s.resources);
    const cpu = str(res.cpu) !== undefined ? parseCpu(str(res.cpu)!) : undefined;
    const memory = str(res.memory) !== undefined ? parseMemory(str(res.memory)!) : undefined;
    const ready = isObj(s.ready) ? s.ready : undefined;
    const ms = (v: unknown, fallback: number) => {
      const d = str(v) !== undefined ? parseDuration(str(v)!) : undefined;
      return d?.succeeded ? d.result : fallback;
    };
    const readyCommand = ready ? list(ready.command) : undefined;
    const command = list(s.command);
    const args = list(s.args);
    out.set(name, {
      name,
      image: str(s.image) ?? '',
      imagePullPolicy: PULL_POLICIES.includes(s.image_pull_policy as PullPolicy)
        ? (s.image_pull_policy as PullPolicy)
        : (dockerPull ?? 'IfNotPresent'),
      ...(command ? { command } : {}),
      ...(args ? { args } : {}),
      env: strMap(s.env),
      secrets: strMap(s.secrets),
      resources: {
        ...(cpu?.succeeded ? { cpu: cpu.result } : {}),
        ...(memory?.succeeded ? { memoryBytes: memory.result } : {}),
      },
      ports: (Array.isArray(s.ports) ? s.ports : []).flatMap((p) => {
        const m = /^(?:(\d+):)?(\d+)$/.exec(str(p) ?? '');
        return m ? [{ port: Number(m[2]), ...(m[1] ? { hostPort: Number(m[1]) } : {}) }] : [];
      }),
      ...(ready
        ? {
            ready: {
              ...(readyCommand ? { command: readyCommand } : {}),
              ...(typeof ready.tcp === 'number' ? { tcp: ready.tcp } : {}),
              intervalMs: ms(ready.interval, DEFAULT_READY_INTERVAL_MS),
              timeoutMs: ms(ready.timeout, DEFAULT_READY_TIMEOUT_MS),
            },
          }
        : {}),
    });
  }
  return out;
}

function strMap(v: unknown): Record<string, string> {
  const out = dict<string>();
  for (const [k, x] of Object.entries(obj(v))) {
    const s = str(x);
    if (s !== undefined) out[k] = s;
  }
  return out;
}
