import { TEMPLATE_FILTERS, TEMPLATE_NAMES, type TemplateType } from './templateNames';

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
  readonly kind: 'syntax' | 'unknown-name' | 'unknown-filter' | 'filter-args' | 'filter-type' | 'deprecated';
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
    else exprs.push(parsed.expr);
    i = end + 2;
  }
  return { exprs, issues: issues.length ? issues : NO_TEMPLATE_ISSUES };
}

/** Shared empties: most values have no issue and most filters no arguments (never mutated). */
const NO_TEMPLATE_ISSUES: readonly TemplateIssue[] = Object.freeze([]);
const NO_ARGS: readonly (string | number)[] = Object.freeze([]);

const isIdentStart = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isIdentPart = (c: number) => isIdentStart(c) || (c >= 48 && c <= 57);
const isDigit = (c: number) => c >= 48 && c <= 57;
const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13;

type ParseResult = { expr: TemplateExpr } | { issue: TemplateIssue };

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

  ident(dashes = false): string | undefined {
    const start = this.p;
    if (start >= this.to || !(isIdentStart(this.s.charCodeAt(start)) || (dashes && isDigit(this.s.charCodeAt(start)))))
      return undefined;
    let q = start + 1;
    while (q < this.to && (isIdentPart(this.s.charCodeAt(q)) || (dashes && this.s.charCodeAt(q) === 45))) q++;
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
    if (!this.ident()) {
      return this.err(`Expected a name such as "ds" or "params.NAME" at "${s.slice(this.p, to).trim()}".`, this.p, to);
    }
    while (s.charCodeAt(this.p) === 46 /* . */) {
      this.p++;
      // After a dot a part may hold `-`, as task ids do (`tasks.fetch-data.outputs.rows`).
      if (!this.ident(true)) return this.err('Expected a name after "."', this.p - 1, this.p + 1);
    }
    // One slice of the source, not a concatenation: later reads of the name would flatten a rope.
    const name = s.slice(nameStart, this.p);
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
      let args: readonly (string | number)[] = NO_ARGS;
      let argsSpan = { start: this.p, end: this.p };
      this.skip();
      if (s.charCodeAt(this.p) === 40 /* ( */) {
        const given: (string | number)[] = [];
        args = given;
        const r = this.args(given);
        if ('issue' in r) return r;
        argsSpan = r.span;
        this.skip();
      }
      filters.push({ name: fname, span, args, argsSpan });
    }
    if (this.p < to) {
      return this.err(`Unexpected "${s.slice(this.p, to).trim()}"; only names and "| filter" are allowed.`, this.p, to);
    }
    return { expr: { span: { start: from - 2, end: to + 2 }, name, nameSpan, filters } };
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
export const MAX_DS_ADD_DAYS = 3_652_058;

export function inDateRange(d: Date): boolean {
  const y = d.getUTCFullYear();
  return Number.isFinite(d.getTime()) && y >= 1 && y <= 9999;
}

/** What a name gives, as far as it is known before a run. */
function typeOfName(name: string): TemplateType {
  if (name === 'map_index' || name === 'try_number') return 'number';
  // An upstream output or an item is known only at run time; answered before a look-up of the whole
  // name, which would hash a fresh string for every reference of the file on every keystroke.
  const c = name.charCodeAt(0);
  if ((c === 116 /* t */ && name.startsWith('tasks.')) || (c === 105 /* i */ && name.startsWith('item.')))
    return 'unknown';
  if (TEMPLATE_NAMES[name] || name.startsWith('env.')) return 'string';
  return 'unknown';
}

const article = (t: TemplateType) => (t === 'object' ? 'an object' : t === 'string' ? 'text' : `a ${t}`);

/** The type an expression gives, as far as it is known before a run. */
export function exprType(expr: TemplateExpr): TemplateType {
  let type = typeOfName(expr.name);
  for (const f of expr.filters) {
    const gives = TEMPLATE_FILTERS[f.name]?.gives;
    if (!gives) return 'unknown';
    if (gives !== 'unknown') type = gives;
  }
  return type;
}

const NO_ISSUES: readonly TemplateIssue[] = Object.freeze([]);
/** Each argument of the kind its position wants (the last kind repeats for variadic filters). */
function argsFit(args: readonly (string | number)[], want: readonly string[]): boolean {
  for (let i = 0; i < args.length; i++) {
    const kind = want[Math.min(i, want.length - 1)];
    if (kind === 'integer' ? typeof args[i] !== 'number' : kind === 'string' && typeof args[i] !== 'string')
      return false;
  }
  return true;
}

/** How many dot-separated parts a name has, counted without splitting it. */
function dotParts(name: string): number {
  let n = 1;
  for (let i = name.indexOf('.'); i >= 0; i = name.indexOf('.', i + 1)) n++;
  return n;
}

/**
 * Names, filters, argument and value types of one expression, against the DAG's params. Whether a
 * `tasks.ID.outputs.NAME` or `item.VAR` exists for the task it is in is the dataflow check's.
 */
export function checkExpr(expr: TemplateExpr, params: ReadonlySet<string>): readonly TemplateIssue[] {
  // Plain known names with known filters are the common case: answer it without allocating.
  if (expr.filters.length === 0 && TEMPLATE_NAMES[expr.name] && !TEMPLATE_NAMES[expr.name]!.deprecated)
    return NO_ISSUES;
  const issues: TemplateIssue[] = [];
  const dot = expr.name.indexOf('.');
  const ns = dot > 0 ? expr.name.slice(0, dot) : undefined;
  const parts = ns === 'env' || ns === 'tasks' || ns === 'item' ? dotParts(expr.name) : 0;
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
    if (parts !== 2) {
      issues.push({ kind: 'unknown-name', message: 'Write env.NAME with one name.', span: expr.nameSpan });
    }
  } else if (ns === 'tasks') {
    if (parts !== 4 || !expr.name.startsWith('.outputs.', expr.name.indexOf('.', 6)))
      issues.push({
        kind: 'unknown-name',
        message: 'An upstream value is written tasks.ID.outputs.NAME.',
        span: expr.nameSpan,
      });
  } else if (ns === 'item') {
    if (parts !== 2)
      issues.push({ kind: 'unknown-name', message: 'Write item.VAR with one name.', span: expr.nameSpan });
  } else {
    const known = TEMPLATE_NAMES[expr.name];
    if (!known) {
      issues.push({
        kind: 'unknown-name',
        message: `Unknown template name "${expr.name}". Known: ds, ts, data_interval_start, data_interval_end, logical_date, dag.id, task.id, run_id, try_number, map_index, params.NAME, env.NAME, tasks.ID.outputs.NAME, item.VAR.`,
        span: expr.nameSpan,
        word: expr.name,
      });
    } else if (known.deprecated) {
      issues.push({ kind: 'deprecated', message: known.deprecated, span: expr.nameSpan });
    }
  }
  let type = typeOfName(expr.name);
  for (const f of expr.filters) {
    const filter = TEMPLATE_FILTERS[f.name];
    if (!filter) {
      issues.push({
        kind: 'unknown-filter',
        message: `Unknown filter "${f.name}". Known: ${Object.keys(TEMPLATE_FILTERS).join(', ')}.`,
        span: f.span,
        word: f.name,
      });
      type = 'unknown';
      continue;
    }
    const want = filter.args;
    const bad =
      (f.args.length > want.length && !filter.variadic) ||
      f.args.length < want.length - (filter.optional ?? 0) ||
      !argsFit(f.args, want);
    if (!bad && f.name === 'ds_add' && Math.abs(Number(f.args[0])) > MAX_DS_ADD_DAYS) {
      issues.push({
        kind: 'filter-args',
        message: `ds_add(${String(f.args[0])}) leaves the calendar: any date moved by more than ${MAX_DS_ADD_DAYS} days is outside the years 0001–9999.`,
        span: f.argsSpan,
      });
      continue;
    }
    if (bad) {
      const sig = want.length ? `(${want.join(', ')}${filter.variadic ? ', …' : ''})` : ' with no arguments';
      issues.push({
        kind: 'filter-args',
        message: `Filter "${f.name}" takes${want.length ? ' ' : ''}${sig}: ${filter.doc}`,
        span: f.args.length ? f.argsSpan : f.span,
      });
    } else if (filter.takes && !filter.takes.includes(type)) {
      issues.push({
        kind: 'filter-type',
        message: `Filter "${f.name}" needs ${filter.takes
          .filter((t) => t !== 'unknown')
          .map(article)
          .join(' or ')}; here it gets ${article(type)}.`,
        span: f.span,
      });
    }
    if (filter.gives !== 'unknown') type = filter.gives;
  }
  return issues.length ? issues : NO_ISSUES;
}
