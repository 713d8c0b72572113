import type { YAMLMap } from 'yaml';
import { problem, type Problem } from './problem';
import { didYouMean } from './suggest';
import { membersOf } from './structureSymbols';
import type { SymbolIndex } from './symbols';
import { entry, isMap, isScalar, isSeq, mapAt, pairs, rangeOf } from './yamlNodes';

/** Groups and services: names that clash or are unknown, groups no task is in, readiness, ports. */
export function checkGroupsAndServices(root: YAMLMap, symbols: SymbolIndex, out: Problem[]): void {
  for (const [name, decl] of symbols.groups) {
    if (symbols.tasks.has(name))
      out.push(
        problem(
          'group-task-clash',
          'error',
          `"${name}" is both a task and a group: depends_on "${name}" could mean either. Rename one of them.`,
          decl.keyRange,
        ),
      );
  }
  const declared = mapAt(root, 'groups');
  for (const p of declared ? pairs(declared) : []) {
    const name = String(p.key.value);
    if (membersOf(name, symbols.taskGroups).length === 0)
      out.push(
        problem(
          'empty-group',
          'warning',
          `No task is in group "${name}": set \`group: ${name}\` on its tasks.`,
          rangeOf(p.key),
        ),
      );
  }
  for (const ref of symbols.groupDependencies) {
    const own = ref.owner ? symbols.taskGroups.get(ref.owner) : undefined;
    if (own !== undefined && (own === ref.name || own.startsWith(`${ref.name}.`)))
      out.push(
        problem(
          'group-self-dependency',
          'error',
          `Task "${ref.owner}" is in group "${ref.name}" and cannot depend on it: it would wait for itself. Depend on the other tasks of the group by name.`,
          ref.range,
        ),
      );
  }
  const services = [...symbols.services.keys()];
  for (const ref of symbols.serviceRefs) {
    if (symbols.services.has(ref.name)) continue;
    const guess = didYouMean(ref.name, services);
    out.push(
      problem(
        'unknown-service',
        'error',
        `Unknown service "${ref.name}".${guess ? ` Did you mean "${guess}"?` : services.length ? ` Services: ${services.slice(0, 10).join(', ')}.` : ' Declare it under "services".'}`,
        ref.range,
        guess ? { fixes: [{ title: `Change to "${guess}"`, range: ref.range, newText: guess }] } : {},
      ),
    );
  }
  checkServices(mapAt(root, 'services'), out);
}

function checkServices(services: YAMLMap | undefined, out: Problem[]): void {
  const hostPorts = new Map<number, string>();
  for (const p of services ? pairs(services) : []) {
    if (!isMap(p.value)) continue;
    const name = String(p.key.value);
    const ready = entry(p.value, 'ready');
    if (!ready)
      out.push(
        problem(
          'service-not-ready',
          'warning',
          `Service "${name}" has no \`ready\` check: tasks may start before it listens. Add \`ready: {tcp: PORT}\` or \`ready: {command: [...]}\`.`,
          rangeOf(p.key),
        ),
      );
    else if (isMap(ready.value)) {
      const ways = ['command', 'tcp'].filter((k) => entry(ready.value as YAMLMap, k));
      if (ways.length !== 1)
        out.push(
          problem(
            'service-not-ready',
            'error',
            ways.length ? '`ready` takes `command` or `tcp`, not both.' : '`ready` needs `command` or `tcp`.',
            rangeOf(ready.key),
          ),
        );
    }
    const ports = entry(p.value, 'ports')?.value;
    const seen = new Set<number>();
    for (const item of isSeq(ports) ? ports.items : []) {
      if (!isScalar(item)) continue;
      const m = /^(?:(\d+):)?(\d+)$/.exec(String(item.value));
      if (!m) continue;
      const port = Number(m[2]);
      if (seen.has(port))
        out.push(problem('port-clash', 'warning', `Port ${port} is listed twice for "${name}".`, rangeOf(item)));
      seen.add(port);
      if (!m[1]) continue;
      const host = Number(m[1]);
      const other = hostPorts.get(host);
      if (other !== undefined)
        out.push(
          problem(
            'port-clash',
            'error',
            `Host port ${host} is published by "${other}" already; two services cannot share one. Pick another host port.`,
            rangeOf(item),
          ),
        );
      else hostPorts.set(host, name);
    }
  }
}
