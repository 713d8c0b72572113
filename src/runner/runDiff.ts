import type { AttemptRecord, RunRecord, TaskRecord } from '../protocol/runRecord';
import { own } from '../util/dict';

/** One thing that differs between two runs: its name, and its value in each (undefined: absent). */
export interface Difference {
  readonly what: string;
  readonly a: unknown;
  readonly b: unknown;
}

export interface TaskDifferences {
  readonly task: string;
  readonly differences: readonly Difference[];
}

/** What differs between two runs of a DAG: the run itself, its params, and each task's last attempt. */
export interface RunDiff {
  readonly run: readonly Difference[];
  readonly params: readonly Difference[];
  readonly tasks: readonly TaskDifferences[];
  /** Tasks that are the same in both. */
  readonly same: readonly string[];
}

/** A duration is said to differ when it changed by more than this share and by over a second. */
const DURATION_CHANGE = 0.25;

/**
 * Compares two run records as Airflow users compare two DAG runs: per task, the state, tries,
 * image and digest, the rendered command and arguments, exit code, reason, outputs and a duration
 * that changed markedly — the questions "what changed" asks of a run that broke.
 */
export function diffRuns(a: RunRecord, b: RunRecord): RunDiff {
  const run = differences([
    ['dag', a.dag, b.dag],
    ['logical date', a.logical_date, b.logical_date],
    ['state', a.state, b.state],
    ['backend', a.backend, b.backend],
    ['file hash', a.file_hash, b.file_hash],
  ]);
  const paramNames = [...new Set([...Object.keys(a.params), ...Object.keys(b.params)])].sort();
  const params = differences(paramNames.map((p) => [p, own(a.params, p), own(b.params, p)]));
  const ids = [...new Set([...Object.keys(a.tasks), ...Object.keys(b.tasks)])];
  const tasks: TaskDifferences[] = [];
  const same: string[] = [];
  for (const id of ids) {
    const d = taskDifferences(own(a.tasks, id), own(b.tasks, id));
    if (d.length) tasks.push({ task: id, differences: d });
    else same.push(id);
  }
  return { run, params, tasks, same };
}

function taskDifferences(a: TaskRecord | undefined, b: TaskRecord | undefined): Difference[] {
  if (!a || !b) return [{ what: 'task', a: a ? 'present' : undefined, b: b ? 'present' : undefined }];
  const x: Partial<AttemptRecord> = a.attempts.at(-1) ?? {};
  const y: Partial<AttemptRecord> = b.attempts.at(-1) ?? {};
  const rows: Array<[string, unknown, unknown]> = [
    ['state', a.state, b.state],
    ['tries', a.tries, b.tries],
    ['image', x.image, y.image],
    ['image digest', x.image_digest ?? x.image_id, y.image_digest ?? y.image_id],
    ['command', x.command, y.command],
    ['args', x.args, y.args],
    ['exit code', x.exit_code, y.exit_code],
    ['reason', x.reason ?? a.reason, y.reason ?? b.reason],
    ['outputs', a.outputs, b.outputs],
    ['instances', a.instances, b.instances],
  ];
  const da = seconds(x);
  const db = seconds(y);
  if (
    da !== undefined &&
    db !== undefined &&
    Math.abs(da - db) > 1 &&
    Math.abs(da - db) > DURATION_CHANGE * Math.min(da, db)
  )
    rows.push(['duration (s)', round(da), round(db)]);
  return differences(rows);
}

function differences(rows: ReadonlyArray<readonly [string, unknown, unknown]>): Difference[] {
  return rows.filter(([, a, b]) => !same(a, b)).map(([what, a, b]) => ({ what, a, b }));
}

function same(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

function seconds(a: Partial<AttemptRecord>): number | undefined {
  if (!a.started_at || !a.ended_at) return undefined;
  return (Date.parse(a.ended_at) - Date.parse(a.started_at)) / 1000;
}

const round = (n: number) => Math.round(n * 10) / 10;

/** A difference as a line: `exit code: 0 → 1`; values as JSON, absent as "—". */
export function differenceText(d: Difference): string {
  const show = (v: unknown) => (v === undefined ? '—' : typeof v === 'string' ? v : JSON.stringify(v));
  return `${d.what}: ${show(d.a)} → ${show(d.b)}`;
}
