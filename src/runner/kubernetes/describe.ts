import type { CoreV1Event, V1Pod } from '@kubernetes/client-node';

/** What `kubectl describe pod` tells, as rows and sections the tree and the text view share. */
export interface PodDescription {
  readonly fields: ReadonlyArray<readonly [string, string]>;
  readonly conditions: ReadonlyArray<readonly [string, string]>;
  readonly containers: ReadonlyArray<readonly [string, string]>;
  readonly events: ReadonlyArray<readonly [string, string]>;
}

function age(from: Date | string | undefined, now: number): string {
  if (!from) return '?';
  const s = Math.max(0, Math.round((now - new Date(from).getTime()) / 1000));
  return s < 120 ? `${s}s` : s < 7200 ? `${Math.round(s / 60)}m` : `${Math.round(s / 3600)}h`;
}

export function describePod(pod: V1Pod, events: readonly CoreV1Event[], now = Date.now()): PodDescription {
  const st = pod.status;
  const fields: Array<[string, string]> = [
    ['pod', pod.metadata?.name ?? '?'],
    ['namespace', pod.metadata?.namespace ?? '?'],
    ['node', pod.spec?.nodeName ?? '(not scheduled)'],
    ['IP', st?.podIP ?? '(none)'],
    ['phase', `${st?.phase ?? '?'}${st?.reason ? ` (${st.reason})` : ''}`],
    ['QoS', st?.qosClass ?? '?'],
  ];
  if (st?.message) fields.push(['message', st.message]);
  // What the scheduler weighs (requests) and what the kubelet enforces (limits), as kubectl shows them.
  const task = pod.spec?.containers.find((c) => c.name === 'task') ?? pod.spec?.containers[0];
  const requests = quantities(task?.resources?.requests);
  const limits = quantities(task?.resources?.limits);
  fields.push(['requests', requests || '<none>'], ['limits', limits || '<none>']);
  const conditions = (st?.conditions ?? []).map((c): [string, string] => [
    c.type,
    `${c.status}${c.reason ? ` · ${c.reason}` : ''}${c.message ? ` · ${c.message}` : ''}`,
  ]);
  const containers = (st?.containerStatuses ?? []).map((c): [string, string] => {
    const s = c.state;
    const state = s?.running
      ? `Running since ${new Date(s.running.startedAt ?? 0).toISOString()}`
      : s?.terminated
        ? `Terminated · ${s.terminated.reason ?? ''} · exit code ${s.terminated.exitCode}`
        : s?.waiting
          ? `Waiting · ${s.waiting.reason ?? ''}${s.waiting.message ? ` · ${s.waiting.message}` : ''}`
          : 'unknown';
    return [c.name, `${state} · restarts ${c.restartCount} · ${c.image}`];
  });
  const evs = [...events]
    .sort(
      (a, b) =>
        new Date(a.lastTimestamp ?? a.eventTime ?? 0).getTime() -
        new Date(b.lastTimestamp ?? b.eventTime ?? 0).getTime(),
    )
    .map((e): [string, string] => [
      `${e.type ?? ''} ${e.reason ?? ''}`.trim(),
      `${age(e.lastTimestamp ?? e.eventTime, now)} ago${(e.count ?? 1) > 1 ? ` (x${e.count})` : ''} · ${e.message ?? ''}`,
    ]);
  return { fields, conditions, containers, events: evs };
}

/** The description as text, in the order `kubectl describe pod` uses. Env shows where values come from, never a secret's value. */
export function describeText(pod: V1Pod, d: PodDescription): string {
  const lines = d.fields.map(([k, v]) => `${`${k[0]!.toUpperCase()}${k.slice(1)}:`.padEnd(14)}${v}`);
  const labels = Object.entries(pod.metadata?.labels ?? {}).map(([k, v]) => `${k}=${v}`);
  lines.push(`${'Labels:'.padEnd(14)}${labels.join('\n'.padEnd(15)) || '<none>'}`);
  lines.push('Containers:');
  for (const c of pod.spec?.containers ?? []) {
    lines.push(`  ${c.name}:`, `    Image:      ${c.image}`);
    if (c.command) lines.push(`    Command:    ${c.command.join(' ')}`);
    if (c.args) lines.push(`    Args:       ${c.args.join(' ')}`);
    const status = d.containers.find(([n]) => n === c.name);
    if (status) lines.push(`    State:      ${status[1]}`);
    for (const [title, q] of [
      ['Limits', c.resources?.limits],
      ['Requests', c.resources?.requests],
    ] as const) {
      const entries = Object.entries(q ?? {});
      if (entries.length)
        lines.push(`    ${title}:`, ...entries.map(([k, v]) => `      ${`${k}:`.padEnd(10)}${String(v)}`));
    }
    if (c.env?.length) {
      lines.push('    Environment:');
      for (const e of c.env) {
        const ref = e.valueFrom?.secretKeyRef;
        lines.push(
          `      ${e.name}: ${ref ? `<set to the key '${ref.key}' in secret '${ref.name}'>` : (e.value ?? '')}`,
        );
      }
    }
  }
  lines.push('Conditions:', ...d.conditions.map(([t, v]) => `  ${t.padEnd(26)}${v}`));
  lines.push('Events:', ...(d.events.length ? d.events.map(([t, v]) => `  ${t.padEnd(26)}${v}`) : ['  <none>']));
  return `${lines.join('\n')}\n`;
}

/** `cpu 500m, memory 256Mi`: a container's requests or limits on one line. */
function quantities(q: Readonly<Record<string, unknown>> | undefined): string {
  return Object.entries(q ?? {})
    .map(([k, v]) => `${k} ${String(v)}`)
    .join(', ');
}
