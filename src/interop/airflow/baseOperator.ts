import { TRIGGER_RULES } from '../../dag/schema';
import type { Kwargs, PyValue } from '../python/values';
import type { DocMap, ImportContext } from './importContext';

const TRIGGER_RULE_SET: ReadonlySet<string> = new Set(TRIGGER_RULES);

/**
 * BaseOperator arguments Airflow users set that have no meaning for a container run here; they are
 * reported (info), not silently dropped.
 */
export const METADATA_ARGS = new Set([
  'owner',
  'email',
  'email_on_failure',
  'email_on_retry',
  'doc',
  'doc_md',
  'doc_rst',
  'doc_json',
  'doc_yaml',
  'pool',
  'pool_slots',
  'queue',
  'priority_weight',
  'weight_rule',
  'sla',
  'on_failure_callback',
  'on_success_callback',
  'on_retry_callback',
  'on_execute_callback',
  'depends_on_past',
  'wait_for_downstream',
  'max_retry_delay',
  'executor_config',
  'do_xcom_push',
  'max_active_tis_per_dag',
  'task_display_name',
]);

/** The BaseOperator arguments every task has (`task_id` and `dag` are read by the caller). */
export function baseTaskFields(kwargs: Kwargs, ctx: ImportContext, task: DocMap, used: Set<string>): void {
  const take = taker(kwargs, used);
  const retries = ctx.int(take('retries'), 'retries');
  if (retries !== undefined) task.retries = retries;
  const delay = ctx.duration(take('retry_delay'), 'retry_delay');
  if (delay !== undefined) task.retry_delay = delay;
  const backoff = ctx.bool(take('retry_exponential_backoff'), 'retry_exponential_backoff');
  if (backoff !== undefined) task.retry_exponential_backoff = backoff;
  const timeout = ctx.duration(take('execution_timeout'), 'execution_timeout');
  if (timeout !== undefined) task.timeout = timeout;
  const rule = take('trigger_rule');
  if (rule) {
    if (rule.kind === 'str' && TRIGGER_RULE_SET.has(rule.value)) {
      if (rule.value !== 'all_success') task.trigger_rule = rule.value;
    } else if (rule.kind === 'str') {
      ctx.report(
        rule.node,
        'warning',
        'unsupported-argument',
        `trigger_rule "${rule.value}" has no equivalent; allowed: ${TRIGGER_RULES.join(', ')}.`,
      );
    } else ctx.computed(rule, 'trigger_rule');
  }
}

/** Whatever an operator mapping did not read is reported: metadata as info, the rest as a warning. */
export function reportUnused(kwargs: Kwargs, used: ReadonlySet<string>, ctx: ImportContext, operator: string): void {
  for (const [k, v] of kwargs) {
    if (used.has(k) || k === 'task_id' || k === 'dag') continue;
    if (k === '**') ctx.computed(v, `${operator}'s keyword arguments`);
    else if (METADATA_ARGS.has(k))
      ctx.report(v.node, 'info', 'ignored-argument', `${k} is Airflow scheduling metadata; not translated.`);
    else
      ctx.report(
        v.node,
        'warning',
        'unsupported-argument',
        `${operator}(${k}=…) has no equivalent here; not translated.`,
      );
  }
}

/** Reads keyword arguments, remembering which were read, so the rest can be reported. */
export function taker(kwargs: Kwargs, used: Set<string>): (name: string) => PyValue | undefined {
  return (name) => {
    used.add(name);
    return kwargs.get(name);
  };
}
