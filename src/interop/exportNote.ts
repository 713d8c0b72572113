/** Something an export could not say in the target's terms; shown to the user, never dropped silently. */
export interface ExportNote {
  readonly severity: 'warning' | 'info';
  /** The task it is about, when it is about one. */
  readonly task?: string;
  readonly message: string;
}

export function noteLine(n: ExportNote): string {
  return `${n.severity}: ${n.task ? `task ${n.task}: ` : ''}${n.message}`;
}

/**
 * Format-v2 fields an exporter does not carry yet, each said by name for its task: an export that
 * drops a value passed between tasks, a fan-out or a condition must not look complete.
 */
export function notCarried(
  t: {
    readonly id: string;
    readonly outputs: readonly string[];
    readonly expand?: ReadonlyMap<string, unknown>;
    readonly when?: string;
    readonly skipOnExitCode: readonly number[];
    readonly dependsOnPast: boolean;
    readonly group?: string;
    readonly services: readonly string[];
  },
  target: string,
  carried: ReadonlySet<
    'skip_on_exit_code' | 'depends_on_past' | 'outputs' | 'expand' | 'when' | 'group' | 'services'
  > = new Set(),
): ExportNote[] {
  const fields = [
    ...(t.outputs.length && !carried.has('outputs') ? ['outputs'] : []),
    ...(t.expand && !carried.has('expand') ? ['expand'] : []),
    ...(t.when !== undefined && !carried.has('when') ? ['when'] : []),
    ...(t.skipOnExitCode.length && !carried.has('skip_on_exit_code') ? ['skip_on_exit_code'] : []),
    ...(t.dependsOnPast && !carried.has('depends_on_past') ? ['depends_on_past'] : []),
    ...(t.group !== undefined && !carried.has('group') ? ['group'] : []),
    ...(t.services.length && !carried.has('services') ? ['services'] : []),
  ];
  return fields.length
    ? [
        {
          severity: 'warning',
          task: t.id,
          message: `${fields.join(', ')} ${fields.length > 1 ? 'are' : 'is'} not exported to ${target} yet; the exported task runs without ${fields.length > 1 ? 'them' : 'it'}.`,
        },
      ]
    : [];
}

/** A task whose image cdag builds: the target runs the reference, which must be published where it pulls. */
export function builtImageNote(
  t: { readonly id: string; readonly image: string; readonly build?: { readonly context: string } },
  target: string,
): ExportNote[] {
  return t.build
    ? [
        {
          severity: 'warning',
          task: t.id,
          message: `image ${t.image} is built by cdag from ${t.build.context}; ${target} runs it as written, so publish it where ${target} pulls from (cdag build, then docker push or load it into the cluster).`,
        },
      ]
    : [];
}

/**
 * Argo's emissary executor starts a container's process itself, so it must know the command: when
 * a container gives none, the controller asks the image's registry for it (or reads the images its
 * ConfigMap lists), and a Workflow fails when it can reach neither (seen on the project's cluster).
 */
export function argoCommandNote(id: string, command: readonly string[] | undefined, what = 'task'): ExportNote[] {
  return command?.length
    ? []
    : [
        {
          severity: 'info',
          ...(what === 'task' ? { task: id } : {}),
          message: `${what === 'task' ? '' : `${what} ${id}: `}no command: Argo's emissary executor looks up the image's entrypoint in its registry (or the controller's \`images\` config); give "command" when the cluster cannot reach that registry.`,
        },
      ];
}
