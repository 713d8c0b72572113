import type { Node } from 'web-tree-sitter';
import { formatDuration } from '../../dag/duration';
import type { Severity } from '../../dag/problem';
import { describe, shortName, type PyValue } from '../python/values';
import type { OutputRef } from './templates';
import { fromAirflowTemplate } from './templatesFromAirflow';

/** A problem of an import or export: data with the Python (or DAG file) range it is about. */
export interface InteropProblem {
  readonly code: InteropCode;
  readonly severity: Severity;
  readonly message: string;
  /** Offsets into the source text (UTF-16, as JavaScript counts). */
  readonly range: { readonly start: number; readonly end: number };
  /** 1-based, for messages that name the line. */
  readonly line: number;
}

export type InteropCode =
  | 'python-syntax'
  | 'no-dag'
  | 'several-dags'
  | 'unsupported-operator'
  | 'unsupported-argument'
  | 'ignored-argument'
  | 'computed-value'
  | 'unsupported-template'
  | 'unsupported-schedule'
  | 'unsupported-statement'
  | 'unknown-task'
  | 'dependency-not-read'
  | 'condition-not-evaluated'
  | 'secret-on-command-line'
  | 'literal-secret'
  | 'generated-file'
  | 'xcom-output'
  | 'airflow-defaults';

/** A JSON-like value of the DAG file being written. */
export type Doc = string | number | boolean | readonly Doc[] | { readonly [key: string]: Doc | undefined };
export type DocMap = { [key: string]: Doc | undefined };

/** Secrets by the names Airflow users give their environment variables. */
const SECRET_LIKE = /pass(word|wd)?\b|passwd|secret|token|api_?key|private|credential|_pwd\b|auth/i;

export function looksSecret(envName: string): boolean {
  return SECRET_LIKE.test(envName);
}

/** `MOVIELENS_PASSWORD` → `movielens-password`: the secret name whose environment fallback is that variable. */
export function secretNameForEnv(envName: string): string {
  return envName.toLowerCase().replace(/_/g, '-');
}

export class ImportContext {
  readonly problems: InteropProblem[] = [];

  report(node: Node, severity: Severity, code: InteropCode, message: string): void {
    this.problems.push({
      code,
      severity,
      message,
      range: { start: node.startIndex, end: node.endIndex },
      line: node.startPosition.row + 1,
    });
  }

  /** Task outputs templates and expansions read (XCom pulls): the importer declares them on their tasks. */
  readonly outputRefs: OutputRef[] = [];

  computed(v: PyValue, what: string): void {
    this.report(
      v.node,
      'warning',
      'computed-value',
      `${what} is ${describe(v)}, not a literal: it was not translated.`,
    );
  }

  /** A string as this format writes it: Airflow templates translated, environment reads as `{{ env.X }}`. */
  text(v: PyValue | undefined, what: string, opts: { commandLine?: boolean } = {}): string | undefined {
    if (!v || v.kind === 'none') return undefined;
    let raw: string;
    switch (v.kind) {
      case 'str':
        raw = v.value;
        break;
      case 'num':
        raw = String(v.value);
        break;
      case 'bool':
        raw = v.value ? 'True' : 'False';
        break;
      case 'env':
      case 'concat': {
        const parts = v.kind === 'env' ? [v] : v.parts;
        raw = parts.map((p) => (p.kind === 'str' ? p.value : this.envTemplate(p, what, opts))).join('');
        break;
      }
      default:
        this.computed(v, what);
        return undefined;
    }
    const t = fromAirflowTemplate(raw);
    if (t.refs) this.outputRefs.push(...t.refs);
    for (const issue of t.issues) {
      this.report(v.node, 'warning', 'unsupported-template', `${what}: ${issue}; left as written.`);
    }
    return t.text;
  }

  private envTemplate(p: PyValue & { kind: 'env' }, what: string, opts: { commandLine?: boolean }): string {
    if (opts.commandLine && looksSecret(p.name)) {
      this.report(
        p.node,
        'warning',
        'secret-on-command-line',
        `${what} puts the environment variable ${p.name}, which looks like a secret, on the container's command line, where process lists and \`docker inspect\` show it. It is kept as {{ env.${p.name} }}; better: declare it under the task's secrets (${p.name}: ${secretNameForEnv(p.name)}) and let the image read it from its environment.`,
      );
    }
    // A secret's fallback is a secret too: never copied into the file.
    const secretFallback = looksSecret(p.name) && p.fallback?.kind === 'str';
    if (secretFallback)
      this.report(
        p.fallback!.node,
        'warning',
        'literal-secret',
        `The fallback of ${p.name} looks like a secret; it was not copied.`,
      );
    const fallback =
      p.fallback && p.fallback.kind === 'str' && !secretFallback
        ? ` | default(${JSON.stringify(p.fallback.value)})`
        : '';
    if (p.fallback && p.fallback.kind !== 'str' && p.fallback.kind !== 'none')
      this.computed(p.fallback, `the default of ${p.name}`);
    return `{{ env.${p.name}${fallback} }}`;
  }

  /** A list of strings, or one string (kept a string: this format splits it like a shell, as Docker does). */
  textList(v: PyValue | undefined, what: string, opts: { commandLine?: boolean } = {}): Doc | undefined {
    if (!v || v.kind === 'none') return undefined;
    if (v.kind === 'list') {
      const out: string[] = [];
      v.items.forEach((item, i) => {
        const s = this.text(item, `${what}[${i}]`, opts);
        if (s !== undefined) out.push(s);
      });
      return out;
    }
    return this.text(v, what, opts);
  }

  int(v: PyValue | undefined, what: string): number | undefined {
    if (!v || v.kind === 'none') return undefined;
    if (v.kind === 'num' && Number.isInteger(v.value)) return v.value;
    this.computed(v, what);
    return undefined;
  }

  bool(v: PyValue | undefined, what: string): boolean | undefined {
    if (!v || v.kind === 'none') return undefined;
    if (v.kind === 'bool') return v.value;
    this.computed(v, what);
    return undefined;
  }

  /** `timedelta(minutes=10)`, `duration(...)` or a number of seconds → `10m`. */
  duration(v: PyValue | undefined, what: string): string | undefined {
    if (!v || v.kind === 'none') return undefined;
    if (v.kind === 'num') return formatDuration(v.value * 1000);
    if (v.kind === 'call' && ['timedelta', 'duration', 'Duration'].includes(shortName(v.callee))) {
      const units: Record<string, number> = {
        weeks: 604_800_000,
        days: 86_400_000,
        hours: 3_600_000,
        minutes: 60_000,
        seconds: 1000,
        milliseconds: 1,
      };
      const positional = ['days', 'seconds', 'microseconds', 'milliseconds', 'minutes', 'hours', 'weeks'];
      let ms = 0;
      const add = (unit: string, arg: PyValue): boolean => {
        if (arg.kind !== 'num') return false;
        ms += unit === 'microseconds' ? arg.value / 1000 : arg.value * (units[unit] ?? NaN);
        return true;
      };
      const okArgs = v.args.every((a, i) => add(positional[i] ?? '?', a)) && [...v.kwargs].every(([k, a]) => add(k, a));
      if (okArgs && Number.isFinite(ms)) return formatDuration(ms);
    }
    this.computed(v, what);
    return undefined;
  }

  /** A map of literal keys to strings (env, labels, node selectors). */
  stringMap(v: PyValue | undefined, what: string): Record<string, string> | undefined {
    if (!v || v.kind === 'none') return undefined;
    if (v.kind !== 'dict') {
      this.computed(v, what);
      return undefined;
    }
    const out: Record<string, string> = {};
    for (const e of v.entries) {
      if (e.key.kind !== 'str') {
        this.computed(e.key, `a key of ${what}`);
        continue;
      }
      const s = this.text(e.value, `${what}["${e.key.value}"]`);
      if (s !== undefined) out[e.key.value] = s;
    }
    return out;
  }
}

/** A date of a DAG argument: `datetime(2019, 1, 1)`, `pendulum.datetime(2019, 1, 1, tz="UTC")`, or an ISO string. */
export function dateText(v: PyValue | undefined, ctx: ImportContext, what: string): string | undefined {
  if (!v || v.kind === 'none') return undefined;
  if (v.kind === 'str' && /^\d{4}-\d{2}-\d{2}/.test(v.value)) return v.value;
  if (v.kind === 'call' && ['datetime', 'date'].includes(shortName(v.callee))) {
    const nums = v.args.map((a) => (a.kind === 'num' ? a.value : NaN));
    const [y, mo, d, h = 0, mi = 0, s = 0] = nums;
    const tz = v.kwargs.get('tz') ?? v.kwargs.get('tzinfo');
    const tzText =
      tz?.kind === 'str' ? tz.value : tz?.kind === 'ref' && /utc$/i.test(tz.name) ? 'UTC' : tz ? '?' : 'UTC';
    if (
      [y, mo, d, h, mi, s].every((n) => n !== undefined && Number.isInteger(n)) &&
      /^(UTC|Etc\/UTC|GMT)$/i.test(tzText)
    ) {
      const p2 = (n: number): string => String(n).padStart(2, '0');
      const day = `${y}-${p2(mo!)}-${p2(d!)}`;
      return h || mi || s ? `${day}T${p2(h)}:${p2(mi)}:${p2(s)}Z` : day;
    }
    if (tzText !== 'UTC') {
      ctx.report(
        v.node,
        'warning',
        'computed-value',
        `${what} is in the time zone ${tzText}; only UTC dates are translated.`,
      );
      return undefined;
    }
  }
  if (v.kind === 'call' && shortName(v.callee) === 'days_ago') {
    ctx.report(
      v.node,
      'warning',
      'computed-value',
      `${what} is days_ago(…), a date relative to when the file is parsed; write a fixed date (start_date: YYYY-MM-DD).`,
    );
    return undefined;
  }
  ctx.computed(v, what);
  return undefined;
}
