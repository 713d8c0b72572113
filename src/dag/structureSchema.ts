import type { MapSpec, ObjectSpec, Spec } from './schema';

/** Group names: ids joined by dots, an inner group after its outer one (`extract.eu`). */
export const GROUP_NAME_PATTERN = '^[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*$';
/** Service names are host names on both backends (a Docker network alias, a Kubernetes Service). */
export const SERVICE_NAME_PATTERN = '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$';
/** `5432` (reached by name) or `15432:5432` (also published on the Docker host, for a look from outside). */
export const SERVICE_PORT_PATTERN = '^([0-9]{1,5}:)?[0-9]{1,5}$';

/** A task's fields of format v2 structure: its group and the services it needs. */
export const STRUCTURE_TASK_FIELDS = {
  group: {
    kind: 'string',
    doc: 'The group this task belongs to, as Airflow’s TaskGroup: `depends_on` may name the group (every task of it), `cdag run --task GROUP` runs it, and the graph draws it as a box that folds into one node. Dots nest groups (`extract.eu` is inside `extract`); `groups.NAME` may give it a description and defaults.',
    pattern: GROUP_NAME_PATTERN,
    patternHelp: 'names of letters, digits, `_` and `-`, joined by `.` for a group inside another',
  },
  services: {
    kind: 'list',
    doc: 'Services this task needs (names under `services`): each is started, and ready, before the task starts, reachable by its name; it stops after the last task that needs it, and always when the run ends (GitHub Actions’ `services:`).',
    items: { kind: 'string', doc: 'A service name of this DAG.' },
  },
} as const satisfies Record<string, Spec>;

/** `groups:` — what a group says of itself: a description, and defaults for its tasks. */
export function groupsSpec(defaultFields: Readonly<Record<string, Spec>>): MapSpec {
  return {
    kind: 'map',
    doc: 'Descriptions and defaults of task groups, by name (`extract`, `extract.eu`). A group exists as soon as a task names it; an entry here is needed only for a description or defaults.',
    keyPattern: GROUP_NAME_PATTERN,
    keyHelp: 'names of letters, digits, `_` and `-`, joined by `.`',
    values: {
      kind: 'object',
      doc: 'A task group.',
      fields: {
        description: { kind: 'string', doc: 'Free text, shown in hovers and on the group’s box in the graph.' },
        defaults: {
          kind: 'object',
          doc: 'Task fields merged into the group’s tasks, between the DAG’s `defaults` and the task’s own (an inner group’s after its outer group’s).',
          fields: defaultFields,
        },
      },
    },
  };
}

/** `services:` — containers that run beside the tasks that need them, for the length of a run. */
export function servicesSpec(task: {
  readonly image: Spec;
  readonly command: Spec;
  readonly args: Spec;
  readonly env: Spec;
  readonly secrets: Spec;
  readonly resources: Spec;
  readonly image_pull_policy: Spec;
}): MapSpec {
  const ready: ObjectSpec = {
    kind: 'object',
    doc: 'When the service is ready: a `command` run inside it that exits 0 (Docker’s healthcheck, a Kubernetes exec readiness probe) or a `tcp` port that accepts connections; checked every `interval` until `timeout`.',
    fields: {
      command: {
        kind: 'stringOrList',
        doc: 'A command run in the service’s container; exit code 0 means ready (`pg_isready -U postgres`).',
      },
      tcp: {
        kind: 'integer',
        doc: 'A port of the service that accepts a connection once it is ready.',
        minimum: 1,
        maximum: 65535,
      },
      interval: { kind: 'string', doc: 'Time between checks (default `1s`).', format: 'duration', nonZero: true },
      timeout: {
        kind: 'string',
        doc: 'How long the service may take to become ready (default `60s`); after it, the tasks that need it fail with its last log lines.',
        format: 'duration',
        nonZero: true,
      },
    },
  };
  return {
    kind: 'map',
    doc: 'Containers that run for part of a run beside the tasks that list them under `services` — a database or an API for integration tests (GitHub Actions’ `services:`, Argo daemon steps). Each is reached by its name on both backends.',
    keyPattern: SERVICE_NAME_PATTERN,
    keyHelp: 'a DNS label: lowercase letters, digits and `-` (the name is a host name)',
    values: {
      kind: 'object',
      doc: 'A service: a container, its ports and when it is ready.',
      required: ['image'],
      fields: {
        image: task.image,
        image_pull_policy: task.image_pull_policy,
        command: task.command,
        args: task.args,
        env: task.env,
        secrets: task.secrets,
        resources: task.resources,
        ports: {
          kind: 'list',
          doc: 'Ports the service listens on, which tasks reach at its name (`5432`); `HOST:PORT` also publishes one on 127.0.0.1 of the Docker host (`15432:5432`), which no two services may share.',
          items: {
            kind: 'string',
            doc: '`PORT` or `HOST:PORT`.',
            numberOk: true,
            pattern: SERVICE_PORT_PATTERN,
            patternHelp: '`PORT` or `HOST_PORT:PORT`',
          },
        },
        ready,
      },
    },
  };
}
