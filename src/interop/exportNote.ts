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
