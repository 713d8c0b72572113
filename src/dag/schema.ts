import { own } from '../util/dict';
import { groupsSpec, servicesSpec, STRUCTURE_TASK_FIELDS } from './structureSchema';
import { DATAFLOW_FIELDS } from './dataflowSchema';
import { BUILD_SPEC, IMAGES_SPEC } from './buildSchema';
import { modelSpec } from './podModel';

/**
 * The DAG format's schema: the one source of truth. The validator walks it, completion and hover read
 * its docs, and scripts/emitSchema.ts turns it into schemas/dag.schema.json for other YAML tools.
 */
export type Spec =
  | StringSpec
  | { readonly kind: 'integer'; readonly doc: string; readonly minimum?: number; readonly maximum?: number }
  | { readonly kind: 'number'; readonly doc: string; readonly minimum?: number }
  | { readonly kind: 'boolean'; readonly doc: string }
  | { readonly kind: 'stringOrList'; readonly doc: string; readonly templated?: boolean }
  /** A list of any values, or a string holding a template that gives one (`expand`). */
  | { readonly kind: 'listOrTemplate'; readonly doc: string }
  | { readonly kind: 'list'; readonly doc: string; readonly items: Spec }
  | ObjectSpec
  | MapSpec
  | {
      readonly kind: 'any';
      readonly doc: string;
      /** A Kubernetes object checked against client-node's model of this type (`V1Pod`). */
      readonly model?: string;
    };

export interface StringSpec {
  readonly kind: 'string';
  readonly doc: string;
  readonly enum?: readonly string[];
  /** Checked by a semantic rule of that name, which also gives the JSON Schema `format`. */
  readonly format?: 'duration' | 'date' | 'schedule' | 'image' | 'mount' | 'cpu' | 'memory';
  /** Numbers are accepted too and read as written (cpu: 0.5). */
  readonly numberOk?: boolean;
  readonly pattern?: string;
  readonly patternHelp?: string;
  readonly templated?: boolean;
  /** A duration of zero is refused (a timeout of `0s` would otherwise read as "no timeout"). */
  readonly nonZero?: boolean;
}

export interface ObjectSpec {
  readonly kind: 'object';
  readonly doc: string;
  readonly fields: Readonly<Record<string, Spec>>;
  readonly required?: readonly string[];
  /** Required keys may come from the DAG's `defaults` instead (tasks). */
  readonly defaultable?: boolean;
  /** A required key that another key makes unnecessary (a task's `image` when it has `build`). */
  readonly requiredUnless?: Readonly<Record<string, string>>;
}

export interface MapSpec {
  readonly kind: 'map';
  readonly doc: string;
  readonly keyPattern?: string;
  readonly keyHelp?: string;
  readonly values: Spec;
}

export const DAG_ID_PATTERN = '^[A-Za-z0-9_.-]+$';
export const TASK_ID_PATTERN = '^[A-Za-z0-9_-]+$';
export const ENV_NAME_PATTERN = '^[A-Za-z_][A-Za-z0-9_]*$';
const DNS_LABEL = '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$';
const DNS_SUBDOMAIN = '^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';

export const TRIGGER_RULES = [
  'all_success',
  'all_failed',
  'all_done',
  'one_success',
  'one_failed',
  'none_failed',
  'none_failed_min_one_success',
  'always',
] as const;
export type TriggerRule = (typeof TRIGGER_RULES)[number];

export const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'] as const;
export type PullPolicy = (typeof PULL_POLICIES)[number];

export const DELETE_POD_POLICIES = ['always', 'on_success', 'never'] as const;
export type DeletePods = (typeof DELETE_POD_POLICIES)[number];

export const SCHEDULE_PRESETS = ['@once', '@hourly', '@daily', '@weekly', '@monthly', '@yearly'] as const;

const stringMap = (doc: string, keyPattern?: string, keyHelp?: string): MapSpec => ({
  kind: 'map',
  doc,
  ...(keyPattern ? { keyPattern, keyHelp } : {}),
  values: { kind: 'string', doc: 'A value.' },
});

const tolerations: Spec = {
  kind: 'list',
  doc: 'Kubernetes tolerations, so pods may be scheduled onto tainted nodes.',
  items: {
    kind: 'object',
    doc: 'A toleration.',
    fields: {
      key: { kind: 'string', doc: 'The taint key this toleration matches; empty with `Exists` matches all.' },
      operator: { kind: 'string', doc: '`Equal` (default) or `Exists`.', enum: ['Equal', 'Exists'] },
      value: { kind: 'string', doc: 'The taint value to match with `Equal`.' },
      effect: {
        kind: 'string',
        doc: 'The taint effect to match; empty matches all.',
        enum: ['NoSchedule', 'PreferNoSchedule', 'NoExecute'],
      },
      toleration_seconds: {
        kind: 'integer',
        doc: 'How long a `NoExecute` toleration keeps the pod bound after the taint appears.',
        minimum: 0,
      },
    },
  },
};

const labelsDoc = 'Kubernetes labels added to every pod (keys and values follow Kubernetes label rules).';
const podOverrides = {
  service_account: {
    kind: 'string',
    doc: 'Service account the pods run as.',
    pattern: DNS_SUBDOMAIN,
    patternHelp: 'a DNS-1123 subdomain: lowercase letters, digits, `-` and `.`',
  },
  labels: stringMap(labelsDoc),
  annotations: stringMap('Kubernetes annotations added to every pod.'),
  node_selector: stringMap('Node labels a node must have for the pods to be scheduled on it.'),
  tolerations,
  env_from: {
    kind: 'list',
    doc: 'Environment variables from ConfigMaps or Secrets, every key of each (Kubernetes `envFrom`).',
    items: {
      kind: 'object',
      doc: 'One ConfigMap or Secret whose keys become environment variables.',
      fields: {
        config_map: {
          kind: 'string',
          doc: 'A ConfigMap in the namespace.',
          pattern: DNS_SUBDOMAIN,
          patternHelp: 'a DNS-1123 subdomain: lowercase letters, digits, `-` and `.`',
        },
        secret: {
          kind: 'string',
          doc: 'A Secret in the namespace (its values are masked like any secret).',
          pattern: DNS_SUBDOMAIN,
          patternHelp: 'a DNS-1123 subdomain: lowercase letters, digits, `-` and `.`',
        },
        prefix: { kind: 'string', doc: 'Put before every variable name.' },
      },
    },
  },
  pod: {
    kind: 'any',
    model: 'V1Pod',
    doc: 'A strategic-merge patch of the pod this tool builds (as Argo’s `podSpecPatch` and Airflow’s `pod_template_dict`): `spec.affinity`, `spec.priorityClassName`, `spec.initContainers`, the task container (named `task`) in `spec.containers`… Checked against the Kubernetes Pod model; host network, host paths and privileged containers need consent.',
  },
} as const satisfies Record<string, Spec>;

/** Fields of a task; `defaults` takes the same ones except `depends_on`. */
export const TASK_FIELDS = {
  image: {
    kind: 'string',
    doc: 'The container image to run, as `repository[:tag][@digest]`. Templates are allowed in the tag.',
    format: 'image',
    templated: true,
  },
  command: {
    kind: 'stringOrList',
    doc: "Replaces the image's entrypoint (Docker `Entrypoint`, Kubernetes `command`). A string is split like a POSIX shell would, without running one.",
    templated: true,
  },
  args: {
    kind: 'stringOrList',
    doc: "Replaces the image's default arguments (Docker `Cmd`, Kubernetes `args`). Templates such as `{{ ds }}` are rendered per run.",
    templated: true,
  },
  env: {
    kind: 'map',
    doc: 'Environment variables with plain values; values are templated. Use `secrets` for anything sensitive.',
    keyPattern: ENV_NAME_PATTERN,
    keyHelp: 'letters, digits and `_`, not starting with a digit',
    values: { kind: 'string', doc: 'The value (templated).', templated: true },
  },
  secrets: {
    kind: 'map',
    doc: 'Environment variable → secret name. Values come from VS Code SecretStorage, an environment variable of the same name in UPPER_SNAKE case, or a `.env` file beside the DAG; on Kubernetes from a Secret (`name` or `name/key`). Never shown in logs or on a command line.',
    keyPattern: ENV_NAME_PATTERN,
    keyHelp: 'letters, digits and `_`, not starting with a digit',
    values: {
      kind: 'string',
      doc: 'A secret name, optionally `name/key` for Kubernetes.',
      pattern: '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?(/[-._a-zA-Z0-9]+)?$',
      patternHelp:
        'a secret name of lowercase letters, digits, `-` and `.` (a Kubernetes Secret name), optionally `/key`',
    },
  },
  working_dir: {
    kind: 'string',
    doc: 'Working directory inside the container (Docker `WorkingDir`, Kubernetes `workingDir`).',
    templated: true,
  },
  user: {
    kind: 'string',
    doc: 'User to run as: a uid (Kubernetes `securityContext.runAsUser`) or, on Docker, also `name[:group]`.',
    numberOk: true,
  },
  mounts: {
    kind: 'list',
    doc: 'Volumes to mount, as `VOLUME:/path[:ro]`; the Docker-only shorthand `/host/path:/path` is allowed but not portable.',
    items: { kind: 'string', doc: '`VOLUME:/container/path[:ro|:rw]`', format: 'mount', templated: true },
  },
  depends_on: {
    kind: 'list',
    doc: 'Tasks that must finish before this one starts (see `trigger_rule`).',
    items: { kind: 'string', doc: 'A task id of this DAG.' },
  },
  trigger_rule: {
    kind: 'string',
    doc: "When this task runs, given its upstream tasks' states (Airflow's meanings). Default `all_success`.",
    enum: TRIGGER_RULES,
  },
  ...DATAFLOW_FIELDS,
  ...STRUCTURE_TASK_FIELDS,
  build: BUILD_SPEC,
  retries: { kind: 'integer', doc: 'How many times a failed attempt is retried.', minimum: 0, maximum: 100 },
  retry_delay: { kind: 'string', doc: 'Wait before a retry, e.g. `30s`, `5m`. Default `5m`.', format: 'duration' },
  retry_exponential_backoff: {
    kind: 'boolean',
    doc: 'Double the retry delay after each failed attempt (capped at 24h), as Airflow does.',
  },
  timeout: {
    kind: 'string',
    doc: 'Longest an attempt may run, e.g. `90s`, `10m`, `1h30m`, up to `3650d`; the container is killed and the attempt fails. On Kubernetes also the pod’s `activeDeadlineSeconds` backstop.',
    format: 'duration',
    nonZero: true,
  },
  resources: {
    kind: 'object',
    doc: 'CPU, memory and GPUs for the container (on Kubernetes: requests = limits).',
    fields: {
      cpu: { kind: 'string', doc: 'CPUs, e.g. `0.5`, `500m`, `2`.', format: 'cpu', numberOk: true },
      memory: { kind: 'string', doc: 'Memory, e.g. `256Mi`, `1Gi`.', format: 'memory', numberOk: true },
      gpu: { kind: 'integer', doc: 'Number of GPUs.', minimum: 0 },
    },
  },
  image_pull_policy: {
    kind: 'string',
    doc: 'When to pull the image: `Always`, `IfNotPresent` (default) or `Never`.',
    enum: PULL_POLICIES,
  },
  network: {
    kind: 'string',
    doc: 'Docker network for this task’s container (ignored on Kubernetes).',
  },
  kubernetes: {
    kind: 'object',
    doc: 'Per-task overrides of the `kubernetes` block.',
    fields: podOverrides,
  },
} as const satisfies Record<string, Spec>;

// Neither what a task depends on nor its group is a default: both say where the task is.
const { depends_on: _dependsOn, group: _group, ...DEFAULT_FIELDS } = TASK_FIELDS;

export const TASK_SPEC: ObjectSpec = {
  kind: 'object',
  doc: 'A task: one container run.',
  fields: TASK_FIELDS,
  required: ['image'],
  requiredUnless: { image: 'build' },
  defaultable: true,
};

export const DAG_SPEC: ObjectSpec = {
  kind: 'object',
  doc: 'A DAG of container tasks.',
  required: ['tasks'],
  fields: {
    dag: {
      kind: 'string',
      doc: 'The DAG id; defaults to the file name without `.dag.yaml`.',
      pattern: DAG_ID_PATTERN,
      patternHelp: 'letters, digits, `_`, `.` and `-`',
    },
    description: { kind: 'string', doc: 'Free text, shown in hovers and the graph.' },
    schedule: {
      kind: 'string',
      doc: 'When runs are due: a preset (`@once`, `@hourly`, `@daily`, `@weekly`, `@monthly`, `@yearly`), a 5-field cron expression, or absent for manual runs.',
      format: 'schedule',
    },
    start_date: {
      kind: 'string',
      doc: 'First logical date: a date (`2019-01-01`) or an ISO date-time (UTC unless an offset is given).',
      format: 'date',
    },
    end_date: { kind: 'string', doc: 'Last logical date, inclusive; same forms as `start_date`.', format: 'date' },
    catchup: {
      kind: 'boolean',
      doc: 'Whether a backfill runs every interval in [start, end] (default true, as in Airflow).',
    },
    params: {
      kind: 'map',
      doc: 'Values reachable as `{{ params.NAME }}`; a run may override them.',
      keyPattern: '^[A-Za-z_][A-Za-z0-9_]*$',
      keyHelp: 'letters, digits and `_`, not starting with a digit',
      values: { kind: 'any', doc: 'A parameter value.' },
    },
    max_active_tasks: {
      kind: 'integer',
      doc: 'How many tasks of one run execute at once (default: the `containerDags.maxActiveTasks` setting, 4).',
      minimum: 1,
      maximum: 1000,
    },
    volumes: {
      kind: 'map',
      doc: 'Named storage with a source per backend; tasks mount it as `NAME:/path`.',
      keyPattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$',
      keyHelp: 'letters, digits, `_`, `.` and `-`',
      values: {
        kind: 'object',
        doc: 'A volume: where its data lives on each backend.',
        fields: {
          docker: {
            kind: 'string',
            doc: 'An absolute host path (bind mount, created if missing) or a Docker volume name.',
          },
          kubernetes: {
            kind: 'object',
            doc: 'One of `claim` (a PersistentVolumeClaim), `host_path`, `empty_dir` (per-pod scratch), `secret` or `config_map`.',
            fields: {
              claim: {
                kind: 'string',
                doc: 'Name of a PersistentVolumeClaim in the namespace.',
                pattern: DNS_SUBDOMAIN,
                patternHelp: 'a DNS-1123 subdomain: lowercase letters, digits, `-` and `.`',
              },
              host_path: { kind: 'string', doc: 'A path on the node (needs consent when run).' },
              empty_dir: { kind: 'any', doc: 'Per-pod scratch space (`{}`); not shared between tasks.' },
              secret: {
                kind: 'string',
                doc: 'A Secret in the namespace, its keys as files (read-only).',
                pattern: DNS_SUBDOMAIN,
                patternHelp: 'a DNS-1123 subdomain: lowercase letters, digits, `-` and `.`',
              },
              config_map: {
                kind: 'string',
                doc: 'A ConfigMap in the namespace, its keys as files (read-only).',
                pattern: DNS_SUBDOMAIN,
                patternHelp: 'a DNS-1123 subdomain: lowercase letters, digits, `-` and `.`',
              },
            },
          },
        },
      },
    },
    defaults: {
      kind: 'object',
      doc: 'Task fields merged into every task; a task’s own value wins (maps merge, lists replace).',
      fields: DEFAULT_FIELDS,
    },
    docker: {
      kind: 'object',
      doc: 'Settings of the Docker backend.',
      fields: {
        network: { kind: 'string', doc: 'Docker network for every task’s container.' },
        host: {
          kind: 'string',
          doc: 'Docker Engine address (`unix:///var/run/docker.sock`, `tcp://host:2375`); else DOCKER_HOST or the default socket.',
        },
        pull: {
          kind: 'string',
          doc: 'Default image pull policy for Docker: `Always`, `IfNotPresent` or `Never`.',
          enum: PULL_POLICIES,
        },
      },
    },
    kubernetes: {
      kind: 'object',
      doc: 'Settings of the Kubernetes backend.',
      fields: {
        context: { kind: 'string', doc: 'kubeconfig context; omitted = the current context.' },
        namespace: {
          kind: 'string',
          doc: 'Namespace for the pods; omitted = the context’s namespace, else `default`.',
          pattern: DNS_LABEL,
          patternHelp: 'a DNS-1123 label: at most 63 lowercase letters, digits and `-`',
        },
        image_pull_secrets: {
          kind: 'list',
          doc: 'Names of Secrets used to pull images.',
          items: {
            kind: 'string',
            doc: 'A Secret name.',
            pattern: DNS_SUBDOMAIN,
            patternHelp: 'a DNS-1123 subdomain',
          },
        },
        startup_timeout: {
          kind: 'string',
          doc: 'How long a pod may stay Pending before the attempt fails (default `120s`).',
          format: 'duration',
          nonZero: true,
        },
        delete_pods: {
          kind: 'string',
          doc: 'When finished pods are deleted: `always`, `on_success` (default) or `never` — Airflow’s on_finish_action.',
          enum: DELETE_POD_POLICIES,
        },
        ...podOverrides,
      },
    },
    groups: groupsSpec(DEFAULT_FIELDS),
    services: servicesSpec(TASK_FIELDS),
    images: IMAGES_SPEC,
    tasks: {
      kind: 'map',
      doc: 'The tasks, by id.',
      keyPattern: TASK_ID_PATTERN,
      keyHelp: 'letters, digits, `_` and `-`',
      values: TASK_SPEC,
    },
  },
};

/** The spec at a key path (map keys and list items are skipped by `*`), for hover and completion. */
export function specAt(path: readonly string[]): Spec | undefined {
  let spec: Spec | undefined = DAG_SPEC;
  for (const segment of path) {
    spec = concrete(spec);
    if (!spec) return undefined;
    if (spec.kind === 'object') spec = own(spec.fields, segment);
    else if (spec.kind === 'map') spec = spec.values;
    else if (spec.kind === 'list') spec = spec.items;
    else return undefined;
  }
  return spec;
}

/** Inside a `pod` patch, a Kubernetes model stands for the object spec of its fields. */
export function concrete(spec: Spec | undefined): Spec | undefined {
  return spec?.kind === 'any' && spec.model ? modelSpec(spec.model) : spec;
}
