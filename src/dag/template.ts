import { addDays, isoDay, isoTimestamp, parseDate, strftime } from './dates';
import { own } from '../util/dict';
import { fail, ok, type Errorable } from '../util/errorable';
import { TEMPLATE_FILTERS, TEMPLATE_NAMES } from './templateNames';

/** Offsets in this module are relative to the string value the template sits in. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

export interface FilterCall {
  readonly name: string;
  readonly span: Span;
  readonly args: readonly (string | number)[];
  readonly argsSpan: Span;
}

export interface TemplateExpr {
  /** The whole `{{ ... }}`. */
  readonly span: Span;
  /** The dotted name, e.g. `params.host`. */
  readonly name: string;
  readonly nameSpan: Span;
  readonly filters: readonly FilterCall[];
}

export interface TemplateIssue {
  readonly kind: 'syntax' | 'unknown-name' | 'unknown-filter' | 'filter-args' | 'deprecated';
  readonly message: string;
  readonly span: Span;
  /** For did-you-mean fixes: the word that was wrong. */
  readonly word?: string;
}

export interface ScannedTemplates {
  readonly exprs: readonly TemplateExpr[];
  readonly issues: readonly TemplateIssue[];
}

/** Finds every `{{ }}` in a string and parses it; unbalanced braces and bad syntax are issues, not throws. */
export function scanTemplates(s: string): ScannedTemplates {
  const exprs: TemplateExpr[] = [];
  const issues: TemplateIssue[] = [];
  let i = 0;
  while (i < s.length) {
    const open = s.indexOf('{{', i);
    const close = s.indexOf('}}', i);
    if (close >= 0 && (open < 0 || close < open)) {
      issues.push({
        kind: 'syntax',
        message: '"}}" without an opening "{{"; write "{{ name }}".',
        span: { start: close, end: close + 2 },
      });
      i = close + 2;
      continue;
    }
    if (open < 0) break;
    const end = s.indexOf('}}', open + 2);
    const nextOpen = s.indexOf('{{', open + 2);
    if (end < 0 || (nextOpen >= 0 && nextOpen < end)) {
      issues.push({
        kind: 'syntax',
        message: '"{{" is not closed; end the template with "}}".',
        span: { start: open, end: nextOpen >= 0 ? nextOpen : s.length },
      });
      i = nextOpen >= 0 ? nextOpen : s.length;
      continue;
    }
    const parsed = parseExpr(s, open + 2, end);
    if ('issue' in parsed) issues.push(parsed.issue);
    else exprs.push({ ...parsed.expr, span: { start: open, end: end + 2 } });
    i = end + 2;
  }
  return { exprs, issues };
}

const isIdentStart = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isIdentPart = (c: number) => isIdentStart(c) || (c >= 48 && c <= 57);
const isDigit = (c: number) => c >= 48 && c <= 57;
const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13;

type ParseResult = { expr: Omit<TemplateExpr, 'span'> } | { issue: TemplateIssue };

/**
 * A cursor over one `{{ … }}` body. Written without closures or regular expressions: it runs for
 * every templated value on every keystroke.
 */
class ExprParser {
  p: number;
  constructor(
    private readonly s: string,
    from: number,
    private readonly to: number,
  ) {
    this.p = from;
  }

  skip(): void {
    while (this.p < this.to && isSpace(this.s.charCodeAt(this.p))) this.p++;
  }

  ident(): string | undefined {
    const start = this.p;
    if (start >= this.to || !isIdentStart(this.s.charCodeAt(start))) return undefined;
    let q = start + 1;
    while (q < this.to && isIdentPart(this.s.charCodeAt(q))) q++;
    this.p = q;
    return this.s.slice(start, q);
  }

  err(message: string, start = this.p, end = Math.max(this.p + 1, start + 1)): { issue: TemplateIssue } {
    return { issue: { kind: 'syntax', message, span: { start, end: Math.min(end, this.to) } } };
  }

  parse(): ParseResult {
    const { s, to } = this;
    const from = this.p;
    this.skip();
    if (this.p >= to) return this.err('Empty template "{{ }}"; write a name such as {{ ds }}.', from - 2, to + 2);
    const nameStart = this.p;
    let name = this.ident();
    if (!name) {
      return this.err(`Expected a name such as "ds" or "params.NAME" at "${s.slice(this.p, to).trim()}".`, this.p, to);
    }
    while (s.charCodeAt(this.p) === 46 /* . */) {
      this.p++;
      const part = this.ident();
      if (!part) return this.err('Expected a name after "."', this.p - 1, this.p + 1);
      name += `.${part}`;
    }
    const nameSpan = { start: nameStart, end: this.p };
    const filters: FilterCall[] = [];
    this.skip();
    while (this.p < to && s.charCodeAt(this.p) === 124 /* | */) {
      this.p++;
      this.skip();
      const fStart = this.p;
      const fname = this.ident();
      if (!fname) return this.err('Expected a filter name after "|", e.g. "| upper".', this.p - 1, this.p + 1);
      const span = { start: fStart, end: this.p };
      const args: (string | number)[] = [];
      let argsSpan = { start: this.p, end: this.p };
      this.skip();
      if (s.charCodeAt(this.p) === 40 /* ( */) {
        const r = this.args(args);
        if ('issue' in r) return r;
        argsSpan = r.span;
        this.skip();
      }
      filters.push({ name: fname, span, args, argsSpan });
    }
    if (this.p < to) {
      return this.err(`Unexpected "${s.slice(this.p, to).trim()}"; only names and "| filter" are allowed.`, this.p, to);
    }
    return { expr: { name, nameSpan, filters } };
  }

  /** A quoted argument, as Jinja reads it: a backslash escapes the next character (`"a\\"b"`). */
  private quoted(quote: number): string | { issue: TemplateIssue } {
    const { s, to } = this;
    const start = this.p;
    let text = '';
    for (let q = start + 1; q < to; q++) {
      const c = s.charCodeAt(q);
      if (c === quote) {
        this.p = q + 1;
        return text;
      }
      if (c === 92 /* \ */ && q + 1 < to) q++;
      text += s[q];
    }
    const other = quote === 34 ? "'" : '"';
    return this.err(
      `Unclosed string in filter arguments; end it with ${String.fromCharCode(quote)} (to put a ${String.fromCharCode(quote)} inside, write \\${String.fromCharCode(quote)} or quote with ${other}).`,
      start,
      to,
    );
  }

  private args(out: (string | number)[]): { span: Span } | { issue: TemplateIssue } {
    const { s, to } = this;
    const aStart = this.p;
    this.p++;
    this.skip();
    while (this.p < to && s.charCodeAt(this.p) !== 41 /* ) */) {
      const q = s.charCodeAt(this.p);
      if (q === 34 || q === 39) {
        const str = this.quoted(q);
        if (typeof str !== 'string') return str;
        out.push(str);
      } else {
        let q2 = this.p + (q === 45 /* - */ ? 1 : 0);
        const digits = q2;
        while (q2 < to && isDigit(s.charCodeAt(q2))) q2++;
        if (q2 === digits) return this.err('Filter arguments are quoted strings or whole numbers.', this.p, to);
        out.push(Number(s.slice(this.p, q2)));
        this.p = q2;
      }
      this.skip();
      if (s.charCodeAt(this.p) === 44 /* , */) {
        this.p++;
        this.skip();
      } else if (s.charCodeAt(this.p) !== 41) return this.err('Expected "," or ")" in filter arguments.', this.p, to);
    }
    if (s.charCodeAt(this.p) !== 41) return this.err('Filter arguments are not closed with ")".', aStart, to);
    this.p++;
    return { span: { start: aStart, end: this.p } };
  }
}

function parseExpr(s: string, from: number, to: number): ParseResult {
  return new ExprParser(s, from, to).parse();
}

/** Days from 0001-01-01 to 9999-12-31: a larger shift leaves the calendar whatever the date. */
const MAX_DS_ADD_DAYS = 3_652_058;

function inDateRange(d: Date): boolean {
  const y = d.getUTCFullYear();
  return Number.isFinite(d.getTime()) && y >= 1 && y <= 9999;
}

/** Names, filters and argument types of one expression, against the DAG's params. */
const NO_ISSUES: readonly TemplateIssue[] = Object.freeze([]);

export function checkExpr(expr: TemplateExpr, params: ReadonlySet<string>): readonly TemplateIssue[] {
  // Plain known names with known filters are the common case: answer it without allocating.
  if (expr.filters.length === 0 && TEMPLATE_NAMES[expr.name] && !TEMPLATE_NAMES[expr.name]!.deprecated)
    return NO_ISSUES;
  const issues: TemplateIssue[] = [];
  const dot = expr.name.indexOf('.');
  const ns = dot > 0 ? expr.name.slice(0, dot) : undefined;
  if (ns === 'params') {
    const member = expr.name.slice(dot + 1);
    if (!params.has(member) && !expr.filters.some((f) => f.name === 'default')) {
      issues.push({
        kind: 'unknown-name',
        message: `Unknown parameter "${member}": declare it under "params"${params.size ? ` (known: ${[...params].slice(0, 8).join(', ')})` : ''}.`,
        span: { start: expr.nameSpan.start + dot + 1, end: expr.nameSpan.end },
        word: member,
      });
    }
  } else if (ns === 'env') {
    if (expr.name.split('.').length !== 2) {
      issues.push({ kind: 'unknown-name', message: 'Write env.NAME with one name.', span: expr.nameSpan });
    }
  } else {
    const known = TEMPLATE_NAMES[expr.name];
    if (!known) {
      issues.push({
        kind: 'unknown-name',
        message: `Unknown template name "${expr.name}". Known: ds, ts, data_interval_start, data_interval_end, logical_date, dag.id, task.id, run_id, try_number, params.NAME, env.NAME.`,
        span: expr.nameSpan,
        word: expr.name,
      });
    } else if (known.deprecated) {
      issues.push({ kind: 'deprecated', message: known.deprecated, span: expr.nameSpan });
    }
  }
  for (const f of expr.filters) {
    const filter = TEMPLATE_FILTERS[f.name];
    if (!filter) {
      issues.push({
        kind: 'unknown-filter',
        message: `Unknown filter "${f.name}". Known: ${Object.keys(TEMPLATE_FILTERS).join(', ')}.`,
        span: f.span,
        word: f.name,
      });
      continue;
    }
    const want = filter.args;
    const bad =
      f.args.length > want.length ||
      f.args.length < want.length - (filter.optional ?? 0) ||
      f.args.some((a, i) => (want[i] === 'integer' ? typeof a !== 'number' : typeof a !== 'string'));
    if (!bad && f.name === 'ds_add' && Math.abs(Number(f.args[0])) > MAX_DS_ADD_DAYS) {
      issues.push({
        kind: 'filter-args',
        message: `ds_add(${String(f.args[0])}) leaves the calendar: any date moved by more than ${MAX_DS_ADD_DAYS} days is outside the years 0001–9999.`,
        span: f.argsSpan,
      });
      continue;
    }
    if (bad) {
      const sig = want.length ? `(${want.join(', ')})` : ' with no arguments';
      issues.push({
        kind: 'filter-args',
        message: `Filter "${f.name}" takes${want.length ? ' ' : ''}${sig}: ${filter.doc}`,
        span: f.args.length ? f.argsSpan : f.span,
      });
    }
  }
  return issues;
}

/** Everything a template can read during one attempt. */
export interface TemplateContext {
  readonly dagId: string;
  readonly taskId: string;
  readonly runId: string;
  readonly tryNumber: number;
  readonly logicalDate: Date;
  readonly intervalEnd: Date;
  readonly prevLogicalDate: Date;
  readonly params: Readonly<Record<string, unknown>>;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export function templateValue(name: string, ctx: TemplateContext): string | undefined {
  const start = ctx.logicalDate;
  const nodash = (d: Date) => isoDay(d).replace(/-/g, '');
  switch (name) {
    case 'ds':
      return isoDay(start);
    case 'ds_nodash':
      return nodash(start);
    case 'ts':
    case 'logical_date':
    case 'execution_date':
    case 'data_interval_start':
      return isoTimestamp(start);
    case 'ts_nodash':
      return isoTimestamp(start).slice(0, 19).replace(/[-:]/g, '');
    case 'data_interval_end':
      return isoTimestamp(ctx.intervalEnd);
    case 'next_ds':
      return isoDay(ctx.intervalEnd);
    case 'next_ds_nodash':
      return nodash(ctx.intervalEnd);
    case 'prev_ds':
      return isoDay(ctx.prevLogicalDate);
    case 'prev_ds_nodash':
      return nodash(ctx.prevLogicalDate);
    case 'tomorrow_ds':
      return isoDay(addDays(start, 1));
    case 'yesterday_ds':
      return isoDay(addDays(start, -1));
    case 'dag.id':
      return ctx.dagId;
    case 'task.id':
      return ctx.taskId;
    case 'run_id':
      return ctx.runId;
    case 'try_number':
      return String(ctx.tryNumber);
  }
  if (name.startsWith('params.')) {
    const v = own(ctx.params, name.slice(7));
    if (v === undefined || v === null) return undefined;
    return typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
  if (name.startsWith('env.')) {
    const v = own(ctx.env, name.slice(4));
    return typeof v === 'string' ? v : undefined;
  }
  return undefined;
}

function applyFilter(value: string | undefined, f: FilterCall): Errorable<string | undefined> {
  switch (f.name) {
    case 'upper':
      return ok(value?.toUpperCase());
    case 'lower':
      return ok(value?.toLowerCase());
    case 'default':
      return ok(value === undefined || value === '' ? String(f.args[0]) : value);
    case 'ds_add': {
      if (value === undefined) return ok(value);
      const d = parseDate(value.slice(0, 10));
      if (!d.succeeded) return fail(`ds_add needs a YYYY-MM-DD date, got "${value}".`);
      const shifted = addDays(d.result, Number(f.args[0]));
      if (!inDateRange(shifted)) {
        return fail(`ds_add(${String(f.args[0])}) takes ${value.slice(0, 10)} outside the years 0001–9999.`);
      }
      return ok(isoDay(shifted));
    }
    case 'ds_format': {
      if (value === undefined) return ok(value);
      const d = parseDate(value);
      if (!d.succeeded) return fail(`ds_format needs a date or date-time, got "${value}".`);
      return ok(strftime(d.result, String(f.args[0])));
    }
    default:
      return fail(`Unknown filter "${f.name}".`);
  }
}

/** Renders every `{{ }}` of a string; a syntax error or an undefined value is a failure, never an empty string. */
export function renderTemplate(s: string, ctx: TemplateContext): Errorable<string> {
  if (!s.includes('{{') && !s.includes('}}')) return ok(s);
  const scanned = scanTemplates(s);
  if (scanned.issues.length > 0) return fail(scanned.issues[0]!.message);
  let out = '';
  let last = 0;
  for (const e of scanned.exprs) {
    let value = templateValue(e.name, ctx);
    for (const f of e.filters) {
      const r = applyFilter(value, f);
      if (!r.succeeded) return r;
      value = r.result;
    }
    if (value === undefined) {
      const hint = e.name.startsWith('env.')
        ? ` Set the environment variable ${e.name.slice(4)} or add | default("…").`
        : '';
      return fail(`"{{ ${e.name} }}" has no value in this run.${hint}`);
    }
    out += s.slice(last, e.span.start) + value;
    last = e.span.end;
  }
  return ok(out + s.slice(last));
}
