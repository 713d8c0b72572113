import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

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

let bin: string | undefined;

/** The venv's bin directory, installing Airflow first when it is not cached yet. */
export function airflowBin(): string {
  if (bin) return bin;
  const r = spawnSync('bash', [join(ROOT, 'scripts', 'airflow-up.sh')], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`scripts/airflow-up.sh failed:\n${r.stdout}\n${r.stderr}`);
  bin = r.stdout.trim().split('\n').pop()!;
  return bin;
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
export function loadDagBag(folder: string): DagBagReport {
  const home = mkdtempSync(join(tmpdir(), 'cdag-airflow-home-'));
  try {
    const r = spawnSync(join(airflowBin(), 'python'), [join(SUPPORT, 'inspect_dags.py'), folder], {
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

/** A migrated, empty metadata database, made once (`airflow db migrate` takes seconds) and copied per run. */
function templateDb(): string {
  const dir = join(homedir(), '.cache', 'container-dags', 'airflow-db');
  const db = join(dir, 'airflow.db');
  if (existsSync(db)) return db;
  mkdirSync(dir, { recursive: true });
  const r = spawnSync(join(airflowBin(), 'airflow'), ['db', 'migrate'], { encoding: 'utf8', env: quietEnv(dir, dir) });
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
