import { type Document, type Node, type Scalar } from 'yaml';
import { parseDate } from './dates';
import { parseDuration } from './duration';
import { checkImage } from './imageRef';
import { problem, type Problem, type ProblemCode } from './problem';
import { parseCpu, parseMemory } from './quantity';
import { checkSchedule } from './scheduleCheck';
import type { ObjectSpec, Spec, StringSpec } from './schema';
import { own } from '../util/dict';
import { checkModel } from './podModel';
import { didYouMean } from './suggest';
import { scanTemplates, type ScannedTemplates } from './template';
import { deref, isMap, isScalar, isSeq, rangeOf, stringValue, type AliasBudget } from './yamlNodes';

/** A templated string value holding `{{` or `}}`, scanned once for checks, symbols and hovers. */
export interface TemplatedValue {
  readonly node: Scalar;
  /** The node's text (`stringValue`). */
  readonly value: string;
  /** The task whose field it is, if any. */
  readonly owner?: string;
  readonly scanned: ScannedTemplates;
}

export interface WalkContext {
  readonly text: string;
  readonly doc: Document.Parsed;
  readonly problems: Problem[];
  readonly budget: AliasBudget;
  readonly templated: TemplatedValue[];
  /** Keys that `defaults` gives every task, so a task need not write them itself. */
  readonly defaulted?: ReadonlySet<string>;
}

/**
 * Checks a node against the schema: types, unknown and missing keys, enums, patterns and formats.
 * `path` is one stack shared by the whole walk (pushed and popped), so no array is made per node.
 */
export function walk(node: unknown, spec: Spec, path: string[], ctx: WalkContext, keyNode?: Scalar): void {
  const n = deref(node, ctx.doc, ctx.budget);
  if (ctx.budget.exceeded) return;
  switch (spec.kind) {
    case 'any':
      if (spec.model) checkModel(n, spec.model, ctx.text, ctx.problems);
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
        if (mergeKey(ctx, key) || coercedKey(ctx, key)) continue;
        if (spec.keyPattern && !compiled(spec.keyPattern).test(k)) {
          report(ctx, 'invalid-name', 'error', `"${k}" is not a valid name here: use ${spec.keyHelp}.`, rangeOf(key));
        }
        path.push(k);
        walk(pair.value, spec.values, path, ctx, key);
        path.pop();
      }
      return;
    case 'list':
      if (!isSeq(n)) return wrongType(ctx, 'a list', n, keyNode);
      for (const item of n.items) {
        path.push('*');
        walk(item, spec.items, path, ctx);
        path.pop();
      }
      return;
    case 'stringOrList':
      if (isSeq(n)) {
        for (const item of n.items) {
          path.push('*');
          walk(item, stringOf(spec), path, ctx);
          path.pop();
        }
        return;
      }
      return walk(n, stringOf(spec), path, ctx, keyNode);
    case 'listOrTemplate':
      if (isSeq(n)) return;
      if (isScalar(n) && typeof n.value === 'string' && n.value.includes('{{'))
        return walk(n, LIST_TEMPLATE, path, ctx, keyNode);
      return wrongType(ctx, 'a list, or a template giving one such as "{{ tasks.ID.outputs.NAME }}"', n, keyNode);
    case 'boolean':
      if (!isScalar(n) || typeof n.value !== 'boolean') {
        const text = isScalar(n) ? String(n.value) : '';
        const fix = /^(yes|on|y)$/i.test(text) ? 'true' : /^(no|off|n)$/i.test(text) ? 'false' : undefined;
        report(
          ctx,
          'wrong-type',
          'error',
          `Expected true or false${fix ? `; YAML 1.2 reads "${text}" as text, not a boolean` : ''}.`,
          rangeOf(n ?? keyNode),
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
        report(ctx, 'invalid-value', 'error', `Must be at least ${spec.minimum}.`, rangeOf(n));
      } else if (spec.kind === 'integer' && spec.maximum !== undefined && v > spec.maximum) {
        report(ctx, 'invalid-value', 'error', `Must be at most ${spec.maximum}.`, rangeOf(n));
      }
      return;
    }
    case 'string':
      return walkString(n, spec, path, ctx, keyNode);
  }
}

function walkObject(map: import('yaml').YAMLMap, spec: ObjectSpec, path: string[], ctx: WalkContext, keyNode?: Scalar) {
  for (const pair of map.items) {
    const key = pair.key as Node;
    if (!isScalar(key)) continue;
    const k = String(key.value);
    if (mergeKey(ctx, key)) continue;
    const field = own(spec.fields, k);
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
    path.push(k);
    walk(pair.value, field, path, ctx, key);
    path.pop();
  }
  for (const req of spec.required ?? []) {
    if (spec.defaultable && ctx.defaulted?.has(req)) continue;
    const unless = spec.requiredUnless ? own(spec.requiredUnless, req) : undefined;
    const has = (k: string) => map.items.some((p) => isScalar(p.key) && p.key.value === k);
    if (unless !== undefined && (has(unless) || (spec.defaultable && ctx.defaulted?.has(unless)))) continue;
    if (!has(req)) {
      const at = keyNode ? rangeOf(keyNode) : { start: rangeOf(map).start, end: rangeOf(map).start };
      report(ctx, 'missing-key', 'error', `Missing required key "${req}": ${firstSentence(spec.fields[req]!.doc)}`, at);
    }
  }
}

/** `<<: *base` is YAML 1.1's merge key; YAML 1.2 has none, so say what to write instead. */
function mergeKey(ctx: WalkContext, key: Scalar): boolean {
  if (key.value !== '<<') return false;
  report(
    ctx,
    'unknown-key',
    'error',
    'Merge keys ("<<") are YAML 1.1 and not supported in DAG files (YAML 1.2). Put fields shared by tasks under "defaults", or write them out.',
    rangeOf(key),
  );
  return true;
}

/** A key YAML reads as a number or null (`0x10` is 16, `1e3` is 1000, `~` is null): a name was meant. */
function coercedKey(ctx: WalkContext, key: Scalar): boolean {
  if (typeof key.value !== 'number' && key.value !== null) return false;
  const where = rangeOf(key);
  const source = ctx.text.slice(where.start, where.end);
  if (typeof key.value === 'number' && String(key.value) === source) return false;
  const read = key.value === null ? 'null (no name)' : `the number ${String(key.value)}`;
  report(
    ctx,
    'coerced-scalar',
    'warning',
    `YAML reads the key ${source || '(empty)'} as ${read}, not the name "${source}". Quote it if you mean the name.`,
    where,
    source ? [{ title: `Quote "${source}"`, range: where, newText: `"${source}"` }] : undefined,
  );
  return false;
}

function walkString(n: Node | undefined, spec: StringSpec, path: string[], ctx: WalkContext, keyNode?: Scalar) {
  if (!isScalar(n) || n.value === null || n.value === undefined) {
    return wrongType(ctx, spec.enum ? `one of ${spec.enum.join(', ')}` : 'text', n, keyNode);
  }
  // Ranges are built only when something is reported, and no closure per call: this runs for every scalar.
  if (typeof n.value !== 'string') {
    const source = ctx.text.slice(n.range![0], n.range![1]);
    if (spec.numberOk && typeof n.value === 'number') {
      // fall through: read as written
    } else if (typeof n.value === 'number' && String(n.value) !== source) {
      // YAML 1.2 reads `1.10` as 1.1 and `0755` as 755: a string was meant.
      report(
        ctx,
        'coerced-scalar',
        'warning',
        `YAML reads ${source} as the number ${String(n.value)}, not the text "${source}". Quote it if you mean the text.`,
        rangeOf(n),
        [{ title: `Quote "${source}"`, range: rangeOf(n), newText: `"${source}"` }],
      );
    } else if (typeof n.value !== 'number' && typeof n.value !== 'boolean') {
      return wrongType(ctx, 'text', n, keyNode);
    }
  }
  const value =
    typeof n.value === 'string'
      ? stringValue(n, ctx.text)
      : typeof n.value === 'number' && !spec.numberOk
        ? ctx.text.slice(rangeOf(n).start, rangeOf(n).end)
        : String(n.value);
  if (value.includes('\0')) {
    // Docker and the kernel end a string at NUL: the container would get a different command.
    report(
      ctx,
      'nul-character',
      'error',
      'A NUL character (\\0) cannot be passed to a container; remove it.',
      rangeOf(n),
    );
    return;
  }
  if (spec.enum && !spec.enum.includes(value)) {
    const guess = didYouMean(value, spec.enum);
    report(
      ctx,
      'invalid-value',
      'error',
      `"${value}" is not allowed here. Allowed: ${spec.enum.join(', ')}.${guess ? ` Did you mean "${guess}"?` : ''}`,
      rangeOf(n),
      guess ? [{ title: `Change to "${guess}"`, range: rangeOf(n), newText: guess }] : undefined,
    );
    return;
  }
  if (spec.pattern && !value.includes('{{') && !compiled(spec.pattern).test(value)) {
    report(ctx, 'invalid-pattern', 'error', `"${value}" is not valid here: use ${spec.patternHelp}.`, rangeOf(n));
  }
  if (spec.templated) {
    if (value.includes('{{') || value.includes('}}')) {
      const owner = path[0] === 'tasks' ? path[1] : undefined;
      ctx.templated.push({ node: n, value, scanned: scanTemplates(value), owner });
    }
  } else if (value.includes('{{') && path[path.length - 1] !== 'description') {
    report(
      ctx,
      'template-not-rendered',
      'info',
      'Templates are rendered in image, command, args, env, working_dir and mounts only; this text is used as written.',
      rangeOf(n),
    );
  }
  switch (spec.format) {
    case 'duration': {
      const d = parseDuration(value);
      if (!d.succeeded) {
        const fixes =
          typeof n.value === 'number'
            ? [{ title: `Change to ${value}s`, range: rangeOf(n), newText: `${value}s` }]
            : undefined;
        report(ctx, 'invalid-duration', 'error', d.error, rangeOf(n), fixes);
      } else if (d.result === 0 && spec.nonZero) {
        report(
          ctx,
          'invalid-duration',
          'error',
          'A duration of zero would end every attempt at once; give a positive duration, or remove the key for no limit.',
          rangeOf(n),
        );
      }
      return;
    }
    case 'date': {
      const d = parseDate(value);
      if (!d.succeeded) report(ctx, 'invalid-date', 'error', d.error, rangeOf(n));
      return;
    }
    case 'cpu': {
      const c = parseCpu(value);
      if (!c.succeeded) report(ctx, 'invalid-quantity', 'error', c.error, rangeOf(n));
      return;
    }
    case 'memory': {
      const m = parseMemory(value);
      if (!m.succeeded) report(ctx, 'invalid-quantity', 'error', m.error, rangeOf(n));
      return;
    }
    case 'schedule':
      ctx.problems.push(...checkSchedule(n, ctx.text));
      return;
    case 'image':
      if (!value.includes('{{')) {
        const e = checkImage(value);
        if (e) report(ctx, 'invalid-image', 'error', e, rangeOf(n));
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

const stringSpecs = new WeakMap<Spec, StringSpec>();
const LIST_TEMPLATE: StringSpec = { kind: 'string', doc: 'A template giving a list.', templated: true };

/** The string spec for the items of a `stringOrList`, made once per spec. */
function stringOf(spec: Extract<Spec, { kind: 'stringOrList' }>): StringSpec {
  let s = stringSpecs.get(spec);
  if (!s) {
    s = { kind: 'string', doc: spec.doc, ...(spec.templated ? { templated: true } : {}) };
    stringSpecs.set(spec, s);
  }
  return s;
}
