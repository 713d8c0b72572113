import type { Scalar } from 'yaml';
import { problem, type Problem } from './problem';
import { KNOWN_PRESETS, parseSchedule } from './schedule';
import { didYouMean } from './suggest';
import { rangeOf, valueSpanToSource } from './yamlNodes';

/** Schedule diagnostics, underlining the one cron field that is wrong. */
export function checkSchedule(node: Scalar, text: string): Problem[] {
  const value = String(node.value);
  const r = parseSchedule(value);
  if (!('error' in r)) return [];
  if (value.trim().startsWith('@')) {
    const guess = didYouMean(value.trim(), KNOWN_PRESETS);
    return [
      problem(
        'invalid-schedule',
        'error',
        `Unknown schedule preset "${value}". Allowed: ${KNOWN_PRESETS.join(', ')}, a 5-field cron expression, or no schedule for manual runs.${guess ? ` Did you mean "${guess}"?` : ''}`,
        rangeOf(node),
        guess ? { fixes: [{ title: `Change to "${guess}"`, range: rangeOf(node), newText: guess }] } : {},
      ),
    ];
  }
  const fields = [...value.matchAll(/\S+/g)];
  const f = fields[r.error.field];
  const range =
    f && f.index !== undefined ? valueSpanToSource(node, text, f.index, f.index + f[0].length) : rangeOf(node);
  return [problem('invalid-schedule', 'error', r.error.message, range)];
}
