import { createHash, randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { analyzeDag } from '../dag/analyze';
import { describeDagFileError, isDagFileError, readDagFile } from '../dag/dagFile';
import { isoTimestamp } from '../dag/dates';
import type { Dag } from '../dag/model';
import { BACKFILL_CONFIRM_ABOVE } from '../dag/schedule';
import type { RunRecord } from '../protocol/runRecord';
import { ok, type Errorable } from '../dag/errorable';
import type { BackendKind } from '../protocol/runRecord';
import type { Backend } from '../runner/backend';
import { describeRequests, first, hasTemplatedHostPath, sensitiveRequests, unconsented } from '../runner/consent';
import { connectDocker } from '../runner/docker/connect';
import { clusterSecretValues } from '../runner/kubernetes/clusterSecrets';
import { connectKubernetes, type ClusterChoice } from '../runner/kubernetes/connect';
import { KubernetesBackend, type KubernetesBackendOptions } from '../runner/kubernetes/kubernetesBackend';
import { DockerBackend } from '../runner/docker/dockerBackend';
import { RunEngine } from '../runner/engine';
import { makeRunId } from '../runner/renderTask';
import { RunStore } from '../runner/runStore';
import { describeUnmaskable, makeMasker, unmaskableSecrets } from '../runner/secretMasker';
import { abandonRuns, planTakeover } from '../runner/takeover';
import { fromDotEnv, fromEnvironment, resolveSecrets } from '../runner/secrets';
import { toHumanLines } from './formatProblems';
import { EXIT, type Io } from './io';
import { progressPrinter } from './runProgress';
import { pickDates, MAX_COUNTED_RUNS } from './runDates';
import { onStopSignals } from './runSignals';

export const RUN_USAGE = `cdag run FILE [--date D | --from D --to D [--yes]] [--task ID] [--backend docker|kubernetes] [--param k=v]...
         [--max-active N] [--max-runs N] [--runs-dir DIR] [--json] [--keep-failed] [--allow-host-path P]... [--allow-host-network] [--allow-privileged]
         [--context NAME] [--namespace NS] [--kubeconfig FILE]`;

/** Runs a DAG for one date or a range of dates; exit 0 all succeeded, 1 a task failed, 2 usage, validation or set-up. */
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
      yes: { type: 'boolean' },
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
      'allow-privileged': { type: 'boolean' },
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
  const params = new Map<string, unknown>();
  for (const p of values.param ?? []) {
    const eq = p.indexOf('=');
    if (eq <= 0) return usage(`--param ${p}: write NAME=VALUE.`);
    params.set(p.slice(0, eq), p.slice(eq + 1));
  }
  const paramValues = Object.fromEntries(params);

  const file = resolve(positionals[0]!);
  const read = readDagFile(file);
  if (isDagFileError(read)) {
    io.err(`${describeDagFileError({ ...read, path: positionals[0]! })}\n`);
    return EXIT.usage;
  }
  const a = analyzeDag(read.text, file, read.problems);
  if (a.hasErrors || !a.dag) {
    for (const l of toHumanLines(positionals[0]!, a).filter((x) => x.includes(': error: '))) io.err(`${l}\n`);
    io.err('The DAG has errors; nothing was run.\n');
    return EXIT.usage;
  }
  const dag = a.dag;
  const only = values.task ? new Set(values.task) : undefined;
  for (const t of only ?? []) if (!dag.tasks.some((x) => x.id === t)) return usage(`No task "${t}" in ${dag.id}.`);

  const dates = pickDates(dag, values.date, values.from, values.to);
  if (typeof dates === 'string') return usage(dates);
  if (dates.count > BACKFILL_CONFIRM_ABOVE && !values.yes) {
    const n = dates.count > MAX_COUNTED_RUNS ? `more than ${MAX_COUNTED_RUNS}` : String(dates.count);
    io.err(
      `${values.from}..${values.to} is ${n} runs of schedule "${dag.scheduleText ?? 'manual'}", more than ${BACKFILL_CONFIRM_ABOVE}. Nothing was run. Give a narrower range, or add --yes to start them all.\n`,
    );
    return EXIT.usage;
  }

  const store = new RunStore(values['runs-dir'] ? resolve(values['runs-dir']) : join(dirname(file), '.cdag', 'runs'));
  const unwritable = store.checkWritable();
  if (unwritable) {
    io.err(
      `Cannot write runs to ${unwritable.folder} (${unwritable.cause}${CAUSES[unwritable.cause] ? `: ${CAUSES[unwritable.cause]}` : ''}). Nothing was run. Free space or pick another folder with --runs-dir.\n`,
    );
    return EXIT.usage;
  }

  // M1: every host path of the whole DAG, rendered for these dates and resolved, before any container starts.
  const requests = sensitiveRequests(
    dag,
    backendKind,
    {
      intervals: hasTemplatedHostPath(dag) ? dates.intervals : first(dates.intervals),
      params: paramValues,
      env: process.env,
    },
    only,
  );
  const refused = unconsented(
    requests,
    values['allow-host-path'] ?? [],
    values['allow-host-network'] ?? false,
    values['allow-privileged'] ?? false,
  );
  if (refused.length) {
    const paths = [...new Set(refused.filter((r) => r.kind === 'host-path').map((r) => r.subject))];
    const flags = [
      ...paths.map((p) => `--allow-host-path ${p}`),
      ...(refused.some((r) => r.kind === 'host-network') ? ['--allow-host-network'] : []),
      ...(refused.some((r) => r.kind === 'privileged') ? ['--allow-privileged'] : []),
    ];
    io.err(
      `Refused: ${describeRequests(refused)} Nothing was run. If you trust this DAG, allow it for this run with ${flags.join(' ')}.\n`,
    );
    return EXIT.usage;
  }

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
      : await prepareKubernetes(
          dag,
          only,
          {
            allowedHostPaths: new Set(values['allow-host-path'] ?? []),
            allowHostNetwork: values['allow-host-network'] ?? false,
            allowPrivileged: values['allow-privileged'] ?? false,
          },
          {
            ...(values.kubeconfig ? { kubeconfig: values.kubeconfig } : {}),
            ...((values.context ?? dag.kubernetes.context)
              ? { context: values.context ?? dag.kubernetes.context }
              : {}),
            ...((values.namespace ?? dag.kubernetes.namespace)
              ? { namespace: values.namespace ?? dag.kubernetes.namespace }
              : {}),
          },
        );
  if (!prepared.succeeded) {
    io.err(`${prepared.error}\n`);
    return EXIT.failed;
  }
  const { backend, secretValues } = prepared.result;
  const unmaskable = unmaskableSecrets(secretValues);
  if (unmaskable.length) io.err(`Warning: ${describeUnmaskable(unmaskable)}\n`);
  const fileHash = createHash('sha256').update(read.text).digest('hex');
  // A run of this DAG and date that a dead cdag left behind goes on where it stopped; other
  // unfinished runs in this folder are marked interrupted and their containers removed (L3).
  const unfinished = store.unfinished();
  for (const [dir, why] of store.skipped) io.err(`Warning: skipped ${dir}: not a run record (${why}).\n`);
  const takeover = planTakeover(
    unfinished,
    (r) => r.dag === dag.id && r.file_hash === fileHash && r.backend === backendKind && dates.includes(r.logical_date),
  );
  // A run another process is taking over right now is left to it: its lock is held.
  const abandon = takeover.abandon.filter((r) => r.backend === backendKind && !store.lockHeld(r));
  const note = await abandonRuns(store, abandon, backend);
  if (note) io.err(`${note}\n`);
  const resumable = new Map(takeover.resume.map((r) => [r.logical_date, r]));
  const mask = makeMasker(Object.values(secretValues));
  const kind = dates.count > 1 ? 'backfill' : 'manual';
  const engines: RunEngine[] = [];
  let cancelled = false;
  const stopSignals = onStopSignals(
    signals,
    () => {
      cancelled = true;
      for (const e of engines) e.cancel();
    },
    (text) => io.err(text),
  );
  const progress = progressPrinter(io, dag, !values.json);
  const records: RunRecord[] = [];
  let refusedRuns = 0;
  try {
    // Runs go in date order, at most --max-runs at once; dates are made as they are needed.
    const next = dates.intervals[Symbol.iterator]();
    const worker = async () => {
      for (let it = next.next(); !it.done && !cancelled; it = next.next()) {
        const interval = it.value;
        const logical = isoTimestamp(interval.start);
        const resume = resumable.get(logical);
        const runId = resume?.run_id ?? makeRunId(kind, interval.start, randomBytes(3).toString('hex'));
        const lock = store.lock(dag.id, logical, runId, file);
        if (!lock.acquired) {
          refusedRuns++;
          io.err(
            'holder' in lock
              ? `${dag.id} ${logical.slice(0, 10)}: not started: run ${lock.holder.run_id} of this DAG and date is live (process ${lock.holder.pid} on ${lock.holder.host}). Wait for it, or cancel it.\n`
              : `${dag.id} ${logical.slice(0, 10)}: not started: cannot lock the run (${lock.error.code ?? lock.error.message}).\n`,
          );
          continue;
        }
        try {
          const engine = new RunEngine({
            dag,
            runId,
            interval,
            backend,
            sink: store.sink(runId),
            params: resume ? resume.params : paramValues,
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
          if (cancelled) engine.cancel();
          records.push(await engine.start());
        } finally {
          lock.release();
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(maxRuns, dates.count || 1) }, worker));
  } finally {
    stopSignals();
  }
  records.sort((x, y) => x.logical_date.localeCompare(y.logical_date));
  if (values.json) io.out(`${JSON.stringify(records.length === 1 ? records[0] : records, null, 2)}\n`);
  else
    for (const r of records)
      io.err(`${r.dag} ${r.logical_date.slice(0, 10)}: ${r.state} (${r.run_id}; ${store.runDir(r.run_id)})\n`);
  return refusedRuns === 0 && records.length > 0 && records.every((r) => r.state === 'success') ? EXIT.ok : EXIT.failed;
}

/** What each errno means for a runs folder, in a few words. */
const CAUSES: Readonly<Record<string, string>> = Object.assign(Object.create(null) as Record<string, string>, {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EROFS: 'the file system is read-only',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
});

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
  consent: KubernetesBackendOptions,
  choice: ClusterChoice,
): Promise<Errorable<Prepared>> {
  const cluster = await connectKubernetes(choice);
  if (!cluster.succeeded) return cluster;
  const backend = new KubernetesBackend(cluster.result, dag, consent);
  const secretValues = await clusterSecretValues(cluster.result, backend.namespace, dag, only);
  if (!secretValues.succeeded) return secretValues;
  return ok({ backend, secretValues: secretValues.result });
}
