import type { DagGraph } from '../../src/dag/graph';
import { historyRows, historyRun } from '../../src/graph/historyGrid';
import type { HostToHistory } from '../../src/protocol/historyMessages';
import type { RunRecord, RunState, TaskRecord, TaskState } from '../../src/protocol/runRecord';
import { generatedGraph } from './graphPage';

const at = (day: number, s: number) => new Date(Date.UTC(2024, 0, 1 + day, 0, 0, s)).toISOString();

export function attemptTask(
  state: TaskState,
  day: number,
  from: number,
  to: number,
  extra: Partial<TaskRecord> = {},
): TaskRecord {
  return {
    state,
    tries: 1,
    ...(state === 'failed' ? { exit_code: 1, reason: 'exit code 1' } : {}),
    attempts: [
      {
        try: 1,
        state,
        started_at: at(day, from),
        ...(state === 'running' ? {} : { ended_at: at(day, to) }),
        ...(state === 'failed' ? { exit_code: 1, reason: 'exit code 1' } : state === 'success' ? { exit_code: 0 } : {}),
      },
    ],
    ...extra,
  };
}

export function fixtureRecord(
  day: number,
  state: RunState,
  tasks: Record<string, TaskRecord>,
  extra: Partial<RunRecord> = {},
): RunRecord {
  return {
    version: 1,
    run_id: `manual__2024-01-${String(day + 1).padStart(2, '0')}`,
    dag: 'pipeline',
    file: '/w/pipeline.dag.yaml',
    logical_date: `${at(day, 0).slice(0, 10)}T00:00:00+00:00`,
    data_interval_end: `${at(day + 1, 0).slice(0, 10)}T00:00:00+00:00`,
    backend: 'docker',
    params: {},
    state,
    started_at: at(day, 0),
    ...(state === 'running' ? {} : { ended_at: at(day, 120) }),
    tasks,
    ...extra,
  };
}

/** extract → fetch (mapped, 3) → load (group: load.clean, load.write) → report; and `__proto__`. */
export const PIPELINE: DagGraph = {
  dag: 'pipeline',
  nodes: [
    { id: 'extract', image: 'x', triggerRule: 'all_success', retries: 1 },
    { id: 'fetch', image: 'x', triggerRule: 'all_success', retries: 0, mapped: true },
    { id: 'clean', image: 'x', triggerRule: 'all_success', retries: 0, group: 'load' },
    { id: 'write', image: 'x', triggerRule: 'all_success', retries: 0, group: 'load' },
    { id: 'report', image: 'x', triggerRule: 'all_success', retries: 0 },
    { id: '__proto__', image: 'x', triggerRule: 'all_success', retries: 0 },
  ],
  edges: [
    { from: 'extract', to: 'fetch' },
    { from: 'fetch', to: 'clean' },
    { from: 'clean', to: 'write' },
    { from: 'write', to: 'report' },
  ],
  groups: [{ id: 'load' }],
};

/**
 * Five runs of the pipeline, one of each kind a grid must tell apart: a success with a retry, a
 * failure with an upstream failure, a cancelled run, an interrupted one, and one running now.
 */
export function pipelineRuns(): RunRecord[] {
  const instances = (day: number, states: TaskState[]) =>
    Object.fromEntries(
      states.map((s, i) => [
        `fetch[${i}]`,
        attemptTask(s, day, 10 + i, 20 + i * 5, { mapped_from: 'fetch', map_index: i, item: { n: i } }),
      ]),
    );
  const mapped = (day: number, state: TaskState, states: TaskState[]) => ({
    fetch: { state, tries: 0, attempts: [], instances: states.length },
    ...instances(day, states),
  });
  const retried: TaskRecord = {
    state: 'success',
    tries: 2,
    attempts: [
      { try: 1, state: 'failed', started_at: at(0, 0), ended_at: at(0, 3), exit_code: 1, reason: 'exit code 1' },
      { try: 2, state: 'success', started_at: at(0, 5), ended_at: at(0, 9), exit_code: 0 },
    ],
    outputs: { rows: 42 },
  };
  // JSON, as the run store reads records: `__proto__` is an own key there.
  const proto = (t: TaskRecord) => JSON.parse(`{"__proto__": ${JSON.stringify(t)}}`) as Record<string, TaskRecord>;
  return [
    fixtureRecord(
      0,
      'success',
      {
        extract: retried,
        ...mapped(0, 'success', ['success', 'success', 'success']),
        clean: attemptTask('success', 0, 40, 50),
        write: attemptTask('success', 0, 50, 70),
        report: attemptTask('success', 0, 71, 80),
        ...proto(attemptTask('success', 0, 0, 2)),
      },
      { groups: { load: { state: 'success', tasks: ['clean', 'write'] } } },
    ),
    fixtureRecord(1, 'failed', {
      extract: attemptTask('success', 1, 0, 4),
      ...mapped(1, 'failed', ['success', 'failed', 'success']),
      clean: { state: 'upstream_failed', tries: 0, attempts: [] },
      write: { state: 'upstream_failed', tries: 0, attempts: [] },
      report: { state: 'upstream_failed', tries: 0, attempts: [] },
      ...proto(attemptTask('failed', 1, 0, 1)),
    }),
    fixtureRecord(2, 'cancelled', {
      extract: attemptTask('cancelled', 2, 0, 4),
      fetch: { state: 'upstream_failed', tries: 0, attempts: [] },
      clean: { state: 'upstream_failed', tries: 0, attempts: [] },
    }),
    fixtureRecord(3, 'failed', { extract: attemptTask('success', 3, 0, 4) }, { interrupted: true }),
    fixtureRecord(4, 'running', {
      extract: attemptTask('success', 4, 0, 4),
      ...mapped(4, 'running', ['success', 'running', 'queued']),
      clean: { state: 'queued', tries: 0, attempts: [] },
    }),
  ];
}

export function historyMessage(graph: DagGraph, runs: readonly RunRecord[], limit = 25): HostToHistory {
  return {
    type: 'history',
    dag: graph.dag,
    rows: historyRows(graph, runs),
    edges: graph.edges.map((e) => ({ from: e.from, to: e.to })),
    runs: runs.map(historyRun),
    limit,
  };
}

/** The Grid at its largest: `runs` runs of a generated DAG of `tasks` tasks, every cell filled. */
export function largeHistory(runs: number, tasks: number): HostToHistory {
  const graph = generatedGraph(tasks);
  const states: TaskState[] = ['success', 'success', 'success', 'failed', 'upstream_failed', 'skipped', 'success'];
  const records = Array.from({ length: runs }, (_, d) =>
    fixtureRecord(
      d,
      d % 9 === 4 ? 'failed' : 'success',
      Object.fromEntries(
        graph.nodes.map((n, i) => [
          n.id,
          attemptTask(states[(i + d) % states.length]!, d, i % 60, (i % 60) + 5 + (d % 7)),
        ]),
      ),
      { run_id: `scheduled__${d}` },
    ),
  );
  return historyMessage(graph, records, 100);
}
