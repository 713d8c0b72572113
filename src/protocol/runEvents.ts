import type { RunState, ServiceState, TaskState } from './runRecord';

/** What a run reports as it goes: the CLI's progress, the editor's tree and log channel read these. */
export type RunEvent =
  | { type: 'run-state'; runId: string; state: RunState }
  | { type: 'task-state'; runId: string; taskId: string; state: TaskState; tryNumber: number; reason?: string }
  | { type: 'log'; runId: string; taskId: string; tryNumber: number; stream: 'stdout' | 'stderr'; line: string }
  | { type: 'note'; runId: string; taskId?: string; message: string }
  | { type: 'service-state'; runId: string; service: string; state: ServiceState; reason?: string };
