import { countsLabel, runCounts } from '../../runner/runCounts';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { analyzeDag } from '../../dag/analyze';
import { describeDagFileError, isDagFileError, readDagFile } from '../../dag/dagFile';
import { BACKFILL_CONFIRM_ABOVE } from '../../dag/schedule';
import type { BackendKind, RunRecord } from '../../protocol/runRecord';
import { Consent } from '../../runner/hostAccess';
import {
  isSelectable,
  keepOutside,
  latestEndedRun,
  unknownInstance,
  widenSelection,
} from '../../runner/rerunSelection';
import { isLive } from '../../runner/liveRuns';
import { clearTarget, type ClearTarget } from '../clearTarget';
import { RunLauncher } from '../../runner/runLauncher';
import { RunStore } from '../../runner/runStore';
import { describeUnmaskable } from '../../runner/secretMasker';
import { toHumanLines } from '../formatProblems';
import { EXIT, type Io } from '../io';
import { launchFailureText, notStartedText } from '../launchMessages';
import { progressPrinter } from '../runProgress';
import { pickDates, MAX_COUNTED_RUNS, reprocessDates } from '../runDates';
import { REPROCESS, type Reprocess } from '../../runner/backfillPlan';
import { onStopSignals } from '../runSignals';
import { USAGES } from '../usage';

/** Runs a DAG for one date or a range of dates; exit 0 all succeeded, 1 a task failed, 2 usage, validation or set-up. */
export async function runCommand(args: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: {
      date: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      yes: { type: 'boolean' },
      task: { type: 'string', multiple: true },
      rerun: { type: 'string' },
      reprocess: { type: 'string' },
      downstream: { type: 'boolean' },
      upstream: { type: 'boolean' },
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
      'no-build': { type: 'boolean' },
      registry: { type: 'string' },
      'load-image': { type: 'string' },
    },
    allowPositionals: true,
  });
  const usage = (msg: string) => {
    io.err(`${msg}\nUsage: ${USAGES.run}\n`);
    return EXIT.usage;
  };
  if (positionals.length !== 1) return usage('run takes one FILE.');
  if (values.backend !== 'docker' && values.backend !== 'kubernetes')
    return usage('--backend is docker or kubernetes.');
  const backendKind: BackendKind = values.backend;
  if (values.date && (values.from || values.to)) return usage('Give --date or --from/--to, not both.');
  if (values.rerun !== undefined && (values.date || values.from || values.to))
    return usage('--rerun runs again in that run, for its date: give no --date, --from or --to.');
  if (values.reprocess !== undefined && !(REPROCESS as readonly string[]).includes(values.reprocess))
    return usage('--reprocess is none, failed or completed.');
  if (values.reprocess !== undefined && !values.from) return usage('--reprocess goes with --from and --to.');
  if ((values.downstream || values.upstream) && !values.task) return usage('--downstream and --upstream widen --task.');
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
  const read = (io.readDagFile ?? readDagFile)(file);
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
  for (const t of values.task ?? [])
    if (!isSelectable(dag, t))
      return usage(`No task or group "${t}" in ${dag.id} (an instance is ID[i] of a task with expand).`);
  // A group stands for its tasks; --downstream and --upstream add what Airflow's Clear would.
  const widen = { downstream: !!values.downstream, upstream: !!values.upstream };
  let only: ReadonlySet<string> | undefined = values.task ? widenSelection(dag, values.task, widen) : undefined;
  const store = new RunStore(values['runs-dir'] ? resolve(values['runs-dir']) : join(dirname(file), '.cdag', 'runs'));
  // --rerun: the tasks run again inside that run, for its date (Airflow's Clear).
  let clear: ClearTarget | undefined;
  if (values.rerun !== undefined) {
    const target = clearTarget(store.list(), dag, file, values.rerun, values.task ?? [], widen, isLive);
    if (!target.succeeded) return usage(target.error);
    clear = target.result;
    only = clear.only;
  }

  let dates = clear
    ? { intervals: [clear.interval], count: 1, includes: (d: string) => d === clear?.record.logical_date }
    : pickDates(dag, values.date, values.from, values.to);
  if (typeof dates === 'string') return usage(dates);
  // --reprocess: dates that already have a run are skipped, or run again if they failed (Airflow's behaviours).
  const reprocess = values.reprocess as Reprocess | undefined;
  if (reprocess && reprocess !== 'completed' && values.from && values.to) {
    const left = reprocessDates(dag, values.from, values.to, store.list(), file, reprocess, isLive);
    if (typeof left === 'string') return usage(left);
    if (left.skipped) io.err(`Skipping ${left.skipped} date(s) that already have a run (--reprocess ${reprocess}).\n`);
    if (left.dates.count === 0) {
      io.err('Nothing to run: every date of the range has a run.\n');
      return EXIT.ok;
    }
    dates = left.dates;
  }
  if (dates.count > BACKFILL_CONFIRM_ABOVE && !values.yes) {
    const n = dates.count > MAX_COUNTED_RUNS ? `more than ${MAX_COUNTED_RUNS}` : String(dates.count);
    io.err(
      `${values.from}..${values.to} is ${n} runs of schedule "${dag.scheduleText ?? 'manual'}", more than ${BACKFILL_CONFIRM_ABOVE}. Nothing was run. Give a narrower range, or add --yes to start them all.\n`,
    );
    return EXIT.usage;
  }

  const env = io.env ?? {};
  const launcher = new RunLauncher(store);
  const prepared = await launcher.prepare({
    dag,
    file,
    text: read.text,
    backend: backendKind,
    intervals: dates.intervals,
    params: paramValues,
    ...(only ? { only } : {}),
    env,
    allowed: new Consent(
      values['allow-host-path'] ?? [],
      values['allow-host-network'] ?? false,
      values['allow-privileged'] ?? false,
    ),
    ...(dag.docker.host ? { dockerHost: dag.docker.host } : {}),
    cluster: {
      ...(values.kubeconfig ? { kubeconfig: values.kubeconfig } : {}),
      ...((values.context ?? dag.kubernetes.context) ? { context: values.context ?? dag.kubernetes.context } : {}),
      ...((values.namespace ?? dag.kubernetes.namespace)
        ? { namespace: values.namespace ?? dag.kubernetes.namespace }
        : {}),
    },
    ...(!values.json ? { onPull: (image: string, text: string) => io.err(`  pulling ${image}: ${text}\n`) } : {}),
    ...(values['no-build'] ? { noBuild: true } : {}),
    delivery: {
      ...((values.registry ?? env.CDAG_REGISTRY) ? { registry: values.registry ?? env.CDAG_REGISTRY } : {}),
      ...((values['load-image'] ?? env.CDAG_LOAD_IMAGE)
        ? { loadImage: values['load-image'] ?? env.CDAG_LOAD_IMAGE }
        : {}),
    },
  });
  if (!prepared.succeeded) {
    const f = prepared.error;
    if (f.code === 'host-access-declined') return EXIT.usage;
    io.err(`${launchFailureText(f)}\n`);
    return f.code === 'runs-folder-unwritable' || f.code === 'host-access-refused' ? EXIT.usage : EXIT.failed;
  }
  const p = prepared.result;
  if (p.unmaskable.length) io.err(`Warning: ${describeUnmaskable(p.unmaskable)}\n`);
  // A run of this DAG and date that a dead cdag left behind goes on where it stopped; other
  // unfinished runs on this backend are marked interrupted and their containers removed.
  const takeover = await launcher.takeOver(
    (r) =>
      r.dag === dag.id && r.file_hash === p.fileHash && r.backend === backendKind && dates.includes(r.logical_date)
        ? 'resume'
        : r.backend === backendKind
          ? { abandon: 'another DAG, date or file' }
          : 'leave',
    () => Promise.resolve(p.backend),
  );
  for (const [dir, why] of launcher.store.skipped) io.err(`Warning: skipped ${dir}: not a run record (${why}).\n`);
  for (const a of takeover.abandoned) if (a.note) io.err(`${a.note}\n`);
  // A re-run of some tasks for one date goes on from that date's newest run, as Airflow's "clear" does.
  const [firstInterval] = dates.intervals;
  const latest =
    only && !clear && dates.count === 1 && firstInterval
      ? latestEndedRun(launcher.store.list(), file, firstInterval.start)
      : undefined;
  const missing = only && unknownInstance(dag, only, latest);
  if (missing)
    return usage(
      missing.made === undefined
        ? `${missing.id}: no ended run of ${dag.id} for this date made the instances of ${missing.task}; run it first (its items come from that run).`
        : `${missing.id}: the newest run of this date made ${missing.made} instance(s) of ${missing.task} (${missing.task}[0] to ${missing.task}[${missing.made - 1}]).`,
    );
  const previous = latest && only ? keepOutside(dag, latest, only) : undefined;
  if (latest && !values.json) io.err(`Keeping what run ${latest.run_id} did outside --task.\n`);
  if (clear && !values.json)
    io.err(`Clearing ${[...clear.only].join(', ')} in run ${clear.record.run_id}: a new try each, in that run.\n`);
  const stop = new AbortController();
  const stopSignals = io.signals
    ? onStopSignals(
        io.signals,
        () => stop.abort(),
        (text) => io.err(text),
      )
    : () => undefined;
  const progress = progressPrinter(io, dag, !values.json);
  let notStarted = 0;
  let records: RunRecord[];
  try {
    records = await launcher.start(
      p,
      {
        intervals: dates.intervals,
        kind: dates.count > 1 ? 'backfill' : 'manual',
        maxRuns: Math.min(maxRuns, dates.count || 1),
        ...(maxActive ? { maxActiveTasks: maxActive } : {}),
        params: paramValues,
        ...(only ? { only } : {}),
        ...(previous ? { previous } : {}),
        ...(clear ? { clear: clear.record } : {}),
        keepFailed: values['keep-failed'] ?? false,
        resume: takeover.resume,
        signal: stop.signal,
      },
      {
        started: (engine, resumed) => {
          if (resumed)
            io.err(
              `Resuming run ${engine.record.run_id}, interrupted earlier: reattaching ${resumed.reattaching} running task(s).\n`,
            );
          engine.on(progress);
        },
        notStarted: (why) => {
          notStarted++;
          io.err(`${notStartedText(why)}\n`);
        },
      },
    );
  } finally {
    stopSignals();
  }
  if (values.json) io.out(`${JSON.stringify(records.length === 1 ? records[0] : records, null, 2)}\n`);
  else
    for (const r of records)
      // The counter VS Code shows too: tasks the run selected, how many succeeded.
      io.err(
        `${r.dag} ${r.logical_date.slice(0, 10)}: ${r.state}, ${countsLabel(runCounts(r))} tasks (${r.run_id}; ${launcher.store.runDir(r.run_id)})\n`,
      );
  return notStarted === 0 && records.length > 0 && records.every((r) => r.state === 'success') ? EXIT.ok : EXIT.failed;
}
