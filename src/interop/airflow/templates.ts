import { scanTemplates, type FilterCall } from '../../dag/template';
import {
  dataflowFilter,
  dataflowName,
  pyString,
  rendered,
  type AirflowName,
  type DataflowContext,
} from './dataflowTemplates';

/**
 * Templates between Airflow's Jinja and this format's small language. Both sides mean the same
 * values (the spec follows Airflow 2's names); what differs is spelling: Airflow calls macros
 * (`macros.ds_add(ds, 1)`) where this format pipes filters (`ds | ds_add(1)`), and Airflow 3 removed
 * `next_ds` and friends, so exports spell them from the data interval.
 */
export interface Translated {
  readonly text: string;
  /** Why parts could not be translated (they are left as written). */
  readonly issues: readonly string[];
}

// ---------------------------------------------------------------- this format → Airflow

const TO_AIRFLOW: Readonly<Record<string, AirflowName>> = {
  ds: { expr: 'ds', kind: 'ds' },
  ds_nodash: { expr: 'ds_nodash', kind: 'ds_nodash' },
  ts: { expr: 'ts', kind: 'string' },
  ts_nodash: { expr: 'ts_nodash', kind: 'string' },
  logical_date: { expr: 'logical_date', kind: 'datetime' },
  execution_date: { expr: 'logical_date', kind: 'datetime' },
  data_interval_start: { expr: 'data_interval_start', kind: 'datetime' },
  data_interval_end: { expr: 'data_interval_end', kind: 'datetime' },
  // Airflow 3 removed these; the data interval gives the same dates on Airflow 2.2+ and 3.
  next_ds: { expr: 'data_interval_end | ds', kind: 'ds' },
  next_ds_nodash: { expr: 'data_interval_end | ds_nodash', kind: 'ds_nodash' },
  prev_ds: { expr: '(data_interval_start - (data_interval_end - data_interval_start)) | ds', kind: 'ds' },
  prev_ds_nodash: {
    expr: '(data_interval_start - (data_interval_end - data_interval_start)) | ds_nodash',
    kind: 'ds_nodash',
  },
  tomorrow_ds: { expr: 'macros.ds_add(ds, 1)', kind: 'ds' },
  yesterday_ds: { expr: 'macros.ds_add(ds, -1)', kind: 'ds' },
  'dag.id': { expr: 'dag.dag_id', kind: 'string' },
  'task.id': { expr: 'task.task_id', kind: 'string' },
  run_id: { expr: 'run_id', kind: 'string' },
  try_number: { expr: 'ti.try_number', kind: 'string' },
};

const INPUT_FORMAT: Readonly<Record<'ds' | 'ds_nodash', string>> = { ds: '%Y-%m-%d', ds_nodash: '%Y%m%d' };

function airflowBase(name: string, ctx: DataflowContext | undefined): AirflowName | undefined {
  const v2 = dataflowName(name, ctx);
  if (v2) return v2;
  if (name.startsWith('params.')) return { expr: name, kind: 'string' };
  // The host environment of the run: the export passes os.environ to Jinja as `env` (see exportAirflow).
  if (name.startsWith('env.')) return { expr: name, kind: 'string' };
  return TO_AIRFLOW[name];
}

function applyFilter(base: AirflowName, f: FilterCall): AirflowName | string {
  const v2 = dataflowFilter(base, f, wrap);
  if (v2) return v2;
  const arg = (i: number): string => {
    const a = f.args[i];
    return typeof a === 'number' ? String(a) : pyString(a ?? '');
  };
  switch (f.name) {
    case 'upper':
    case 'lower':
      return { expr: `${wrap(base.expr)} | ${f.name}`, kind: 'string' };
    case 'default':
      // This format's default also covers an empty value; Jinja's does with its second argument.
      return { expr: `${wrap(base.expr)} | default(${arg(0)}, true)`, kind: base.kind };
    case 'ds_add': {
      const ds =
        base.kind === 'ds'
          ? base.expr
          : base.kind === 'datetime'
            ? `${wrap(base.expr)} | ds`
            : base.kind === 'ds_nodash'
              ? `macros.ds_format(${base.expr}, '%Y%m%d', '%Y-%m-%d')`
              : undefined;
      if (!ds) return `ds_add of ${base.expr}, which is not a date`;
      return { expr: `macros.ds_add(${ds}, ${arg(0)})`, kind: 'ds' };
    }
    case 'ds_format':
      if (base.kind === 'datetime') return { expr: `${wrap(base.expr)}.strftime(${arg(0)})`, kind: 'string' };
      if (base.kind === 'ds' || base.kind === 'ds_nodash')
        return {
          expr: `macros.ds_format(${base.expr}, ${pyString(INPUT_FORMAT[base.kind])}, ${arg(0)})`,
          kind: 'string',
        };
      return `ds_format of ${base.expr}, which is not a date`;
    default:
      return `the filter ${f.name}`;
  }
}

/** Parenthesised when it is more than a dotted name or a call, so a filter or method binds to all of it. */
function wrap(expr: string): string {
  return /^[\w.]+(\(.*\))?$/.test(expr) ? expr : `(${expr})`;
}

/**
 * DockerOperator treats a templated string ending in one of these as the path of a template file to
 * read; such an ending is written as a Jinja literal so the string stays a string.
 */
const TEMPLATE_EXT = /\.(sh|bash|env)$/;

export function protectTemplateExt(s: string): string {
  const m = TEMPLATE_EXT.exec(s);
  return m ? `${s.slice(0, m.index)}{{ '${m[0]}' }}` : s;
}

/** `--day {{ ds | ds_add(1) }}` → `--day {{ macros.ds_add(ds, 1) }}`. */
export function toAirflowTemplate(s: string, ctx?: DataflowContext): Translated {
  const { exprs, issues } = scanTemplates(s);
  if (exprs.length === 0 && issues.length === 0) return { text: s, issues: [] };
  const problems: string[] = issues.map((i) => i.message);
  let out = '';
  let at = 0;
  for (const e of exprs) {
    out += s.slice(at, e.span.start);
    at = e.span.end;
    let cur: AirflowName | string = airflowBase(e.name, ctx) ?? `the name ${e.name}`;
    for (const f of e.filters) if (typeof cur !== 'string') cur = applyFilter(cur, f);
    if (typeof cur === 'string') {
      problems.push(`${s.slice(e.span.start, e.span.end)}: ${cur} has no Airflow equivalent here`);
      out += s.slice(e.span.start, e.span.end);
    } else out += `{{ ${rendered(cur)} }}`;
  }
  return { text: out + s.slice(at), issues: problems };
}

// ---------------------------------------------------------------- Airflow → this format

type Ast =
  | { t: 'name'; path: string[] }
  | { t: 'str'; v: string }
  | { t: 'num'; v: number }
  | { t: 'call'; fn: Ast; args: Ast[] }
  | { t: 'filter'; base: Ast; name: string; args: Ast[] }
  | { t: 'attr'; obj: Ast; name: string };

class JinjaReader {
  private i = 0;
  constructor(private readonly s: string) {}

  parse(): Ast {
    const e = this.expr();
    this.ws();
    if (this.i < this.s.length) throw new Error(`unexpected "${this.s.slice(this.i)}"`);
    return e;
  }

  private ws(): void {
    while (/\s/.test(this.s[this.i] ?? '')) this.i++;
  }

  private eat(c: string): boolean {
    this.ws();
    if (this.s.startsWith(c, this.i)) {
      this.i += c.length;
      return true;
    }
    return false;
  }

  private expr(): Ast {
    let e = this.postfix();
    while (this.eat('|')) {
      const name = this.ident();
      e = { t: 'filter', base: e, name, args: this.eat('(') ? this.args() : [] };
    }
    return e;
  }

  private args(): Ast[] {
    const out: Ast[] = [];
    if (this.eat(')')) return out;
    do out.push(this.expr());
    while (this.eat(','));
    if (!this.eat(')')) throw new Error('")" expected');
    return out;
  }

  private postfix(): Ast {
    let e = this.primary();
    for (;;) {
      if (this.eat('.')) e = { t: 'attr', obj: e, name: this.ident() };
      else if (this.eat('(')) e = { t: 'call', fn: e, args: this.args() };
      else return e;
    }
  }

  private primary(): Ast {
    this.ws();
    const c = this.s[this.i];
    if (c === '(') {
      this.i++;
      const e = this.expr();
      if (!this.eat(')')) throw new Error('")" expected');
      return e;
    }
    if (c === '"' || c === "'") {
      let v = '';
      for (this.i++; this.i < this.s.length && this.s[this.i] !== c; this.i++) {
        if (this.s[this.i] === '\\') this.i++;
        v += this.s[this.i] ?? '';
      }
      if (this.i >= this.s.length) throw new Error('unterminated string');
      this.i++;
      return { t: 'str', v };
    }
    const num = /^-?\d+/.exec(this.s.slice(this.i));
    if (num) {
      this.i += num[0].length;
      return { t: 'num', v: Number(num[0]) };
    }
    return { t: 'name', path: [this.ident()] };
  }

  private ident(): string {
    this.ws();
    const m = /^[A-Za-z_]\w*/.exec(this.s.slice(this.i));
    if (!m) throw new Error(`a name expected at "${this.s.slice(this.i, this.i + 10)}"`);
    this.i += m[0].length;
    return m[0];
  }
}

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

/** An Airflow expression as this format's `name | filter | …`, or why not. */
function fromAst(a: Ast): string | Error {
  // `{{ '.sh' }}`: a literal, as exports write file-like endings DockerOperator would take for template files.
  if (a.t === 'str') return `\0${a.v}`;
  const name = dotted(a);
  if (name !== undefined) {
    if (name in FROM_AIRFLOW) return FROM_AIRFLOW[name]!;
    if (/^params\.\w+$/.test(name) || /^env\.\w+$/.test(name)) return name;
    if (name.startsWith('var.') || name.startsWith('conn.'))
      return new Error(`${name}: Airflow Variables and Connections have no equivalent; use params or secrets`);
    return new Error(`the name ${name} has no equivalent`);
  }
  if (a.t === 'call') {
    const fn = dotted(a.fn);
    if (fn === 'macros.ds_add' && a.args.length === 2 && typeof lit(a.args[1]) === 'number') {
      const base = fromAst(a.args[0]!);
      return base instanceof Error ? base : `${base} | ds_add(${lit(a.args[1])})`;
    }
    if (fn === 'macros.ds_format' && a.args.length === 3 && typeof lit(a.args[2]) === 'string') {
      const base = fromAst(a.args[0]!);
      return base instanceof Error ? base : `${base} | ds_format(${quote(lit(a.args[2])!)})`;
    }
    if (a.fn.t === 'attr' && a.fn.name === 'strftime' && a.args.length === 1 && typeof lit(a.args[0]) === 'string') {
      const base = fromAst(a.fn.obj);
      return base instanceof Error ? base : `${base} | ds_format(${quote(lit(a.args[0])!)})`;
    }
    return new Error(`the call ${fn ?? 'of a computed function'} has no equivalent`);
  }
  if (a.t === 'filter') {
    const base = fromAst(a.base);
    if (base instanceof Error) return base;
    switch (a.name) {
      case 'ds':
        return `${base} | ds_format("%Y-%m-%d")`;
      case 'ds_nodash':
        return `${base} | ds_format("%Y%m%d")`;
      case 'upper':
      case 'lower':
        return `${base} | ${a.name}`;
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

/** `--day {{macros.ds_add(ds, 1)}}` → `--day {{ ds | ds_add(1) }}`; `{% %}` blocks are reported. */
export function fromAirflowTemplate(s: string): Translated {
  if (!s.includes('{{') && !s.includes('{%')) return { text: s, issues: [] };
  const issues: string[] = [];
  if (s.replace(/\{\{(.*?)\}\}/gs, '').includes('{%')) issues.push('Jinja statements ({% … %}) have no equivalent');
  const text = s.replace(/\{\{(.*?)\}\}/gs, (whole, inner: string) => {
    let translated: string | Error;
    try {
      translated = fromAst(new JinjaReader(inner).parse());
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
  return { text, issues };
}
