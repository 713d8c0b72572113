import { OUTPUT_NAME_PATTERN } from '../../dag/dataflowSchema';
import { TASK_ID_PATTERN } from '../../dag/schema';
import { own } from '../../util/dict';
import { JinjaReader, type Ast } from './jinjaReader';

const TASK_ID = new RegExp(TASK_ID_PATTERN);
const OUTPUT_NAME = new RegExp(OUTPUT_NAME_PATTERN);
import type { OutputRef, Translated } from './templates';

/**
 * Airflow's Jinja read back into this format's templates: the names and macros both sides share,
 * XCom pulls as task outputs, and what `cdag export` writes for format v2 (`cdag_text`,
 * `task.cdag_item`, comparisons) as the filters it came from.
 */

const FROM_AIRFLOW: Readonly<Record<string, string>> = {
  ds: 'ds',
  ds_nodash: 'ds_nodash',
  ts: 'ts',
  ts_nodash: 'ts_nodash',
  logical_date: 'logical_date',
  'dag_run.logical_date': 'logical_date',
  execution_date: 'logical_date',
  data_interval_start: 'data_interval_start',
  data_interval_end: 'data_interval_end',
  next_ds: 'data_interval_end | ds_format("%Y-%m-%d")',
  next_ds_nodash: 'data_interval_end | ds_format("%Y%m%d")',
  prev_ds: 'prev_ds',
  prev_ds_nodash: 'prev_ds_nodash',
  tomorrow_ds: 'ds | ds_add(1)',
  yesterday_ds: 'ds | ds_add(-1)',
  'dag.dag_id': 'dag.id',
  'task.task_id': 'task.id',
  'ti.task_id': 'task.id',
  'task_instance.task_id': 'task.id',
  'ti.try_number': 'try_number',
  'task_instance.try_number': 'try_number',
  run_id: 'run_id',
  'dag_run.run_id': 'run_id',
};

function dotted(a: Ast): string | undefined {
  if (a.t === 'name') return a.path.join('.');
  if (a.t === 'attr') {
    const left = dotted(a.obj);
    return left ? `${left}.${a.name}` : undefined;
  }
  return undefined;
}

function lit(a: Ast | undefined): string | number | undefined {
  return a?.t === 'str' || a?.t === 'num' ? a.v : undefined;
}

function quote(v: string | number): string {
  return typeof v === 'number' ? String(v) : JSON.stringify(v);
}

const XCOM_PULL = /^(ti|task_instance)\.xcom_pull$/;
const COMPARE_FILTERS: Readonly<Record<string, string>> = {
  '==': 'eq',
  '!=': 'ne',
  '>': 'gt',
  '>=': 'ge',
  '<': 'lt',
  '<=': 'le',
};

/** `ti.xcom_pull(task_ids="x", key="k")` (or `task_ids=["x"]`, positional) → the output it reads. */
function xcomPull(a: Ast & { t: 'call' }): OutputRef | Error {
  const ids = a.kwargs.get('task_ids') ?? a.args[0];
  const one = ids?.t === 'list' && ids.items.length === 1 ? ids.items[0] : ids;
  const key = a.kwargs.get('key') ?? a.args[2];
  if (a.kwargs.has('dag_id') || a.args[1] !== undefined) return new Error("xcom_pull of another DAG's XCom");
  if (one?.t !== 'str') return new Error('xcom_pull without one literal task id');
  if (key !== undefined && key.t !== 'str') return new Error('xcom_pull with a computed key');
  const output = key?.t === 'str' ? key.v : 'return_value';
  if (!TASK_ID.test(one.v) || !OUTPUT_NAME.test(output))
    return new Error(`xcom_pull of "${one.v}" / "${output}", which is not a task id and output name here`);
  return { task: one.v, output };
}

/** An Airflow expression as this format's `name | filter | …`, or why not; XCom pulls read go to `refs`. */
function fromAst(a: Ast, refs: OutputRef[], top = true): string | Error {
  // `{{ '.sh' }}`: a literal, as exports write file-like endings DockerOperator would take for template files.
  if (a.t === 'str') return top ? `\0${a.v}` : new Error('a string literal has no equivalent inside an expression');
  const name = dotted(a);
  if (name !== undefined) {
    const known = own(FROM_AIRFLOW, name);
    if (known !== undefined) return known;
    if (/^params\.\w+$/.test(name) || /^env\.\w+$/.test(name)) return name;
    if (name === 'ti.map_index' || name === 'task_instance.map_index') return 'map_index';
    // What the import writes into a mapped task's arguments (see importDataflow): kept as it is.
    if (/^item\.\w+$/.test(name)) return name;
    if (name.startsWith('var.') || name.startsWith('conn.'))
      return new Error(`${name}: Airflow Variables and Connections have no equivalent; use params or secrets`);
    return new Error(`the name ${name} has no equivalent`);
  }
  const sub = (x: Ast): string | Error => fromAst(x, refs, false);
  if (a.t === 'call') {
    const fn = dotted(a.fn);
    // What `cdag export` writes around typed values and `when` reads back as what it wraps.
    if ((fn === 'cdag_text' || fn === 'cdag_truthy') && a.args.length === 1) return sub(a.args[0]!);
    if (fn === 'cdag_json' && a.args.length === 1) return pipe(sub(a.args[0]!), 'tojson');
    // What cdag export writes for prev_ds (Airflow 3 removed it): read back as the name.
    if (fn === 'cdag_prev_ds') return lit(a.args[2]) === '%Y%m%d' ? 'prev_ds_nodash' : 'prev_ds';
    if (fn !== undefined && XCOM_PULL.test(fn)) {
      const ref = xcomPull(a);
      if (ref instanceof Error) return ref;
      refs.push(ref);
      return `tasks.${ref.task}.outputs.${ref.output}`;
    }
    if (fn === 'macros.ds_add' && a.args.length === 2 && typeof lit(a.args[1]) === 'number')
      return pipe(sub(a.args[0]!), `ds_add(${lit(a.args[1])})`);
    if (fn === 'macros.ds_format' && a.args.length === 3 && typeof lit(a.args[2]) === 'string')
      return pipe(sub(a.args[0]!), `ds_format(${quote(lit(a.args[2])!)})`);
    if (a.fn.t === 'attr' && a.fn.name === 'strftime' && a.args.length === 1 && typeof lit(a.args[0]) === 'string')
      return pipe(sub(a.fn.obj), `ds_format(${quote(lit(a.args[0])!)})`);
    return new Error(`the call ${fn ?? 'of a computed function'} has no equivalent`);
  }
  if (a.t === 'index') {
    const key = lit(a.key);
    if (dotted(a.obj) === 'task.cdag_item' && typeof key === 'string' && OUTPUT_NAME.test(key)) return `item.${key}`;
    // A pulled dict's entry is an output of that name: the task writes {"KEY": …} to $CDAG_OUTPUT.
    if (a.obj.t === 'call' && XCOM_PULL.test(dotted(a.obj.fn) ?? '') && typeof key === 'string') {
      const ref = xcomPull(a.obj);
      if (ref instanceof Error) return ref;
      if (ref.output !== 'return_value') return new Error('an entry of an XCom pulled by key');
      if (!OUTPUT_NAME.test(key)) return new Error(`the entry "${key}", which is not an output name here`);
      refs.push({ task: ref.task, output: key });
      return `tasks.${ref.task}.outputs.${key}`;
    }
    return new Error('a subscript has no equivalent');
  }
  if (a.t === 'not') return pipe(sub(a.arg), 'not');
  if (a.t === 'compare') {
    if (a.op === 'in') {
      const items = a.right.t === 'list' ? a.right.items.map(lit) : undefined;
      if (!items || items.some((x) => x === undefined)) return new Error('`in` a list that is not literal');
      return pipe(sub(a.left), `in(${items.map((x) => quote(x!)).join(', ')})`);
    }
    const v = lit(a.right);
    if (v === undefined) return new Error(`a comparison with a value that is not a literal`);
    return pipe(sub(a.left), `${COMPARE_FILTERS[a.op]}(${quote(v)})`);
  }
  if (a.t === 'filter') {
    const base = sub(a.base);
    if (base instanceof Error) return base;
    switch (a.name) {
      case 'ds':
        return `${base} | ds_format("%Y-%m-%d")`;
      case 'ds_nodash':
        return `${base} | ds_format("%Y%m%d")`;
      case 'upper':
      case 'lower':
      case 'length':
      case 'sum':
      case 'tojson':
        return `${base} | ${a.name}`;
      // What `cdag export` writes so a lazy list of a mapped task's values can be summed or counted.
      case 'list':
        return base;
      case 'count':
        return `${base} | length`;
      case 'default':
      case 'd': {
        const v = lit(a.args[0]);
        return v === undefined ? new Error('default() without a literal') : `${base} | default(${quote(String(v))})`;
      }
      default:
        return new Error(`the filter ${a.name} has no equivalent`);
    }
  }
  return new Error('a literal or computed expression has no equivalent');
}

function pipe(base: string | Error, filter: string): string | Error {
  return base instanceof Error ? base : `${base} | ${filter}`;
}

/** `--day {{macros.ds_add(ds, 1)}}` → `--day {{ ds | ds_add(1) }}`; `{% %}` blocks are reported. */
export function fromAirflowTemplate(s: string): Translated {
  if (!s.includes('{{') && !s.includes('{%')) return { text: s, issues: [] };
  const issues: string[] = [];
  const refs: OutputRef[] = [];
  if (s.replace(/\{\{(.*?)\}\}/gs, '').includes('{%')) issues.push('Jinja statements ({% … %}) have no equivalent');
  const text = s.replace(/\{\{(.*?)\}\}/gs, (whole, inner: string) => {
    let translated: string | Error;
    try {
      translated = fromAst(new JinjaReader(inner).parse(), refs);
    } catch (e) {
      translated = e as Error;
    }
    if (translated instanceof Error) {
      issues.push(`${whole.trim()}: ${translated.message}`);
      return whole;
    }
    if (translated.startsWith('\0')) return translated.slice(1);
    return `{{ ${translated} }}`;
  });
  return { text, issues, ...(refs.length ? { refs } : {}) };
}
