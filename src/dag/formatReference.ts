import type { ProblemCode } from './problem';
import { DAG_SPEC, TASK_SPEC, type Spec } from './schema';
import { TEMPLATE_FILTERS, TEMPLATE_NAMES, TEMPLATE_NAMESPACES } from './templateNames';

/** One line per problem code, in the reference. Kept here so a new code cannot go undocumented. */
export const PROBLEM_CODES: Record<ProblemCode, string> = {
  'yaml-syntax': 'The text is not valid YAML.',
  'yaml-version': 'A `%YAML` directive other than 1.2.',
  'yaml-tag': 'A custom tag such as `!!python/object`.',
  'yaml-alias-limit': 'Aliases expand beyond the limits (an alias bomb).',
  'duplicate-key': 'A key appears twice in one mapping (a duplicate task id, for one).',
  'file-too-large': 'The file is over 1 MiB (1,048,576 bytes).',
  'invalid-encoding': 'A byte sequence that is not UTF-8 (the first one is marked).',
  'nul-character': 'A NUL character in a value; no command, argument or variable can carry one.',
  'nesting-too-deep': 'Nesting is over 64 levels.',
  'not-a-map': 'The file is not a mapping.',
  'multiple-documents': 'More than one YAML document in the file.',
  'unknown-key': 'A key the format does not have (with did-you-mean).',
  'missing-key': 'A required key is missing (`tasks`, a task’s `image`).',
  'wrong-type': 'A value of the wrong type (a list where a mapping is meant, `yes` for a boolean).',
  'coerced-scalar':
    'YAML reads a number or null where text or a name is meant and the text would change (`1.10`, a key `0x10` or `~`).',
  'invalid-value': 'A value outside the allowed set or range.',
  'invalid-pattern': 'A name that breaks its rule (Kubernetes names, DAG id).',
  'unknown-task': 'A dependency on a task that does not exist (with did-you-mean).',
  'self-dependency': 'A task depends on itself.',
  'duplicate-dependency': 'The same task twice in one `depends_on`.',
  cycle: 'Dependencies form a cycle; the message lists all of it.',
  'unknown-volume': 'A mount names a volume not under `volumes`.',
  'volume-source-missing': 'A volume has no source, or none for one backend.',
  'not-portable': 'Works on one backend only (host-path mounts, `empty_dir`).',
  'ignored-on-backend': 'A setting one backend ignores (a task’s `network` on Kubernetes).',
  'invalid-mount': 'A mount that is not `VOLUME:/path[:ro|rw]`.',
  'invalid-duration': 'A duration that is not like `90s`, `10m`, `1h30m`.',
  'invalid-quantity': 'A CPU or memory quantity Kubernetes and Docker would not accept.',
  'invalid-schedule': 'An unknown preset or a wrong cron field (the field is underlined).',
  'invalid-date': 'A date that is not YYYY-MM-DD or ISO date-time, or not a real date.',
  'end-before-start': '`end_date` is before `start_date`.',
  'missing-start-date': 'A scheduled DAG without `start_date`.',
  'invalid-name': 'A key that breaks its naming rule (env var, task id, label length).',
  'invalid-image': 'An image reference Docker would refuse.',
  'env-secret-clash': 'The same variable in `env` and `secrets`.',
  'template-syntax': 'Bad `{{ }}` syntax or unbalanced braces.',
  'template-unknown-name': 'An unknown template name or parameter (with did-you-mean).',
  'template-unknown-filter': 'An unknown filter (with did-you-mean).',
  'template-filter-args': 'A filter given the wrong arguments.',
  'template-filter-type':
    'A filter given a value of a type it cannot take, where that is known before the run (`{{ ds | sum }}`).',
  'unknown-output':
    'A `tasks.ID.outputs.NAME` naming a task that does not exist or an output it does not declare (with did-you-mean).',
  'output-not-upstream':
    'A `tasks.ID.outputs.NAME` of a task that is not upstream of this one: its value does not exist yet when this task runs.',
  'unknown-item': '`item.VAR` outside a task with `expand`, or naming a variable its `expand` does not have.',
  'expand-too-large': 'An `expand` list literal of more than 1,024 items.',
  'expand-not-list': 'An `expand` template that can only give a value other than a list.',
  'when-never-true': 'A `when` that is false whatever happens: the task would always be skipped.',
  'group-task-clash': 'A group with the name of a task: `depends_on` naming it could mean either.',
  'empty-group': 'A group under `groups` that no task is in.',
  'group-self-dependency': 'A task that depends on its own group (or a group around it): it would wait for itself.',
  'unknown-service': 'A task needing a service that `services` does not declare (with did-you-mean).',
  'service-not-ready':
    'A service without `ready` (tasks may start before it listens), or with both or neither of `command` and `tcp`.',
  'port-clash': 'Two services publishing the same port on the Docker host, or a service listing a port twice.',
  'build-pull-always':
    'A task that builds its image with `image_pull_policy: Always`, which would pull over the build.',
  'build-templated-image':
    'A task with `build` whose `image` has a template: a built image’s tag comes from its content.',
  'unused-image': 'An entry under `images` that no task or service runs: it is never built.',
  'build-context-missing':
    'A build `context` that is not a folder on disk (relative to the DAG file); checked in the editor.',
  'build-dockerfile-missing':
    'No Dockerfile where a build says (`dockerfile`, relative to the context); checked in the editor.',
  'template-deprecated': 'An Airflow-deprecated name (`next_ds`, `execution_date`); a hint with the replacement.',
  'template-not-rendered': '`{{` in a field that is not templated.',
};

function typeOf(spec: Spec): string {
  switch (spec.kind) {
    case 'string':
      return spec.enum ? spec.enum.map((e) => `\`${e}\``).join(', ') : spec.format ? `text (${spec.format})` : 'text';
    case 'stringOrList':
      return 'text or list of text';
    case 'listOrTemplate':
      return 'list, or a template giving one';
    case 'list':
      return `list of ${typeOf(spec.items)}`;
    case 'map':
      return `mapping of name → ${typeOf(spec.values)}`;
    case 'object':
      return 'mapping';
    default:
      return spec.kind;
  }
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function table(fields: Readonly<Record<string, Spec>>, required: readonly string[] = []): string[] {
  const rows = ['| key | type | meaning |', '|---|---|---|'];
  for (const [k, f] of Object.entries(fields)) {
    rows.push(`| \`${k}\`${required.includes(k) ? ' (required)' : ''} | ${cell(typeOf(f))} | ${cell(f.doc)} |`);
  }
  return rows;
}

/** The generated part of docs/dag-format.md. */
export function formatReferenceTables(): string {
  const out: string[] = ['## Top level', '', ...table(DAG_SPEC.fields, DAG_SPEC.required), '', '## Task', ''];
  out.push(...table(TASK_SPEC.fields, TASK_SPEC.required), '');
  const nested: Array<[string, Spec | undefined]> = [
    ['`volumes.NAME`', (DAG_SPEC.fields.volumes as { values: Spec }).values],
    ['`docker`', DAG_SPEC.fields.docker],
    ['`kubernetes`', DAG_SPEC.fields.kubernetes],
    ['`resources`', TASK_SPEC.fields.resources],
  ];
  for (const [name, spec] of nested) {
    if (spec?.kind !== 'object') continue;
    out.push(`## ${name}`, '', ...table(spec.fields), '');
  }
  out.push('## Template names', '', '| name | meaning |', '|---|---|');
  for (const [n, t] of Object.entries(TEMPLATE_NAMES)) {
    out.push(`| \`${n}\` | ${cell(t.doc)}${t.deprecated ? ` _Deprecated:_ ${cell(t.deprecated)}` : ''} |`);
  }
  for (const [n, doc] of Object.entries(TEMPLATE_NAMESPACES)) out.push(`| \`${n}.NAME\` | ${cell(doc)} |`);
  out.push('', '## Template filters', '', '| filter | meaning |', '|---|---|');
  for (const [n, f] of Object.entries(TEMPLATE_FILTERS)) out.push(`| \`${n}\` | ${cell(f.doc)} |`);
  out.push('', '## Diagnostics', '', 'Each has a range in the file; `cdag validate --json` prints the code.', '');
  out.push('| code | meaning |', '|---|---|');
  for (const [c, doc] of Object.entries(PROBLEM_CODES)) out.push(`| \`${c}\` | ${cell(doc)} |`);
  return out.join('\n') + '\n';
}
