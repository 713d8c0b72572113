import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Dag } from '../../src/dag/model';

/**
 * Real Apache Airflow (with the Docker and cncf.kubernetes providers) from PyPI in a cached virtual
 * environment (scripts/airflow-up.sh), driven the way its users drive it: a DagBag to load DAG files,
 * `airflow dags test` to run one.
 */
let ROOT = join(__dirname, '..', '..');
let SUPPORT = join(__dirname, 'airflow');

/** Where the project is, when this module runs from a bundle elsewhere (the benchmarks). */
export function useProjectRoot(root: string): void {
  ROOT = root;
  SUPPORT = join(root, 'test', 'support', 'airflow');
}

export interface AirflowTask {
  task_id: string;
  operator: string;
  bases: string[];
  /** Made by partial().expand(): Airflow makes its instances when the run gets there. */
  mapped: boolean;
  upstream: string[];
  trigger_rule: string;
  retries: number;
  /** What decides what a container operator runs (inspect_dags.py's ARGS), as plain JSON; null for other operators. */
  args: Record<string, unknown> | null;
}

export interface AirflowDag {
  dag_id: string;
  fileloc: string;
  timetable: string;
  schedule: string | null;
  start_date: string | null;
  catchup: boolean;
  tasks: AirflowTask[];
}

export interface DagBagReport {
  import_errors: Record<string, string>;
  dags: AirflowDag[];
}

/** The pinned Airflow (scripts/airflow-up.sh), or the newest 3.x on PyPI (`--newest`). */
export type AirflowRelease = 'pinned' | 'newest';

const bins = new Map<AirflowRelease, string>();

/** The venv's bin directory, installing Airflow first when it is not cached yet. */
export function airflowBin(release: AirflowRelease = 'pinned'): string {
  const cached = bins.get(release);
  if (cached) return cached;
  const args = [join(ROOT, 'scripts', 'airflow-up.sh'), ...(release === 'newest' ? ['--newest'] : [])];
  const r = spawnSync('bash', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`scripts/airflow-up.sh failed:\n${r.stdout}\n${r.stderr}`);
  const bin = r.stdout.trim().split('\n').pop()!;
  bins.set(release, bin);
  return bin;
}

/** The version of a release's Airflow, from its venv's name (`airflow-3.3.2`). */
export function airflowVersion(release: AirflowRelease): string {
  return /airflow-([\d.]+)/.exec(airflowBin(release))?.[1] ?? '?';
}

function quietEnv(home: string, dags: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ...extra,
    AIRFLOW_HOME: home,
    AIRFLOW__CORE__DAGS_FOLDER: dags,
    AIRFLOW__CORE__LOAD_EXAMPLES: 'False',
    AIRFLOW__LOGGING__LOGGING_LEVEL: extra.AIRFLOW__LOGGING__LOGGING_LEVEL ?? 'WARNING',
    AIRFLOW__LOGGING__COLORED_CONSOLE_LOG: 'False',
    PYTHONWARNINGS: 'ignore',
  };
}

/** Every DAG file of a folder, as Airflow's DagBag loads it. */
export function loadDagBag(folder: string, release: AirflowRelease = 'pinned'): DagBagReport {
  const home = mkdtempSync(join(tmpdir(), 'cdag-airflow-home-'));
  try {
    const r = spawnSync(join(airflowBin(release), 'python'), [join(SUPPORT, 'inspect_dags.py'), folder], {
      encoding: 'utf8',
      env: quietEnv(home, folder),
      maxBuffer: 64 * 2 ** 20,
    });
    if (r.status !== 0) throw new Error(`DagBag load failed:\n${r.stderr}`);
    return JSON.parse(r.stdout) as DagBagReport;
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

/** A migrated, empty metadata database per release, made once (`airflow db migrate` takes seconds) and copied per run. */
function templateDb(release: AirflowRelease = 'pinned'): string {
  const name = release === 'pinned' ? 'airflow-db' : `airflow-db-${airflowVersion(release)}`;
  const dir = join(homedir(), '.cache', 'container-dags', name);
  const db = join(dir, 'airflow.db');
  if (existsSync(db)) return db;
  mkdirSync(dir, { recursive: true });
  const r = spawnSync(join(airflowBin(release), 'airflow'), ['db', 'migrate'], {
    encoding: 'utf8',
    env: quietEnv(dir, dir),
  });
  if (r.status !== 0) throw new Error(`airflow db migrate failed:\n${r.stderr}`);
  return db;
}

export interface DagsTestResult {
  /** `airflow dags test`'s own exit code. */
  exitCode: number;
  /** The DAG run's state in the metadata database: `success` or `failed`. */
  run: string | null;
  tasks: Record<string, string>;
  wallMs: number;
  output: string;
}

/** `airflow dags test DAG_ID DATE` in a fresh AIRFLOW_HOME (sqlite), timed from the command's start. */
export function dagsTest(folder: string, dagId: string, date: string, env: NodeJS.ProcessEnv = {}): DagsTestResult {
  const db = templateDb();
  const home = mkdtempSync(join(tmpdir(), 'cdag-airflow-home-'));
  try {
    copyFileSync(db, join(home, 'airflow.db'));
    const t0 = performance.now();
    const r = spawnSync(join(airflowBin(), 'airflow'), ['dags', 'test', dagId, date], {
      encoding: 'utf8',
      env: quietEnv(home, folder, env),
      maxBuffer: 64 * 2 ** 20,
    });
    const wallMs = performance.now() - t0;
    const state = spawnSync(
      join(airflowBin(), 'python'),
      [join(SUPPORT, 'run_state.py'), join(home, 'airflow.db'), dagId],
      { encoding: 'utf8' },
    );
    const parsed = JSON.parse(state.stdout || '{"run":null,"tasks":{}}') as {
      run: string | null;
      tasks: Record<string, string>;
    };
    return { exitCode: r.status ?? -1, ...parsed, wallMs, output: `${r.stdout}\n${r.stderr}` };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

/**
 * `airflow tasks render DAG TASK DATE`: the task's template fields as Airflow renders them for that
 * date, by field (Python's repr of each value), without running anything.
 */
export function tasksRender(
  folder: string,
  dagId: string,
  taskId: string,
  date: string,
  release: AirflowRelease = 'pinned',
): Record<string, string> {
  const db = templateDb(release);
  const home = mkdtempSync(join(tmpdir(), 'cdag-airflow-home-'));
  try {
    copyFileSync(db, join(home, 'airflow.db'));
    const r = spawnSync(join(airflowBin(release), 'airflow'), ['tasks', 'render', dagId, taskId, date], {
      encoding: 'utf8',
      env: quietEnv(home, folder),
      maxBuffer: 16 * 2 ** 20,
    });
    if (r.status !== 0) throw new Error(`airflow tasks render failed:\n${r.stderr}`);
    const fields: Record<string, string> = {};
    for (const m of r.stdout.matchAll(/# property: (\w+)\n# -+\n([^\n]*)/g)) fields[m[1]!] = m[2]!;
    return fields;
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

/**
 * The DAG with its tasks on the network where scripts/movielens-env.sh runs the ratings API:
 * Airflow has no run-scoped services, so the API cdag starts as the DAG's service is, for Airflow,
 * that container (as in the book).
 */
export function onApiNetwork(dag: Dag): Dag {
  return { ...dag, docker: { ...dag.docker, network: 'airflow' } };
}

let base: string | undefined;

/**
 * The environment a `cdag run` of the movielens example needs besides its secret: the base image
 * its three images build FROM (busybox:1.36, or offline the one scripts/movielens-base.sh makes).
 */
export function movielensEnv(): NodeJS.ProcessEnv {
  base ??=
    process.env.MOVIELENS_BASE ??
    spawnSync('bash', [join(__dirname, '..', '..', 'scripts', 'movielens-base.sh')], {
      encoding: 'utf8',
    }).stdout.trim();
  return { ...process.env, MOVIELENS_BASE: base, MOVIELENS_PASSWORD: 'airflow' };
}
