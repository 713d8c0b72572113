import { inlineCode, kindLabel, quotedList } from './kindLabels';
import type { Analysis } from '../dag/analyze';
import { isoDay } from '../dag/dates';
import { formatDuration } from '../dag/duration';
import { latestCompleteInterval, previousLogicalDate } from '../dag/schedule';
import { specAt } from '../dag/schema';
import { asText, templateValue, type TemplateContext } from '../dag/templateRender';
import { TEMPLATE_FILTERS, TEMPLATE_NAMES, TEMPLATE_NAMESPACES } from '../dag/templateNames';
import { astPathAt } from './astPath';

export interface Hover {
  /** Markdown. */
  readonly contents: string;
  readonly range: { readonly start: number; readonly end: number };
}

const within = (o: number, r: { start: number; end: number }) => o >= r.start && o <= r.end;

/** Key docs from the schema; a dependency's image and command; a template's doc and its value for the next run. */
export function hover(a: Analysis, offset: number, now = new Date()): Hover | undefined {
  const s = a.symbols;
  if (s) {
    const t = s.templates.find((x) => within(offset, x.range));
    if (t) return templateHover(a, t, offset, now);
    const ref = s.taskRefs.find((r) => within(offset, r.range));
    if (ref) return taskHover(a, ref.name, ref.range);
    const decl = [...s.tasks.values()].find((d) => within(offset, d.keyRange));
    if (decl) return taskHover(a, decl.name, decl.keyRange);
    const group =
      s.groupRefs.find((r) => within(offset, r.range)) ??
      [...s.groups.values()].map((d) => ({ name: d.name, range: d.keyRange })).find((d) => within(offset, d.range));
    if (group) return groupHover(a, group.name, group.range);
    const service =
      s.serviceRefs.find((r) => within(offset, r.range)) ??
      [...s.services.values()].map((d) => ({ name: d.name, range: d.keyRange })).find((d) => within(offset, d.range));
    if (service) return serviceHover(a, service.name, service.range);
  }
  if (!a.parsed.doc) return undefined;
  const hit = astPathAt(a.parsed.doc, offset);
  if (!hit || !hit.onKey) return undefined;
  const spec = specAt(hit.path.map((p) => (/^\d+$/.test(p) ? '*' : p)));
  if (!spec) return undefined;
  const type = spec.kind === 'string' && spec.enum ? spec.enum.map((e) => `\`${e}\``).join(' | ') : kindLabel(spec);
  return { contents: `**${hit.path[hit.path.length - 1]}** · ${type}\n\n${spec.doc}`, range: hit.range };
}

function taskHover(a: Analysis, id: string, range: Hover['range']): Hover | undefined {
  const task = a.dag?.tasks.find((t) => t.id === id);
  if (!task) return undefined;
  const lines = [`**Task ${id}**`, '', `image: \`${task.image}\``];
  // Quoted as written, so the split into arguments shows (`sh -c echo a b` would hide it).
  if (task.command) lines.push(`command: ${inlineCode(quotedList(task.command))}`);
  if (task.args) lines.push(`args: ${inlineCode(quotedList(task.args))}`);
  if (task.dependsOn.length) lines.push(`after: ${task.dependsOn.join(', ')} (${task.triggerRule})`);
  if (task.retries) lines.push(`retries: ${task.retries}, delay ${formatDuration(task.retryDelayMs)}`);
  if (task.timeoutMs) lines.push(`timeout: ${formatDuration(task.timeoutMs)}`);
  return { contents: lines.join('  \n'), range };
}

function groupHover(a: Analysis, name: string, range: Hover['range']): Hover | undefined {
  const g = a.dag?.groups.get(name);
  if (!g) return undefined;
  const tasks = a.dag!.tasks.filter((t) => t.group === name || t.group?.startsWith(`${name}.`)).map((t) => t.id);
  const lines = [`**Group ${name}**`, ''];
  if (g.description) lines.push(g.description, '');
  if (g.parent) lines.push(`inside: ${g.parent}`);
  lines.push(tasks.length ? `tasks: ${tasks.join(', ')}` : 'no tasks yet');
  lines.push('', '`depends_on` naming it waits for every task of it; `cdag run --task ' + name + '` runs them.');
  return { contents: lines.join('  \n'), range };
}

function serviceHover(a: Analysis, name: string, range: Hover['range']): Hover | undefined {
  const s = a.dag?.services.get(name);
  if (!s) return undefined;
  const users = a.dag!.tasks.filter((t) => t.services.includes(name)).map((t) => t.id);
  const lines = [`**Service ${name}**`, '', `image: \`${s.image}\``];
  if (s.ports.length)
    lines.push(
      `ports: ${s.ports.map((p) => (p.hostPort ? `${p.hostPort}:${p.port}` : String(p.port))).join(', ')} (reach it at \`${name}\`)`,
    );
  if (s.ready)
    lines.push(
      `ready: ${s.ready.tcp !== undefined ? `tcp ${s.ready.tcp}` : `\`${(s.ready.command ?? []).join(' ')}\``}, every ${formatDuration(s.ready.intervalMs)}, within ${formatDuration(s.ready.timeoutMs)}`,
    );
  else lines.push('ready: not checked (tasks may start before it listens)');
  lines.push(users.length ? `needed by: ${users.join(', ')}` : 'needed by no task');
  return { contents: lines.join('  \n'), range };
}

function templateHover(
  a: Analysis,
  t: NonNullable<Analysis['symbols']>['templates'][number],
  offset: number,
  now: Date,
): Hover {
  const filter = t.expr.filters.find((f) => within(offset - (t.range.start - t.expr.span.start), f.span));
  if (filter && TEMPLATE_FILTERS[filter.name]) {
    return { contents: `**| ${filter.name}**\n\n${TEMPLATE_FILTERS[filter.name]!.doc}`, range: t.range };
  }
  const name = t.expr.name;
  const ns = name.split('.')[0]!;
  const doc = TEMPLATE_NAMES[name]?.doc ?? TEMPLATE_NAMESPACES[ns] ?? 'Unknown name.';
  const deprecated = TEMPLATE_NAMES[name]?.deprecated;
  const lines = [`**{{ ${name} }}**`, '', doc];
  if (deprecated) lines.push('', `_${deprecated}_`);
  const parts = name.split('.');
  if (ns === 'tasks' && parts.length === 4) {
    const producer = a.dag?.tasks.find((x) => x.id === parts[1]);
    lines.push(
      '',
      producer
        ? `Written by \`${producer.id}\` (\`${producer.image}\`) to $CDAG_OUTPUT as {"${parts[3]}": …}; it declares ${producer.outputs.map((o) => `\`${o}\``).join(', ') || 'no outputs'}.${producer.expand ? ' It is mapped: the value is the list of its instances’ values, in map-index order.' : ''}`
        : `No task "${parts[1]}" in this DAG.`,
    );
    return { contents: lines.join('\n'), range: t.range };
  }
  if (ns === 'item' && parts.length === 2) {
    const source = a.dag?.tasks.find((x) => x.id === t.owner)?.expand?.get(parts[1]!);
    if (source)
      lines.push(
        '',
        source.kind === 'items'
          ? `One of ${source.items.length} item(s): \`${JSON.stringify(source.items).slice(0, 120)}\``
          : `One item of \`${source.template}\`, resolved when the task is ready.`,
      );
    return { contents: lines.join('\n'), range: t.range };
  }
  if (a.dag && ns !== 'env') {
    const interval = latestCompleteInterval(a.dag.schedule, now);
    const ctx: TemplateContext = {
      dagId: a.dag.id,
      taskId: t.owner ?? '',
      runId: 'manual__…',
      tryNumber: 1,
      logicalDate: interval.start,
      intervalEnd: interval.end,
      prevLogicalDate: previousLogicalDate(a.dag.schedule, interval.start),
      params: a.dag.params,
      env: {},
    };
    const value = templateValue(name, ctx);
    if (value !== undefined) lines.push('', `Next run (logical date ${isoDay(interval.start)}): \`${asText(value)}\``);
  }
  return { contents: lines.join('\n'), range: t.range };
}
