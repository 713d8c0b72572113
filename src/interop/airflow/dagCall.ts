import { PRESET_CRON } from '../../dag/schedule';
import { shortName, type PyValue } from '../python/values';
import { METADATA_ARGS } from './baseOperator';
import { dateText, type Doc, type DocMap, type ImportContext } from './importContext';
import { dict } from '../../util/dict';

/** DAG arguments that tune Airflow's scheduler or UI only. */
const DAG_IGNORED = new Set([
  'tags',
  'doc_md',
  'max_active_runs',
  'dagrun_timeout',
  'render_template_as_native_obj',
  'template_searchpath',
  'template_undefined',
  'access_control',
  'owner_links',
  'is_paused_upon_creation',
  'fail_stop',
  'fail_fast',
  'on_success_callback',
  'on_failure_callback',
  'sla_miss_callback',
  'jinja_environment_kwargs',
  'dag_display_name',
  'max_consecutive_failed_dag_runs',
  'auto_register',
  'orientation',
  'default_view',
]);

const PRESETS = new Set(['@once', '@hourly', '@daily', '@weekly', '@monthly', '@yearly', '@quarterly', '@annually']);

export interface DagFields {
  readonly fields: DocMap;
  /** default_args that apply to operators, as keyword arguments. */
  readonly defaultArgs: ReadonlyMap<string, PyValue>;
}

/**
 * Which Airflow a file is read as, for the defaults it omits: Airflow 2 runs a DAG without a schedule
 * daily and catches up; Airflow 3 runs it only when triggered and does not catch up.
 */
export interface AirflowDefaults {
  readonly version: 2 | 3;
  /** Why that version: a flag, the file's imports, or the current release. */
  readonly why: string;
}

/** The Airflow whose defaults apply: the flag, else what the file's imports and the DAG's arguments say. */
export function airflowDefaultsOf(
  call: PyValue & { kind: 'call' },
  imports: readonly string[],
  flag?: 2 | 3,
): AirflowDefaults {
  if (flag) return { version: flag, why: `--airflow ${flag}` };
  if (imports.some((i) => i.startsWith('airflow.sdk'))) return { version: 3, why: 'it imports from airflow.sdk' };
  if (call.kwargs.has('schedule_interval'))
    return { version: 2, why: 'it uses schedule_interval, which Airflow 3 removed' };
  if (imports.some((i) => /^airflow\.(operators\.(dummy|bash_operator|python_operator)|utils\.dates)/.test(i)))
    return { version: 2, why: 'it imports modules Airflow 3 removed' };
  return { version: 3, why: 'Airflow 3 is the current release' };
}

/** `DAG(dag_id=…, schedule=…, start_date=…, …)` → the top of the DAG file. */
export function dagFields(
  call: PyValue & { kind: 'call' },
  ctx: ImportContext,
  fallbackId: string,
  airflow: AirflowDefaults = { version: 3, why: 'Airflow 3 is the current release' },
): DagFields {
  const kwargs = call.kwargs;
  const fields: DocMap = {};
  const idArg = kwargs.get('dag_id') ?? call.args[0];
  fields.dag = idArg ? ctx.text(idArg, 'dag_id') : fallbackId;
  const description = ctx.text(kwargs.get('description'), 'description');
  if (description) fields.description = description;

  const defaultArgs = new Map<string, PyValue>();
  const da = kwargs.get('default_args');
  if (da?.kind === 'dict') {
    for (const e of da.entries) {
      if (e.key.kind !== 'str') ctx.computed(e.key, 'a key of default_args');
      else defaultArgs.set(e.key.value, e.value);
    }
  } else if (da && da.kind !== 'none') ctx.computed(da, 'default_args');

  const schedule = kwargs.get('schedule') ?? kwargs.get('schedule_interval') ?? kwargs.get('timetable');
  const scheduleText = scheduleOf(schedule, ctx);
  if (scheduleText) fields.schedule = scheduleText;
  const omitted: string[] = [];
  if (!schedule) {
    if (airflow.version === 2) fields.schedule = '@daily';
    omitted.push(airflow.version === 2 ? 'no schedule runs daily' : 'no schedule runs only when triggered (manual)');
  }
  const start = dateText(kwargs.get('start_date') ?? defaultArgs.get('start_date'), ctx, 'start_date');
  if (start) fields.start_date = start;
  const end = dateText(kwargs.get('end_date') ?? defaultArgs.get('end_date'), ctx, 'end_date');
  if (end) fields.end_date = end;
  defaultArgs.delete('start_date');
  defaultArgs.delete('end_date');
  const catchup = ctx.bool(kwargs.get('catchup'), 'catchup');
  if (catchup !== undefined) fields.catchup = catchup;
  else if (fields.schedule) {
    if (airflow.version === 3) fields.catchup = false;
    omitted.push(airflow.version === 2 ? 'catchup is true' : 'catchup is false');
  }
  if (omitted.length)
    ctx.report(
      call.node,
      'info',
      'airflow-defaults',
      `Read with Airflow ${airflow.version}'s defaults (${airflow.why}): ${omitted.join(', ')}. Airflow ${airflow.version === 3 ? 2 : 3} differs; import with --airflow ${airflow.version === 3 ? 2 : 3} for its defaults, or write them in the DAG.`,
    );
  const params = paramsOf(kwargs.get('params'), ctx);
  if (params) fields.params = params;
  const mat = ctx.int(kwargs.get('max_active_tasks') ?? kwargs.get('concurrency'), 'max_active_tasks');
  if (mat !== undefined) fields.max_active_tasks = mat;

  const known = new Set(['dag_id', 'description', 'default_args', 'schedule', 'schedule_interval', 'timetable']);
  for (const k of ['start_date', 'end_date', 'catchup', 'params', 'max_active_tasks', 'concurrency']) known.add(k);
  for (const [k, v] of kwargs) {
    if (known.has(k)) continue;
    if (k === 'user_defined_macros' && isEnvMacros(v)) continue;
    if (DAG_IGNORED.has(k))
      ctx.report(v.node, 'info', 'ignored-argument', `DAG(${k}=…) tunes Airflow's scheduler or UI; not translated.`);
    else ctx.report(v.node, 'warning', 'unsupported-argument', `DAG(${k}=…) has no equivalent here; not translated.`);
  }
  for (const [k, v] of defaultArgs) {
    if (METADATA_ARGS.has(k)) {
      ctx.report(
        v.node,
        'info',
        'ignored-argument',
        `default_args["${k}"] is Airflow scheduling metadata; not translated.`,
      );
      defaultArgs.delete(k);
    }
  }
  return { fields, defaultArgs };
}

/** What `cdag export` writes so `{{ env.X }}` keeps working in Airflow's Jinja. */
/** The macros `cdag export` passes to Jinja: the environment and its format-v2 helpers, nothing to carry. */
const EXPORT_MACROS = new Set(['env', 'cdag_text', 'cdag_truthy', 'cdag_json', 'cdag_prev_ds']);

function isEnvMacros(v: PyValue): boolean {
  return (
    v.kind === 'dict' &&
    v.entries.length > 0 &&
    v.entries.every((e) => e.key.kind === 'str' && EXPORT_MACROS.has(e.key.value)) &&
    v.entries.every(
      (e) => e.key.kind !== 'str' || e.key.value !== 'env' || (e.value.kind === 'call' && e.value.callee === 'dict'),
    )
  );
}

function scheduleOf(v: PyValue | undefined, ctx: ImportContext): string | undefined {
  if (!v || v.kind === 'none') return undefined;
  if (v.kind === 'str') {
    if (PRESETS.has(v.value) || v.value.trim().split(/\s+/).length === 5) return v.value;
    ctx.report(
      v.node,
      'warning',
      'unsupported-schedule',
      `schedule "${v.value}" is not a preset or a 5-field cron; not translated (the DAG is manual).`,
    );
    return undefined;
  }
  if (v.kind === 'call' && ['timedelta', 'duration'].includes(shortName(v.callee))) {
    const d = ctx.duration(v, 'schedule');
    const preset = d && { '1h': '@hourly', '24h': '@daily', '168h': '@weekly' }[d];
    if (preset) return preset;
    ctx.report(
      v.node,
      'warning',
      'unsupported-schedule',
      `A schedule of every ${d ?? '?'} has no cron equivalent; not translated (the DAG is manual).`,
    );
    return undefined;
  }
  if (v.kind === 'call' && /Cron(Data)?IntervalTimetable$|CronTriggerTimetable$/.test(shortName(v.callee))) {
    const cron = v.kwargs.get('cron') ?? v.args[0];
    const tz = v.kwargs.get('timezone') ?? v.args[1];
    const utc = !tz || (tz.kind === 'str' && /^(UTC|Etc\/UTC)$/i.test(tz.value));
    if (cron?.kind === 'str' && utc && /CronTriggerTimetable$/.test(shortName(v.callee)))
      ctx.report(
        v.node,
        'warning',
        'unsupported-schedule',
        'A CronTriggerTimetable has no data interval (its logical date is the time it fires); here a run covers the interval before it, so ds is one interval earlier than in Airflow.',
      );
    if (cron?.kind === 'str' && utc)
      return Object.keys(PRESET_CRON).find((p) => PRESET_CRON[p] === cron.value) ?? cron.value;
    ctx.report(
      v.node,
      'warning',
      'unsupported-schedule',
      'Only a cron timetable in UTC is translated; the DAG is manual.',
    );
    return undefined;
  }
  ctx.report(
    v.node,
    'warning',
    'unsupported-schedule',
    `The schedule is ${shortName(v.kind === 'call' ? v.callee : v.kind)}, which has no equivalent (datasets, assets and custom timetables do not); the DAG is manual.`,
  );
  return undefined;
}

/** `params={…}` of a DAG or a task: literal values (and `Param(default)`); anything else is said. */
export function paramsOf(v: PyValue | undefined, ctx: ImportContext): DocMap | undefined {
  if (!v || v.kind === 'none') return undefined;
  if (v.kind !== 'dict') {
    ctx.computed(v, 'params');
    return undefined;
  }
  const out = dict<Doc>() as DocMap;
  for (const e of v.entries) {
    if (e.key.kind !== 'str') continue;
    let val = e.value;
    if (val.kind === 'call' && shortName(val.callee) === 'Param') val = val.kwargs.get('default') ?? val.args[0] ?? val;
    if (val.kind === 'str' || val.kind === 'num' || val.kind === 'bool') out[e.key.value] = val.value;
    else ctx.computed(val, `params["${e.key.value}"]`);
  }
  return out;
}
