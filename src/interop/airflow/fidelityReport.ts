import type { Kwargs } from '../python/values';
import type { InteropProblem } from './importContext';

/** What became of one argument of an operator call. */
export interface ArgumentFate {
  readonly name: string;
  readonly fate: 'carried' | 'approximated' | 'left-out';
  /** Why, for the approximated and the left out: the problem said on its line. */
  readonly why?: string;
}

/** One operator of the Airflow file, and what of it reached the DAG file. */
export interface TaskReport {
  readonly taskId: string;
  readonly operator: string;
  /** 1-based line of the operator call. */
  readonly line: number;
  /** False for an operator that is not a container operator (left out whole, dependencies kept). */
  readonly translated: boolean;
  readonly args: readonly ArgumentFate[];
}

/**
 * The fate of each argument of one operator call: carried when it was read with nothing to say,
 * approximated when it was read with a warning (partly translated), left out when it was not read
 * or was read only to say it is not needed here (`in_cluster`, `owner`).
 * A problem belongs to an argument when it lies inside the argument's value.
 */
export function taskReport(
  taskId: string,
  operator: string,
  line: number,
  kwargs: Kwargs,
  used: ReadonlySet<string> | undefined,
  problems: readonly InteropProblem[],
): TaskReport {
  const args: ArgumentFate[] = [];
  for (const [name, v] of kwargs) {
    if (name === 'task_id' || name === 'dag') continue;
    const inside = problems.filter((p) => p.range.start >= v.node.startIndex && p.range.end <= v.node.endIndex);
    const warning = inside.find((p) => p.severity === 'warning' || p.severity === 'error');
    const ignored = inside.find((p) => p.code === 'ignored-argument');
    const said = warning ?? ignored ?? inside[0];
    if (!used?.has(name) || (ignored && !warning))
      args.push({ name, fate: 'left-out', ...(said ? { why: said.message } : {}) });
    else if (warning) args.push({ name, fate: 'approximated', why: warning.message });
    else args.push({ name, fate: 'carried' });
  }
  return { taskId, operator, line, translated: used !== undefined, args };
}

/** The report `cdag import --report` prints and VS Code shows: per task, then a count line. */
export function formatReport(reports: readonly TaskReport[]): string[] {
  const lines: string[] = [];
  let carried = 0;
  let all = 0;
  let approximated = 0;
  for (const r of reports) {
    if (!r.translated) {
      lines.push(
        `${r.taskId} (${r.operator}, line ${r.line}): left out — not a container operator; its dependencies are kept.`,
      );
      continue;
    }
    const by = (fate: ArgumentFate['fate']) => r.args.filter((a) => a.fate === fate);
    const c = by('carried');
    carried += c.length;
    all += r.args.length;
    approximated += by('approximated').length;
    lines.push(`${r.taskId} (${r.operator}, line ${r.line}): ${c.length} of ${r.args.length} arguments carried`);
    if (c.length) lines.push(`  carried: ${c.map((a) => a.name).join(', ')}`);
    for (const a of by('approximated')) lines.push(`  approximated: ${a.name} — ${a.why ?? ''}`);
    for (const a of by('left-out')) lines.push(`  left out: ${a.name}${a.why ? ` — ${a.why}` : ''}`);
  }
  const operators = reports.filter((r) => !r.translated).length;
  lines.push(
    `${carried} of ${all} arguments carried${approximated ? `, ${approximated} approximated` : ''}, ${all - carried - approximated} left out, in ${reports.length - operators} task${reports.length - operators === 1 ? '' : 's'}${operators ? `; ${operators} operator${operators === 1 ? '' : 's'} left out` : ''}.`,
  );
  return lines;
}
