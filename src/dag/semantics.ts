import { type Document, type YAMLMap } from 'yaml';
import { parseDate } from './dates';
import { problem, type Problem } from './problem';
import { didYouMean } from './suggest';
import { checkDataflow } from './dataflowChecks';
import { checkGroupsAndServices } from './structureChecks';
import { checkBuilds } from './buildChecks';
import { membersOf } from './structureSymbols';
import { TEMPLATE_FILTERS } from './templateNames';
import { checkExpr, type TemplateIssue } from './template';
import type { TemplatedValue } from './schemaWalk';
import type { SymbolIndex } from './symbols';
import { entry, isMap, isScalar, mapAt, pairs, rangeOf, valueSpanToSource } from './yamlNodes';

/** Checks that need the whole document: references, cycles, mounts, volumes, templates, dates. */
export function checkSemantics(
  doc: Document.Parsed,
  text: string,
  symbols: SymbolIndex,
  templated: readonly TemplatedValue[],
): Problem[] {
  const out: Problem[] = [];
  checkDependencies(symbols, out);
  checkCycles(symbols, out);
  checkTemplates(text, templated, new Set(symbols.params.keys()), out);
  checkMounts(symbols, out);
  const root = isMap(doc.contents) ? doc.contents : undefined;
  if (!root) return out;
  checkDataflow(root, text, symbols, out);
  checkGroupsAndServices(root, symbols, out);
  checkBuilds(root, out);
  checkVolumes(root, out);
  checkDates(root, out);
  checkEnvSecretClash(root, out);
  checkDockerOnlyFields(root, out);
  return out;
}

/** A task's `network` means nothing to Kubernetes; say so where the DAG also targets Kubernetes. */
function checkDockerOnlyFields(root: YAMLMap, out: Problem[]): void {
  const tasks = mapAt(root, 'tasks');
  if (!tasks || !entry(root, 'kubernetes')) return;
  for (const p of pairs(tasks)) {
    const network = isMap(p.value) ? entry(p.value, 'network') : undefined;
    if (network) {
      out.push(
        problem(
          'ignored-on-backend',
          'hint',
          'network applies to Docker only; on Kubernetes pods share the cluster network and this is ignored.',
          rangeOf(network.key),
        ),
      );
    }
  }
}

function checkDependencies(symbols: SymbolIndex, out: Problem[]): void {
  const seen = new Map<string, Set<string>>();
  for (const ref of symbols.taskRefs) {
    const owner = ref.owner!;
    if (ref.name === owner) {
      out.push(problem('self-dependency', 'error', `Task "${owner}" cannot depend on itself.`, ref.range));
      continue;
    }
    if (!symbols.tasks.has(ref.name)) {
      const names = [...symbols.tasks.keys()].filter((t) => t !== owner);
      const guess = didYouMean(ref.name, [...names, ...symbols.groups.keys()]);
      const groups = symbols.groups.size ? ` Groups: ${[...symbols.groups.keys()].slice(0, 5).join(', ')}.` : '';
      out.push(
        problem(
          'unknown-task',
          'error',
          `Unknown task ${symbols.groups.size ? 'or group ' : ''}"${ref.name}" in depends_on of "${owner}".${guess ? ` Did you mean "${guess}"?` : ` Tasks: ${[...symbols.tasks.keys()].slice(0, 10).join(', ')}.${groups}`}`,
          ref.range,
          guess ? { fixes: [{ title: `Change to "${guess}"`, range: ref.range, newText: guess }] } : {},
        ),
      );
      continue;
    }
    const set = seen.get(owner) ?? new Set<string>();
    if (set.has(ref.name)) {
      out.push(problem('duplicate-dependency', 'warning', `"${ref.name}" is listed twice in depends_on.`, ref.range));
    }
    set.add(ref.name);
    seen.set(owner, set);
  }
}

/** Reports each cycle once, with every task on it, in the order the tasks would have to run. */
function checkCycles(symbols: SymbolIndex, out: Problem[]): void {
  const deps = new Map<string, Array<{ name: string; range: { start: number; end: number } }>>();
  for (const ref of symbols.taskRefs) {
    if (ref.owner && symbols.tasks.has(ref.name) && ref.name !== ref.owner) {
      const list = deps.get(ref.owner) ?? [];
      list.push({ name: ref.name, range: ref.range });
      deps.set(ref.owner, list);
    }
  }
  // A group in depends_on is every task of it: a cycle may pass through a group.
  for (const ref of symbols.groupDependencies) {
    if (!ref.owner) continue;
    const list = deps.get(ref.owner) ?? [];
    for (const m of membersOf(ref.name, symbols.taskGroups))
      if (m !== ref.owner) list.push({ name: m, range: ref.range });
    deps.set(ref.owner, list);
  }
  const state = new Map<string, 1 | 2>();
  const reported = new Set<string>();
  for (const start of symbols.tasks.keys()) {
    if (state.has(start)) continue;
    // Iterative DFS so a 2,000-task chain cannot overflow the stack.
    const stack: Array<{ task: string; next: number }> = [{ task: start, next: 0 }];
    const onPath: string[] = [start];
    state.set(start, 1);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const edges = deps.get(top.task) ?? [];
      if (top.next >= edges.length) {
        state.set(top.task, 2);
        stack.pop();
        onPath.pop();
        continue;
      }
      const edge = edges[top.next++]!;
      const s = state.get(edge.name);
      if (s === undefined) {
        state.set(edge.name, 1);
        stack.push({ task: edge.name, next: 0 });
        onPath.push(edge.name);
      } else if (s === 1) {
        const cycle = onPath.slice(onPath.indexOf(edge.name));
        const key = [...cycle].sort().join('\u0000');
        if (reported.has(key)) continue;
        reported.add(key);
        // onPath runs downstream → upstream; show it in run order.
        const order = [...cycle].reverse();
        out.push(
          problem(
            'cycle',
            'error',
            `Dependency cycle: ${[...order, order[0]].join(' → ')}. Remove one of these dependencies.`,
            edge.range,
          ),
        );
      }
    }
  }
}

function checkTemplates(text: string, templated: readonly TemplatedValue[], params: Set<string>, out: Problem[]): void {
  for (const t of templated) {
    const value = t.value;
    const scanned = t.scanned;
    let issues: readonly TemplateIssue[] = scanned.issues;
    for (const e of scanned.exprs) {
      const found = checkExpr(e, params);
      if (found.length) issues = [...issues, ...found];
    }
    for (const issue of issues) {
      const range = valueSpanToSource(t.node, text, issue.span.start, issue.span.end);
      switch (issue.kind) {
        case 'syntax':
          out.push(problem('template-syntax', 'error', issue.message, range));
          break;
        case 'deprecated':
          out.push(problem('template-deprecated', 'hint', issue.message, range, { deprecated: true }));
          break;
        case 'filter-args':
          out.push(problem('template-filter-args', 'error', issue.message, range));
          break;
        case 'filter-type':
          out.push(problem('template-filter-type', 'error', issue.message, range));
          break;
        case 'unknown-filter':
        case 'unknown-name': {
          const candidates =
            issue.kind === 'unknown-filter'
              ? Object.keys(TEMPLATE_FILTERS)
              : value.slice(issue.span.start - 7, issue.span.start) === 'params.'
                ? [...params]
                : [
                    'ds',
                    'ds_nodash',
                    'ts',
                    'ts_nodash',
                    'logical_date',
                    'data_interval_start',
                    'data_interval_end',
                    'run_id',
                    'try_number',
                    'dag.id',
                    'task.id',
                    'map_index',
                  ];
          const guess = issue.word ? didYouMean(issue.word, candidates) : undefined;
          out.push(
            problem(
              issue.kind === 'unknown-filter' ? 'template-unknown-filter' : 'template-unknown-name',
              'error',
              guess ? `${issue.message.split('.')[0]}. Did you mean "${guess}"?` : issue.message,
              range,
              guess ? { fixes: [{ title: `Change to "${guess}"`, range, newText: guess }] } : {},
            ),
          );
        }
      }
    }
  }
}

function checkMounts(symbols: SymbolIndex, out: Problem[]): void {
  for (const m of symbols.mounts) {
    if (!m.parsed.succeeded) {
      out.push(problem('invalid-mount', 'error', m.parsed.error, rangeOf(m.node)));
      continue;
    }
    const span = m.sourceRange ?? rangeOf(m.node);
    const { hostPath, volume } = m.parsed.result;
    if (hostPath) {
      out.push(
        problem(
          'not-portable',
          'warning',
          `"${hostPath}" is a host path: it works on Docker only. Declare it under "volumes" to run the same DAG on Kubernetes.`,
          span,
        ),
      );
    } else if (volume && !symbols.volumes.has(volume)) {
      const guess = didYouMean(volume, symbols.volumes.keys());
      out.push(
        problem(
          'unknown-volume',
          'error',
          `Unknown volume "${volume}": declare it under "volumes".${guess ? ` Did you mean "${guess}"?` : ''}`,
          span,
          guess ? { fixes: [{ title: `Change to "${guess}"`, range: span, newText: guess }] } : {},
        ),
      );
    }
  }
}

function checkVolumes(root: YAMLMap, out: Problem[]): void {
  const volumes = mapAt(root, 'volumes');
  if (!volumes) return;
  for (const p of pairs(volumes)) {
    const name = String(p.key.value);
    if (!isMap(p.value)) continue;
    const docker = entry(p.value, 'docker');
    const k8s = entry(p.value, 'kubernetes');
    if (!docker && !k8s) {
      out.push(
        problem(
          'volume-source-missing',
          'error',
          `Volume "${name}" has no source: add "docker:" (a host path or volume name) and/or "kubernetes:" ({claim: NAME}, {host_path: PATH} or {empty_dir: {}}).`,
          rangeOf(p.key),
        ),
      );
      continue;
    }
    if (!docker || !k8s) {
      out.push(
        problem(
          'volume-source-missing',
          'info',
          `Volume "${name}" has no ${docker ? 'kubernetes' : 'docker'} source: tasks that mount it run on ${docker ? 'Docker' : 'Kubernetes'} only.`,
          rangeOf(p.key),
        ),
      );
    }
    if (docker && isScalar(docker.value) && typeof docker.value.value === 'string') {
      const v = docker.value.value;
      if (!v.startsWith('/') && !/^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/.test(v)) {
        out.push(
          problem(
            'invalid-value',
            'error',
            `"${v}" is neither an absolute host path nor a Docker volume name (letters, digits, "_", "." and "-").`,
            rangeOf(docker.value),
          ),
        );
      }
    }
    if (k8s && isMap(k8s.value)) {
      const kinds = pairs(k8s.value).map((q) => String(q.key.value));
      if (kinds.length !== 1) {
        out.push(
          problem(
            'invalid-value',
            'error',
            `Volume "${name}" needs exactly one Kubernetes source: claim, host_path, empty_dir, secret or config_map.`,
            rangeOf(k8s.key),
          ),
        );
      } else if (kinds[0] === 'empty_dir') {
        out.push(
          problem(
            'not-portable',
            'info',
            `empty_dir is per pod: tasks that mount "${name}" on Kubernetes do not see each other's files.`,
            rangeOf(k8s.key),
          ),
        );
      }
    }
  }
}

function checkDates(root: YAMLMap, out: Problem[]): void {
  const start = entry(root, 'start_date');
  const end = entry(root, 'end_date');
  const read = (e: typeof start) =>
    e && isScalar(e.value) && typeof e.value.value === 'string' ? parseDate(e.value.value) : undefined;
  const s = read(start);
  const en = read(end);
  if (s?.succeeded && en?.succeeded && en.result.getTime() < s.result.getTime()) {
    out.push(
      problem('end-before-start', 'error', 'end_date is before start_date; no run would be due.', rangeOf(end!.value)),
    );
  }
  const schedule = entry(root, 'schedule');
  if (schedule && isScalar(schedule.value) && schedule.value.value && !start) {
    out.push(
      problem(
        'missing-start-date',
        'warning',
        'A scheduled DAG should have a start_date: backfills and catchup start there (Airflow requires one).',
        rangeOf(schedule.key),
      ),
    );
  }
}

function checkEnvSecretClash(root: YAMLMap, out: Problem[]): void {
  const tasks = mapAt(root, 'tasks');
  if (!tasks) return;
  for (const p of pairs(tasks)) {
    if (!isMap(p.value)) continue;
    const env = mapAt(p.value, 'env');
    const secrets = mapAt(p.value, 'secrets');
    if (!env || !secrets) continue;
    const names = new Set(pairs(env).map((q) => String(q.key.value)));
    for (const q of pairs(secrets)) {
      if (names.has(String(q.key.value))) {
        out.push(
          problem(
            'env-secret-clash',
            'error',
            `"${String(q.key.value)}" is both in env and in secrets; keep it in secrets only.`,
            rangeOf(q.key),
          ),
        );
      }
    }
  }
}
