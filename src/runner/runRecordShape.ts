import { dict } from '../util/dict';
import type { RunRecord, ServiceRecord, ServiceState, TaskRecord } from '../protocol/runRecord';

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const RUN_STATES = new Set(['queued', 'running', 'success', 'failed', 'cancelled']);
const TASK_STATES = new Set([...RUN_STATES, 'up_for_retry', 'upstream_failed', 'skipped']);

function isTaskRecord(x: unknown): x is TaskRecord {
  return (
    isObject(x) &&
    typeof x.state === 'string' &&
    typeof x.tries === 'number' &&
    Array.isArray(x.attempts) &&
    x.attempts.every((a) => isObject(a) && typeof a.try === 'number' && typeof a.state === 'string')
  );
}

/** A record's tasks, for views that need nothing else (`cdag graph --record`); or why there are none. */
export function recordTasks(x: unknown): Record<string, TaskRecord> | string {
  if (!isObject(x)) return `not a JSON object (${x === null ? 'null' : Array.isArray(x) ? 'an array' : typeof x})`;
  if (!isObject(x.tasks)) return '"tasks" is not an object';
  for (const [id, t] of Object.entries(x.tasks)) if (!isTaskRecord(t)) return `task "${id}" is not a task record`;
  return dict(Object.entries(x.tasks as Record<string, TaskRecord>));
}

/**
 * A record read from disk, checked before anything trusts it: a run folder may hold anything (a
 * hand edit, a half-synced copy, another tool's file). Returns why it is not a record, or the
 * record with its tasks in a null-prototype map (task ids such as `__proto__` are valid).
 */
export function asRunRecord(x: unknown): RunRecord | string {
  if (!isObject(x)) return `not a JSON object (${x === null ? 'null' : Array.isArray(x) ? 'an array' : typeof x})`;
  for (const key of ['run_id', 'dag', 'logical_date', 'backend'] as const) {
    if (typeof x[key] !== 'string') return `"${key}" is missing or not a string`;
  }
  if (typeof x.state !== 'string' || !RUN_STATES.has(x.state)) return '"state" is not a run state';
  const tasks = recordTasks(x);
  if (typeof tasks === 'string') return tasks;
  if (x.params !== undefined && !isObject(x.params)) return '"params" is not an object';
  if (x.owner !== undefined && !(isObject(x.owner) && typeof x.owner.pid === 'number')) return '"owner" is malformed';
  const record = { ...x, params: isObject(x.params) ? x.params : {} } as unknown as RunRecord;
  record.tasks = tasks;
  // Groups are derived data: a malformed entry is dropped rather than refusing the run.
  const groups = recordGroups(x.groups);
  if (groups) record.groups = groups;
  else delete record.groups;
  const services = recordServices(x.services);
  if (services) record.services = services;
  else delete record.services;
  return record;
}

const SERVICE_STATES = new Set(['starting', 'ready', 'failed', 'stopped']);

/** A service entry is kept when its state and tasks are sound; its optional fields only with their types. */
function recordServices(x: unknown): RunRecord['services'] {
  if (!isObject(x)) return undefined;
  const out = dict<ServiceRecord>();
  for (const [name, v] of Object.entries(x)) {
    if (!isObject(v) || typeof v.state !== 'string' || !SERVICE_STATES.has(v.state)) continue;
    if (!Array.isArray(v.tasks) || !v.tasks.every((t) => typeof t === 'string')) continue;
    const r: ServiceRecord = { state: v.state as ServiceState, tasks: v.tasks as string[] };
    for (const k of ['started_at', 'ready_at', 'ended_at', 'reason', 'container_id', 'log_file'] as const)
      if (typeof v[k] === 'string') r[k] = v[k];
    if (typeof v.exit_code === 'number') r.exit_code = v.exit_code;
    out[name] = r;
  }
  return out;
}

function recordGroups(x: unknown): RunRecord['groups'] {
  if (!isObject(x)) return undefined;
  const out = dict<NonNullable<RunRecord['groups']>[string]>();
  for (const [name, g] of Object.entries(x))
    if (
      isObject(g) &&
      typeof g.state === 'string' &&
      TASK_STATES.has(g.state) &&
      Array.isArray(g.tasks) &&
      g.tasks.every((t) => typeof t === 'string')
    )
      out[name] = { state: g.state as TaskRecord['state'], tasks: g.tasks as string[] };
  return out;
}
