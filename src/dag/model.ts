import type { BuildSpec } from './buildImages';
import type { Schedule } from './schedule';
import type { DeletePods, PullPolicy, TriggerRule } from './schema';

/** A mount: a named volume, or (Docker only) a host path. */
export interface Mount {
  readonly volume?: string;
  readonly hostPath?: string;
  readonly target: string;
  readonly readOnly: boolean;
}

export interface Toleration {
  readonly key?: string;
  readonly operator?: 'Equal' | 'Exists';
  readonly value?: string;
  readonly effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  readonly tolerationSeconds?: number;
}

/** Environment from every key of a ConfigMap or a Secret (Kubernetes `envFrom`). */
export interface EnvFrom {
  readonly configMap?: string;
  readonly secret?: string;
  readonly prefix?: string;
}

export interface PodOverrides {
  readonly serviceAccount?: string;
  readonly envFrom: readonly EnvFrom[];
  /** A strategic-merge patch of the pod, as written (checked against the Pod model when validated). */
  readonly pod?: Readonly<Record<string, unknown>>;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly nodeSelector: Readonly<Record<string, string>>;
  readonly tolerations: readonly Toleration[];
}

export interface Resources {
  readonly cpu?: number;
  readonly memoryBytes?: number;
  readonly gpu?: number;
}

/** A task with `defaults` merged in and values typed; templates are still unrendered. */
export interface Task {
  readonly id: string;
  readonly image: string;
  readonly command?: readonly string[];
  readonly args?: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** Env var → secret name (`name` or `name/key`). */
  readonly secrets: Readonly<Record<string, string>>;
  readonly workingDir?: string;
  readonly user?: string;
  readonly mounts: readonly Mount[];
  readonly dependsOn: readonly string[];
  readonly triggerRule: TriggerRule;
  readonly retries: number;
  readonly retryDelayMs: number;
  readonly retryExponentialBackoff: boolean;
  readonly timeoutMs?: number;
  readonly resources: Resources;
  readonly imagePullPolicy: PullPolicy;
  readonly network?: string;
  readonly kubernetes: PodOverrides;
  /** Output names the task writes to `$CDAG_OUTPUT` as one JSON object. */
  readonly outputs: readonly string[];
  /** Fan-out: variable → its items (a list, or a template giving one at run time); in key order. */
  readonly expand?: ReadonlyMap<string, ExpandSource>;
  readonly expandMaxActive?: number;
  /** Exit codes that end the task `skipped`. */
  readonly skipOnExitCode: readonly number[];
  /** A template; the task runs only when it renders true. */
  readonly when?: string;
  readonly dependsOnPast: boolean;
  /** The group it is in (`extract.eu`); `dependsOn` already holds a named group's tasks. */
  readonly group?: string;
  /** The groups `depends_on` names (their tasks are in `dependsOn`): what an export writes as `group >> task`. */
  readonly dependsOnGroups?: readonly string[];
  /** Services it needs, by name. */
  readonly services: readonly string[];
  /** How its image is built before it runs (its own `build:`, or the DAG's `images` entry for its image). */
  readonly build?: BuildSpec;
}

/** A task group, as Airflow's TaskGroup: named by tasks, described (optionally) under `groups`. */
export interface Group {
  readonly name: string;
  readonly description?: string;
  /** The group it is inside (`extract` for `extract.eu`). */
  readonly parent?: string;
}

/** A container beside the tasks that need it, for part of a run. */
export interface Service {
  readonly name: string;
  readonly image: string;
  readonly imagePullPolicy: PullPolicy;
  readonly command?: readonly string[];
  readonly args?: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly secrets: Readonly<Record<string, string>>;
  readonly resources: Resources;
  readonly ports: ReadonlyArray<{ readonly port: number; readonly hostPort?: number }>;
  readonly ready?: {
    readonly command?: readonly string[];
    readonly tcp?: number;
    readonly intervalMs: number;
    readonly timeoutMs: number;
  };
}

export const DEFAULT_READY_INTERVAL_MS = 1_000;
export const DEFAULT_READY_TIMEOUT_MS = 60_000;

/** Where an `expand` variable's items come from. */
export type ExpandSource =
  | { readonly kind: 'items'; readonly items: readonly unknown[] }
  | { readonly kind: 'template'; readonly template: string };

export interface Volume {
  readonly name: string;
  readonly docker?: string;
  readonly kubernetes?: {
    readonly claim?: string;
    readonly hostPath?: string;
    readonly emptyDir?: boolean;
    readonly secret?: string;
    readonly configMap?: string;
  };
}

export interface DockerSettings {
  readonly network?: string;
  readonly host?: string;
  readonly pull?: PullPolicy;
}

export interface KubernetesSettings extends PodOverrides {
  readonly context?: string;
  readonly namespace?: string;
  readonly imagePullSecrets: readonly string[];
  readonly startupTimeoutMs: number;
  readonly deletePods: DeletePods;
}

export interface Dag {
  readonly id: string;
  readonly description?: string;
  readonly schedule: Schedule;
  readonly scheduleText?: string;
  readonly startDate?: Date;
  readonly endDate?: Date;
  readonly catchup: boolean;
  readonly params: Readonly<Record<string, unknown>>;
  readonly maxActiveTasks?: number;
  readonly volumes: Readonly<Record<string, Volume>>;
  readonly docker: DockerSettings;
  readonly kubernetes: KubernetesSettings;
  /** In file order. */
  readonly tasks: readonly Task[];
  /** Every group tasks name (and the groups around them), by name. */
  readonly groups: ReadonlyMap<string, Group>;
  readonly services: ReadonlyMap<string, Service>;
  /** Images the DAG builds, by reference (`images:`). */
  readonly images: ReadonlyMap<string, BuildSpec>;
}

export const DEFAULT_RETRY_DELAY_MS = 300_000;
export const DEFAULT_STARTUP_TIMEOUT_MS = 120_000;
