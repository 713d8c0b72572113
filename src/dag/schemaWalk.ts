import { isMap, isScalar, isSeq, type Document, type Node, type Scalar } from 'yaml';
import { parseDate } from './dates';
import { parseDuration } from './duration';
import { checkImage } from './imageRef';
import { problem, type Problem, type ProblemCode } from './problem';
import { parseCpu, parseMemory } from './quantity';
import { checkSchedule } from './scheduleCheck';
import type { ObjectSpec, Spec, StringSpec } from './schema';
import { didYouMean } from './suggest';
import { rangeOf, deref, type AliasBudget } from './yamlNodes';

/** A templated string value, kept for template checks and hovers. */
export interface TemplatedValue {
  readonly node: Scalar;
  readonly path: readonly string[];
}

export interface WalkContext {
  readonly text: string;
  readonly doc: Document.Parsed;
  readonly problems: Problem[];
  readonly budget: AliasBudget;
  readonly templated: TemplatedValue[];
}

/** Checks a node against the schema: types, unknown and missing keys, enums, patterns and formats. */
export function walk(node: unknown, spec: Spec, path: string[], ctx: WalkContext, keyNode?: Scalar): void {
  const n = deref(node, ctx.doc, ctx.budget);
  if (ctx.budget.exceeded) return;
  const where = rangeOf(n ?? keyNode);
  switch (spec.kind) {
    case 'any':
      return;
    case 'object':
      if (!isMap(n)) return wrongType(ctx, 'a mapping', n, keyNode);
      return walkObject(n, spec, path, ctx, keyNode);
    case 'map':
      if (!isMap(n)) return wrongType(ctx, 'a mapping', n, keyNode);
      for (const pair of n.items) {
        const key = pair.key as Node;
        if (!isScalar(key)) continue;
        const k = String(key.value);
        if (spec.keyPattern && !compiled(spec.keyPattern).test(k)) {
          report(ctx, 'invalid-name', 'error', `"${k}" is not a valid name here: use ${spec.keyHelp}.`, rangeOf(key));
        }
        walk(pair.value, spec.values, [...path, k], ctx, key);
      }
      return;
    case 'list':
      if (!isSeq(n)) return wrongType(ctx, 'a list', n, keyNode);
      n.items.forEach((item, i) => walk(item, spec.items, [...path, String(i)], ctx));
      return;
    case 'stringOrList':
      if (isSeq(n)) {
        n.items.forEach((item, i) =>
          walk(item, { kind: 'string', doc: spec.doc, templated: spec.templated }, [...path, String(i)], ctx),
        );
        return;
      }
      return walk(n, { kind: 'string', doc: spec.doc, templated: spec.templated }, path, ctx, keyNode);
    case 'boolean':
      if (!isScalar(n) || typeof n.value !== 'boolean') {
        const text = isScalar(n) ? String(n.value) : '';
        const fix = /^(yes|on|y)$/i.test(text) ? 'true' : /^(no|off|n)$/i.test(text) ? 'false' : undefined;
        report(
          ctx,
          'wrong-type',
          'error',
          `Expected true or false${fix ? `; YAML 1.2 reads "${text}" as text, not a boolean` : ''}.`,
          where,
          fix && isScalar(n) ? [{ title: `Change to ${fix}`, range: rangeOf(n), newText: fix }] : undefined,
        );
      }
      return;
    case 'integer':
    case 'number': {
      const v = isScalar(n) ? n.value : undefined;
      if (typeof v !== 'number' || (spec.kind === 'integer' && !Number.isInteger(v))) {
        return wrongType(ctx, spec.kind === 'integer' ? 'a whole number' : 'a number', n, keyNode);
      }
      if (spec.minimum !== undefined && v < spec.minimum) {
        report(ctx, 'invalid-value', 'error', `Must be at least ${spec.minimum}.`, where);
      } else if (spec.kind === 'integer' && spec.maximum !== undefined && v > spec.maximum) {
        report(ctx, 'invalid-value', 'error', `Must be at most ${spec.maximum}.`, where);
      }
      return;
    }
    case 'string':
      return walkString(n, spec, path, ctx, keyNode);
  }
}

function walkObject(map: import('yaml').YAMLMap, spec: ObjectSpec, path: string[], ctx: WalkContext, keyNode?: Scalar) {
  const present = new Set<string>();
  for (const pair of map.items) {
    const key = pair.key as Node;
    if (!isScalar(key)) continue;
    const k = String(key.value);
    present.add(k);
    const field = spec.fields[k];
    if (!field) {
      const guess = didYouMean(k, Object.keys(spec.fields));
      const where = path.length ? ` in "${path[path.length - 1]}"` : ' at the top level';
      report(
        ctx,
        'unknown-key',
        'error',
        `Unknown key "${k}"${where}.${guess ? ` Did you mean "${guess}"?` : ` Allowed: ${Object.keys(spec.fields).join(', ')}.`}`,
        rangeOf(key),
        guess ? [{ title: `Change to "${guess}"`, range: rangeOf(key), newText: guess }] : undefined,
      );
      continue;
    }
    walk(pair.value, field, [...path, k], ctx, key);
  }
  for (const req of spec.required ?? []) {
    if (!present.has(req)) {
      const at = keyNode ? rangeOf(keyNode) : { start: rangeOf(map).start, end: rangeOf(map).start };
      report(ctx, 'missing-key', 'error', `Missing required key "${req}": ${firstSentence(spec.fields[req]!.doc)}`, at);
    }
  }
}

function walkString(n: Node | undefined, spec: StringSpec, path: string[], ctx: WalkContext, keyNode?: Scalar) {
  if (!isScalar(n) || n.value === null || n.value === undefined) {
    return wrongType(ctx, spec.enum ? `one of ${spec.enum.join(', ')}` : 'text', n, keyNode);
  }
  const where = rangeOf(n);
  if (typeof n.value !== 'string') {
    const source = ctx.text.slice(where.start, where.end);
    if (spec.numberOk && typeof n.value === 'number') {
      // fall through: read as written
    } else if (typeof n.value === 'number' && String(n.value) !== source) {
      // YAML 1.2 reads `1.10` as 1.1 and `0755` as 755: a string was meant (Y3).
      report(
        ctx,
        'coerced-scalar',
        'warning',
        `YAML reads ${source} as the number ${String(n.value)}, not the text "${source}". Quote it if you mean the text.`,
        where,
        [{ title: `Quote "${source}"`, range: where, newText: `"${source}"` }],
      );
    } else if (typeof n.value !== 'number' && typeof n.value !== 'boolean') {
      return wrongType(ctx, 'text', n, keyNode);
    }
  }
  const value =
    typeof n.value === 'number' && !spec.numberOk ? ctx.text.slice(where.start, where.end) : String(n.value);
  if (spec.enum && !spec.enum.includes(value)) {
    const guess = didYouMean(value, spec.enum);
    report(
      ctx,
      'invalid-value',
      'error',
      `"${value}" is not allowed here. Allowed: ${spec.enum.join(', ')}.${guess ? ` Did you mean "${guess}"?` : ''}`,
      where,
      guess ? [{ title: `Change to "${guess}"`, range: where, newText: guess }] : undefined,
    );
    return;
  }
  if (spec.pattern && !value.includes('{{') && !compiled(spec.pattern).test(value)) {
    report(ctx, 'invalid-pattern', 'error', `"${value}" is not valid here: use ${spec.patternHelp}.`, where);
  }
  if (spec.templated) ctx.templated.push({ node: n, path });
  else if (value.includes('{{') && path[path.length - 1] !== 'description') {
    report(
      ctx,
      'template-not-rendered',
      'info',
      'Templates are rendered in image, command, args, env, working_dir and mounts only; this text is used as written.',
      where,
    );
  }
  switch (spec.format) {
    case 'duration': {
      const d = parseDuration(value);
      if (!d.succeeded) {
        const fixes =
          typeof n.value === 'number'
            ? [{ title: `Change to ${value}s`, range: where, newText: `${value}s` }]
            : undefined;
        report(ctx, 'invalid-duration', 'error', d.error, where, fixes);
      }
      return;
    }
    case 'date': {
      const d = parseDate(value);
      if (!d.succeeded) report(ctx, 'invalid-date', 'error', d.error, where);
      return;
    }
    case 'cpu': {
      const c = parseCpu(value);
      if (!c.succeeded) report(ctx, 'invalid-quantity', 'error', c.error, where);
      return;
    }
    case 'memory': {
      const m = parseMemory(value);
      if (!m.succeeded) report(ctx, 'invalid-quantity', 'error', m.error, where);
      return;
    }
    case 'schedule':
      ctx.problems.push(...checkSchedule(n, ctx.text));
      return;
    case 'image':
      if (!value.includes('{{')) {
        const e = checkImage(value);
        if (e) report(ctx, 'invalid-image', 'error', e, where);
      }
      return;
    case 'mount':
    case undefined:
      return;
  }
}

function wrongType(ctx: WalkContext, expected: string, n: Node | undefined, keyNode?: Scalar): void {
  const found = describe(n);
  const where = n && rangeOf(n).end > rangeOf(n).start ? rangeOf(n) : rangeOf(keyNode);
  report(ctx, 'wrong-type', 'error', `Expected ${expected}, found ${found}.`, where);
}

function describe(n: Node | undefined): string {
  if (!n) return 'nothing';
  if (isMap(n)) return 'a mapping';
  if (isSeq(n)) return 'a list';
  if (isScalar(n)) {
    if (n.value === null || n.value === undefined) return 'nothing';
    if (typeof n.value === 'number') return `the number ${String(n.value)}`;
    if (typeof n.value === 'boolean') return `the boolean ${String(n.value)}`;
    return `the text "${String(n.value).slice(0, 40)}"`;
  }
  return 'an alias';
}

function report(
  ctx: WalkContext,
  code: ProblemCode,
  severity: Problem['severity'],
  message: string,
  range: { start: number; end: number },
  fixes?: Problem['fixes'],
): void {
  ctx.problems.push(problem(code, severity, message, range, fixes ? { fixes: [...fixes] } : {}));
}

function firstSentence(doc: string): string {
  const i = doc.indexOf('. ');
  return i < 0 ? doc : doc.slice(0, i + 1);
}

const regexCache = new Map<string, RegExp>();
function compiled(pattern: string): RegExp {
  let r = regexCache.get(pattern);
  if (!r) regexCache.set(pattern, (r = new RegExp(pattern)));
  return r;
}
