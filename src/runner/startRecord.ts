import { isoTimestamp } from '../dag/dates';
import { dict, own } from '../util/dict';
import type { Dag } from '../dag/model';
import type { RunRecord, TaskRecord } from '../protocol/runRecord';
import { selectedTasks } from './rerunSelection';
import type { RunOptions } from './runOptions';

/**
 * The record a new run starts from: every task queued, except those kept from a previous run of the
 * same date (its successes, Airflow's "clear" of the rest) and those not selected (`--task`). A
 * kept mapped task keeps its instances; a selected one gets them again when it expands.
 */
export function freshRecord(o: RunOptions): RunRecord {
  const tasks = dict<TaskRecord>();
  const selected = o.only && selectedTasks(o.dag, o.only);
  for (const t of o.dag.tasks) {
    const prev = own(o.previous?.tasks, t.id);
    const keep = prev?.state === 'success' || (selected !== undefined && !selected.has(t.id));
    tasks[t.id] = keep && prev ? { ...prev } : { state: keep ? 'no_status' : 'queued', ...history(o, t.id) };
    if (keep && !prev) tasks[t.id]!.reason = 'not selected for this run';
  }
  // A kept mapped task keeps its instances (only a kept record has `instances`; a queued one has none yet).
  for (const [id, prev] of Object.entries(o.previous?.tasks ?? {}))
    if (prev.mapped_from !== undefined && own(tasks, prev.mapped_from)?.instances !== undefined)
      tasks[id] = { ...prev };
  return {
    version: 1,
    run_id: o.runId,
    dag: o.dag.id,
    ...(o.file ? { file: o.file } : {}),
    ...(o.fileHash ? { file_hash: o.fileHash } : {}),
    logical_date: isoTimestamp(o.interval.start),
    data_interval_end: isoTimestamp(o.interval.end),
    backend: o.backend.kind,
    params: { ...o.dag.params, ...o.params },
    state: 'queued',
    ...(o.clearing ? { cleared_at: [...(o.clearing.cleared_at ?? []), new Date().toISOString()] } : {}),
    ...(o.clearing?.resumed_at ? { resumed_at: o.clearing.resumed_at } : {}),
    tasks,
  };
}

/**
 * The tries a task (or an instance) starts from: none in a new run; in a cleared one, its earlier
 * attempts, so the next is numbered after them and each keeps its log.
 */
export function history(o: RunOptions, id: string): { tries: number; attempts: TaskRecord['attempts'] } {
  const past = own(o.clearing?.tasks, id);
  return past ? { tries: past.tries, attempts: past.attempts.map((a) => ({ ...a })) } : { tries: 0, attempts: [] };
}

/**
 * The record of a run whose runner died, to go on under the same id: attempts that were running
 * are reattached (their task ids are returned), tasks between attempts are queued again.
 */
export function resumedRecord(prev: RunRecord, dag: Dag): { record: RunRecord; reattaching: string[] } {
  const r: RunRecord = structuredClone(prev);
  r.tasks = dict(Object.entries(r.tasks));
  delete r.ended_at;
  delete r.interrupted;
  delete r.reason;
  r.resumed_at = [...(r.resumed_at ?? []), new Date().toISOString()];
  const reattaching: string[] = [];
  for (const t of dag.tasks) r.tasks[t.id] ??= { state: 'queued', tries: 0, attempts: [] };
  // The services the new runner needs it starts (or adopts) and records again; the others were collected.
  if (r.services) {
    r.services = dict(Object.entries(r.services));
    for (const svc of Object.values(r.services))
      if (svc.state === 'starting' || svc.state === 'ready') {
        svc.state = 'stopped';
        svc.ended_at ??= new Date().toISOString();
      }
  }
  for (const [id, rec] of Object.entries(r.tasks)) {
    // A mapped task whose instances were made goes on through them; they keep their items.
    if (rec.instances !== undefined && rec.state === 'running') continue;
    if (rec.state === 'running' && rec.attempts.at(-1)?.state === 'running') reattaching.push(id);
    else if (rec.state === 'running' || rec.state === 'up_for_retry') rec.state = 'queued';
  }
  return { record: r, reattaching };
}
