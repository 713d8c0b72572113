import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { analyzeDag } from '../dag/analyze';
import { isoTimestamp, parseDate } from '../dag/dates';
import type { Dag } from '../dag/model';
import { intervalsBetween, latestCompleteInterval, type DataInterval } from '../dag/schedule';
import type { RunEvent } from '../protocol/runEvents';
import type { RunRecord } from '../protocol/runRecord';
import { ok, type Errorable } from '../dag/errorable';
import type { BackendKind } from '../protocol/runRecord';
import type { Backend } from '../runner/backend';
import { connectDocker } from '../runner/docker/connect';
import { clusterSecretValues } from '../runner/kubernetes/clusterSecrets';
import { connectKubernetes, type ClusterChoice } from '../runner/kubernetes/connect';
import { KubernetesBackend } from '../runner/kubernetes/kubernetesBackend';
import { DockerBackend } from '../runner/docker/dockerBackend';
import { RunEngine } from '../runner/engine';
import { intervalForDate, makeRunId } from '../runner/renderTask';
import { RunStore } from '../runner/runStore';
import { makeMasker } from '../runner/secretMasker';
import { abandonRuns, planTakeover } from '../runner/takeover';
import { fromDotEnv, fromEnvironment, resolveSecrets } from '../runner/secrets';
import { toHumanLines } from './formatProblems';
import { EXIT, type Io } from './io';

export const RUN_USAGE = `cdag run FILE [--date D | --from D --to D] [--task ID] [--backend docker|kubernetes] [--param k=v]...
         [--max-active N] [--max-runs N] [--runs-dir DIR] [--json] [--keep-failed] [--allow-host-path P]... [--allow-host-network]
         [--context NAME] [--namespace NS] [--kubeconfig FILE]`;

/** Runs a DAG for one date or a range of dates; exit 0 all succeeded, 1 a task failed, 2 usage or validation. */
export async function runCommand(
  args: readonly string[],
  io: Io,
  signals: NodeJS.EventEmitter = process,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: {
      date: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      task: { type: 'string', multiple: true },
      backend: { type: 'string', default: 'docker' },
      param: { type: 'string', multiple: true },
      'max-active': { type: 'string' },
      'max-runs': { type: 'string', default: '1' },
      'runs-dir': { type: 'string' },
      json: { type: 'boolean' },
      'keep-failed': { type: 'boolean' },
      'allow-host-path': { type: 'string', multiple: true },
      'allow-host-network': { type: 'boolean' },
      context: { type: 'string' },
      namespace: { type: 'string' },
      kubeconfig: { type: 'string' },
    },
    allowPositionals: true,
  });
  const usage = (msg: string) => {
    io.err(`${msg}\nUsage: ${RUN_USAGE}\n`);
    return EXIT.usage;
  };
  if (positionals.length !== 1) return usage('run takes one FILE.');
  if (values.backend !== 'docker' && values.backend !== 'kubernetes')
    return usage('--backend is docker or kubernetes.');
  const backendKind: BackendKind = values.backend;
  if (values.date && (values.from || values.to)) return usage('Give --date or --from/--to, not both.');
  if (!!values.from !== !!values.to) return usage('--from and --to go together.');
  const maxActive = values['max-active'] !== undefined ? Number(values['max-active']) : undefined;
  const maxRuns = Number(values['max-runs']);
  if ((maxActive !== undefined && !(maxActive >= 1)) || !(maxRuns >= 1))
    return usage('--max-active and --max-runs take a number >= 1.');
  const params: Record<string, unknown> = {};
  for (const p of values.param ?? []) {
    const eq = p.indexOf('=');
    if (eq <= 0) return usage(`--param ${p}: write NAME=VALUE.`);
    params[p.slice(0, eq)] = p.slice(eq + 1);
  }

  const file = resolve(positionals[0]!);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    io.err(`${positionals[0]}: cannot read (${(e as NodeJS.ErrnoException).code}).\n`);
    return EXIT.usage;
  }
  const a = analyzeDag(text, file);
  if (a.hasErrors || !a.dag) {
    for (const l of toHumanLines(positionals[0]!, a).filter((x) => x.includes(': error: '))) io.err(`${l}\n`);
    io.err('The DAG has errors; nothing was run.\n');
    return EXIT.usage;
  }
  const dag = a.dag;
  const only = values.task ? new Set(values.task) : undefined;
  for (const t of only ?? []) if (!dag.tasks.some((x) => x.id === t)) return usage(`No task "${t}" in ${dag.id}.`);

  const intervals = pickIntervals(dag, values.date, values.from, values.to);
  if (typeof intervals === 'string') return usage(intervals);

  const prepared =
    backendKind === 'docker'
      ? await prepareDocker(
          dag,
          file,
          only,
          values['allow-host-path'] ?? [],
          values['allow-host-network'] ?? false,
          !values.json ? io : undefined,
        )
      : await prepareKubernetes(dag, only, values['allow-host-path'] ?? [], {
          ...(values.kubeconfig ? { kubeconfig: values.kubeconfig } : {}),
          ...((values.context ?? dag.kubernetes.context) ? { context: values.context ?? dag.kubernetes.context } : {}),
          ...((values.namespace ?? dag.kubernetes.namespace)
            ? { namespace: values.namespace ?? dag.kubernetes.namespace }
            : {}),
        });
  if (!prepared.succeeded) {
    io.err(`${prepared.error}\n`);
    return EXIT.failed;
  }
  const { backend, secretValues } = prepared.result;
  const store = new RunStore(values['runs-dir'] ? resolve(values['runs-dir']) : join(dirname(file), '.cdag', 'runs'));
  const fileHash = createHash('sha256').update(text).digest('hex');
  // A run of this DAG and date that a dead cdag left behind goes on where it stopped; other
  // unfinished runs in this folder are marked interrupted and their containers removed (L3).
  const dates = new Set(intervals.map((i) => isoTimestamp(i.start)));
  const takeover = planTakeover(
    store.unfinished(),
    (r) => r.dag === dag.id && r.file_hash === fileHash && r.backend === backendKind && dates.has(r.logical_date),
  );
  const note = await abandonRuns(
    store,
    takeover.abandon.filter((r) => r.backend === backendKind),
    backend,
  );
  if (note) io.err(`${note}\n`);
  const resumable = new Map(takeover.resume.map((r) => [r.logical_date, r]));
  const mask = makeMasker(Object.values(secretValues));
  const kind = intervals.length > 1 ? 'backfill' : 'manual';
  const engines: RunEngine[] = [];
  let cancelled = false;
  const onSigint = () => {
    if (cancelled) process.exit(130);
    cancelled = true;
    io.err('Cancelling: stopping running containers (Ctrl-C again to quit at once)…\n');
    for (const e of engines) e.cancel();
  };
  signals.on('SIGINT', onSigint);
  signals.on('SIGTERM', onSigint);
  const progress = progressPrinter(io, dag, !values.json);
  const records: RunRecord[] = [];
  try {
    // Runs go in date order, at most --max-runs at once.
    let next = 0;
    const worker = async () => {
      while (next < intervals.length && !cancelled) {
        const interval = intervals[next++]!;
        const resume = resumable.get(isoTimestamp(interval.start));
        const runId = resume?.run_id ?? makeRunId(kind, interval.start, randomBytes(3).toString('hex'));
        const engine = new RunEngine({
          dag,
          runId,
          interval,
          backend,
          sink: store.sink(runId),
          params: resume ? resume.params : params,
          env: process.env,
          secretValues,
          mask,
          ...(maxActive ? { maxActiveTasks: maxActive } : {}),
          ...(only && !resume ? { only } : {}),
          ...(resume ? { resume } : {}),
          file,
          fileHash,
          keepFailed: values['keep-failed'] ?? false,
        });
        if (resume) {
          const live = engine.liveAttempts;
          await backend.collect(new Set([runId]), live);
          io.err(`Resuming run ${runId}, interrupted earlier: reattaching ${live.size} running task(s).\n`);
        }
        engines.push(engine);
        engine.on(progress);
        records.push(await engine.start());
      }
    };
    await Promise.all(Array.from({ length: Math.min(maxRuns, intervals.length) }, worker));
  } finally {
    signals.off('SIGINT', onSigint);
    signals.off('SIGTERM', onSigint);
  }
  records.sort((x, y) => x.logical_date.localeCompare(y.logical_date));
  if (values.json) io.out(`${JSON.stringify(records.length === 1 ? records[0] : records, null, 2)}\n`);
  else
    for (const r of records)
      io.err(`${r.dag} ${r.logical_date.slice(0, 10)}: ${r.state} (${r.run_id}; ${store.runDir(r.run_id)})\n`);
  return records.length === intervals.length && records.every((r) => r.state === 'success') ? EXIT.ok : EXIT.failed;
}

interface Prepared {
  readonly backend: Backend;
  readonly secretValues: Record<string, string>;
}

async function prepareDocker(
  dag: Dag,
  file: string,
  only: ReadonlySet<string> | undefined,
  allowHostPaths: readonly string[],
  allowHostNetwork: boolean,
  progress: Io | undefined,
): Promise<Errorable<Prepared>> {
  const secretValues = await resolveSecrets(dag, [fromEnvironment(process.env), fromDotEnv(dirname(file))], only);
  if (!secretValues.succeeded) return secretValues;
  const docker = await connectDocker(dag.docker.host);
  if (!docker.succeeded) return docker;
  const backend = new DockerBackend(docker.result, dag, {
    allowedHostPaths: new Set(allowHostPaths),
    allowHostNetwork,
    onPull: (image, text) => progress?.err(`  pulling ${image}: ${text}\n`),
  });
  return ok({ backend, secretValues: secretValues.result });
}

async function prepareKubernetes(
  dag: Dag,
  only: ReadonlySet<string> | undefined,
  allowHostPaths: readonly string[],
  choice: ClusterChoice,
): Promise<Errorable<Prepared>> {
  const cluster = await connectKubernetes(choice);
  if (!cluster.succeeded) return cluster;
  const backend = new KubernetesBackend(cluster.result, dag, { allowedHostPaths: new Set(allowHostPaths) });
  const secretValues = await clusterSecretValues(cluster.result, backend.namespace, dag, only);
  if (!secretValues.succeeded) return secretValues;
  return ok({ backend, secretValues: secretValues.result });
}

function pickIntervals(dag: Dag, date?: string, from?: string, to?: string): DataInterval[] | string {
  if (date) {
    const d = parseDate(date);
    return d.succeeded ? [intervalForDate(dag, d.result)] : `--date: ${d.error}`;
  }
  if (from && to) {
    const f = parseDate(from);
    const t = parseDate(to);
    if (!f.succeeded) return `--from: ${f.error}`;
    if (!t.succeeded) return `--to: ${t.error}`;
    if (t.result < f.result) return '--to is before --from.';
    const all = intervalsBetween(dag.schedule, f.result, t.result);
    return all.length ? all : `No logical date of schedule "${dag.scheduleText ?? 'manual'}" falls in ${from}..${to}.`;
  }
  return [latestCompleteInterval(dag.schedule, new Date())];
}

/** One line per task state change; on a terminal, with symbols. Logs stay in the log files. */
function progressPrinter(io: Io, dag: Dag, enabled: boolean): (e: RunEvent) => void {
  const tty = !!process.stderr.isTTY;
  const icon: Record<string, string> = tty
    ? { running: '▶', success: '✔', failed: '✘', up_for_retry: '↻', upstream_failed: '⊘', skipped: '↷', cancelled: '■' }
    : {};
  return (e) => {
    if (enabled && e.type === 'note') {
      io.err(`${new Date().toISOString().slice(11, 19)}   ${e.taskId ? `${dag.id}.${e.taskId}: ` : ''}${e.message}\n`);
      return;
    }
    if (!enabled || e.type !== 'task-state' || e.state === 'queued') return;
    const when = new Date().toISOString().slice(11, 19);
    io.err(
      `${when} ${icon[e.state] ? `${icon[e.state]} ` : ''}${dag.id}.${e.taskId} try ${e.tryNumber}: ${e.state}${e.reason ? ` (${e.reason})` : ''}\n`,
    );
  };
}
