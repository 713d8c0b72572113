import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunRecord } from '../../../src/protocol/runRecord';
import { ROOT } from '../../e2e/codeServer';
import { TEST_IMAGE, ensureTestImage } from '../docker/dockerEnv';
import { NAMESPACE, ensureNamespace, kubeconfig, kubectl, loadImages, movielensCluster } from './clusterEnv';

const CLI = join(ROOT, 'dist', 'cli.js');
const cdag = (...args: string[]) =>
  spawnSync(process.execPath, [CLI, ...args, '--kubeconfig', kubeconfig()], { encoding: 'utf8' });

describe('cdag run --backend kubernetes on a real cluster', function () {
  this.timeout(300_000);
  let dir: string;

  before(() => {
    ensureTestImage();
    loadImages(TEST_IMAGE);
    ensureNamespace();
  });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cdag-k8s-cli-'));
  });

  function dagFile(body: string): string {
    const file = join(dir, 'k.dag.yaml');
    writeFileSync(
      file,
      `dag: k8s_cli\nschedule: '@daily'\nstart_date: 2024-01-01\nkubernetes: {namespace: ${NAMESPACE}}\ntasks:\n${body.replace(/\$IMAGE/g, TEST_IMAGE)}`,
    );
    return file;
  }

  it('exits 0 when every task succeeded, 1 when one failed, 2 on usage errors, 1 when the cluster is unreachable — as on Docker', () => {
    const good = dagFile(`  a: {image: $IMAGE, image_pull_policy: Never, command: ['true']}\n`);
    const ok = cdag('run', good, '--backend', 'kubernetes', '--date', '2024-01-01', '--json');
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal((JSON.parse(ok.stdout) as RunRecord).backend, 'kubernetes');
    const bad = dagFile(`  a: {image: $IMAGE, image_pull_policy: Never, command: [sh, -c, 'exit 4']}\n`);
    const failed = cdag('run', bad, '--backend', 'kubernetes', '--date', '2024-01-01', '--json');
    assert.equal(failed.status, 1);
    assert.equal((JSON.parse(failed.stdout) as RunRecord).tasks.a!.exit_code, 4);
    kubectl('-n', NAMESPACE, 'delete', 'pods', '-l', 'io.container-dags/dag=k8s_cli', '--wait=false');
    assert.equal(cdag('run', good, '--backend', 'nomad').status, 2);
    const cfg = join(dir, 'unreachable.kubeconfig');
    writeFileSync(
      cfg,
      'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n',
    );
    const down = spawnSync(process.execPath, [CLI, 'run', good, '--backend', 'kubernetes', '--kubeconfig', cfg], {
      encoding: 'utf8',
    });
    assert.equal(down.status, 1);
    assert.match(
      down.stderr,
      /API server of context "x" \(https:\/\/127\.0\.0\.1:1\) refused the connection.*Start it/,
    );
  });

  it('refuses a host_path that resolves into a system folder before any pod is made; allowed by its resolved path, it runs', () => {
    symlinkSync('/etc', join(dir, 'config-link'));
    writeFileSync(
      join(dir, 'k.dag.yaml'),
      `dag: k8s_hostpath\nkubernetes: {namespace: ${NAMESPACE}}\nvolumes:\n  cfg: {kubernetes: {host_path: ${dir}/config-link/../config-link}}\ntasks:\n  first: {image: ${TEST_IMAGE}, image_pull_policy: Never, command: ['true']}\n  peek: {image: ${TEST_IMAGE}, image_pull_policy: Never, command: [ls, /cfg/hostname], mounts: ['cfg:/cfg:ro'], depends_on: [first]}\n`,
    );
    const file = join(dir, 'k.dag.yaml');
    const refused = cdag('run', file, '--backend', 'kubernetes', '--runs-dir', join(dir, 'runs'));
    assert.equal(refused.status, 2, refused.stderr);
    assert.match(
      refused.stderr,
      /Refused: peek mount \/etc \(written .*config-link\): the host’s system folder \/etc\..*--allow-host-path \/etc/,
    );
    const pods = kubectl('-n', NAMESPACE, 'get', 'pods', '-l', 'io.container-dags/dag=k8s_hostpath', '-o', 'name');
    assert.equal(pods.trim(), '', 'no pod was made, not even for the harmless task');
    const allowed = cdag(
      'run',
      file,
      '--backend',
      'kubernetes',
      '--runs-dir',
      join(dir, 'runs'),
      '--allow-host-path',
      '/etc',
      '--json',
    );
    assert.equal(allowed.status, 0, allowed.stderr);
    kubectl('-n', NAMESPACE, 'delete', 'pods', '-l', 'io.container-dags/dag=k8s_hostpath', '--wait=false');
  });

  it('a runner killed mid-task is resumed by the next cdag run: the pod is reattached and the run finishes (test 10)', async () => {
    const file = dagFile(
      `  slow: {image: $IMAGE, image_pull_policy: Never, command: [sh, -c, 'echo begun; sleep 6; echo finished']}\n  after: {image: $IMAGE, image_pull_policy: Never, command: [sh, -c, 'echo after'], depends_on: [slow]}\n`,
    );
    const runsDir = join(dir, 'runs');
    const child = spawn(
      process.execPath,
      [
        CLI,
        'run',
        file,
        '--backend',
        'kubernetes',
        '--date',
        '2024-01-01',
        '--runs-dir',
        runsDir,
        '--kubeconfig',
        kubeconfig(),
      ],
      {
        stdio: 'ignore',
      },
    );
    for (let i = 0; ; i++) {
      const phase = kubectl(
        '-n',
        NAMESPACE,
        'get',
        'pods',
        '-l',
        'io.container-dags/task=slow',
        '-o',
        'jsonpath={.items[*].status.phase}',
      );
      if (phase.includes('Running')) break;
      if (i > 150) throw new Error('the pod never ran');
      await new Promise((r) => setTimeout(r, 200));
    }
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const r = cdag('run', file, '--backend', 'kubernetes', '--date', '2024-01-01', '--runs-dir', runsDir, '--json');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /Resuming run .*reattaching 1 running task/);
    const done = JSON.parse(r.stdout) as RunRecord;
    assert.deepEqual(
      done.tasks.slow!.attempts.map((a) => [a.try, a.state, a.exit_code]),
      [[1, 'success', 0]],
    );
    assert.equal(readdirSync(runsDir).filter((d) => !d.startsWith('.')).length, 1);
    const log = readFileSync(join(runsDir, done.run_id.replace(/[^A-Za-z0-9_.-]/g, '_'), 'slow', '1.log'), 'utf8');
    assert.equal(log, '  begun\n  finished\n');
    assert.equal(
      kubectl('-n', NAMESPACE, 'get', 'pods', '-l', `io.container-dags/run-id=${done.run_id}`, '-o', 'name').trim(),
      '',
    );
  });

  it('a runner killed mid-task is resumed with the service its pod reaches: the same service pod, removed with its Service at the end', async () => {
    const file =
      dagFile(`  slow: {image: $IMAGE, image_pull_policy: Never, services: [echo], command: [sh, -c, 'nc -w 5 echo 8080; sleep 6; nc -w 5 echo 8080']}
services:
  echo: {image: $IMAGE, image_pull_policy: Never, command: [sh, -c, 'exec nc -ll -p 8080 -e echo hello from echo'], ports: [8080], ready: {tcp: 8080}}
`);
    const runsDir = join(dir, 'runs');
    const child = spawn(
      process.execPath,
      [
        CLI,
        'run',
        file,
        '--backend',
        'kubernetes',
        '--date',
        '2024-01-01',
        '--runs-dir',
        runsDir,
        '--kubeconfig',
        kubeconfig(),
      ],
      { stdio: 'ignore' },
    );
    const phase = () =>
      kubectl(
        '-n',
        NAMESPACE,
        'get',
        'pods',
        '-l',
        'io.container-dags/task=slow',
        '-o',
        'jsonpath={.items[*].status.phase}',
      );
    for (let i = 0; !phase().includes('Running'); i++) {
      if (i > 150) throw new Error('the pod never ran');
      await new Promise((r) => setTimeout(r, 200));
    }
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const uid = () =>
      kubectl(
        '-n',
        NAMESPACE,
        'get',
        'services',
        '-l',
        'io.container-dags/service=echo',
        '-o',
        'jsonpath={.items[*].metadata.uid}',
      ).trim();
    const before = uid();
    assert.ok(before, 'the service runs when the runner dies');
    const r = cdag('run', file, '--backend', 'kubernetes', '--date', '2024-01-01', '--runs-dir', runsDir, '--json');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /Resuming run .*reattaching 1 running task/);
    const done = JSON.parse(r.stdout) as RunRecord;
    assert.equal(done.state, 'success');
    const log = readFileSync(join(runsDir, done.run_id.replace(/[^A-Za-z0-9_.-]/g, '_'), 'slow', '1.log'), 'utf8');
    // The task pod's hostAliases hold the service pod's IP from before the crash: a second answer means the same pod.
    assert.equal(log.match(/hello from echo/g)?.length, 2, log);
    const left = () =>
      kubectl(
        '-n',
        NAMESPACE,
        'get',
        'pods,services',
        '-l',
        `io.container-dags/run-id=${done.run_id.replace(/[^A-Za-z0-9_.-]/g, '_')}`,
        '-o',
        'name',
      ).trim();
    for (let i = 0; left() && i < 60; i++) await new Promise((res) => setTimeout(res, 500));
    assert.equal(left(), '');
  });

  it("cdag pods lists this tool's pods, removes the orphans with --remove, and never a pod of a live run", async () => {
    const kept = dagFile(`  kept: {image: $IMAGE, image_pull_policy: Never, command: [sh, -c, 'exit 2']}\n`);
    assert.equal(
      cdag('run', kept, '--backend', 'kubernetes', '--date', '2024-01-01', '--runs-dir', join(dir, 'old')).status,
      1,
    );
    const file = join(dir, 'live.dag.yaml');
    writeFileSync(
      file,
      `dag: k8s_live\nkubernetes: {namespace: ${NAMESPACE}}\ntasks:\n  busy: {image: ${TEST_IMAGE}, image_pull_policy: Never, command: [sleep, '90']}\n`,
    );
    const liveRuns = join(dir, 'live-runs');
    const child = spawn(
      process.execPath,
      [CLI, 'run', file, '--backend', 'kubernetes', '--runs-dir', liveRuns, '--kubeconfig', kubeconfig()],
      { stdio: 'ignore' },
    );
    try {
      for (
        let i = 0;
        !kubectl('-n', NAMESPACE, 'get', 'pods', '-l', 'io.container-dags/dag=k8s_live', '-o', 'name').trim();
        i++
      ) {
        if (i > 100) throw new Error('the live pod never appeared');
        await new Promise((r) => setTimeout(r, 200));
      }
      const listed = cdag('pods', '--namespace', NAMESPACE, '--runs-dir', liveRuns, '--json');
      assert.equal(listed.status, 0, listed.stderr);
      const pods = (JSON.parse(listed.stdout) as { pods: Array<{ dag: string; task: string; orphan: boolean }> }).pods;
      assert.ok(
        pods.some((p) => p.task === 'kept' && p.orphan),
        JSON.stringify(pods),
      );
      assert.ok(
        pods.some((p) => p.dag === 'k8s_live' && !p.orphan),
        JSON.stringify(pods),
      );
      const removed = cdag('pods', '--namespace', NAMESPACE, '--runs-dir', liveRuns, '--remove');
      assert.equal(removed.status, 0, removed.stderr);
      assert.match(removed.stderr, /Removed \d+ orphaned pod/);
      assert.equal(
        kubectl('-n', NAMESPACE, 'get', 'pods', '-l', 'io.container-dags/task=kept', '-o', 'name').trim(),
        '',
      );
      assert.notEqual(
        kubectl('-n', NAMESPACE, 'get', 'pods', '-l', 'io.container-dags/dag=k8s_live', '-o', 'name').trim(),
        '',
      );
    } finally {
      child.kill('SIGINT');
      await new Promise((r) => child.once('exit', r));
    }
  });

  it('a killed cdag run leaves its service Pod and Service as orphans; cdag pods names the service and --remove deletes both', async () => {
    const file = dagFile(`  t: {image: $IMAGE, image_pull_policy: Never, services: [echo], command: [sleep, '600']}
services:
  echo: {image: $IMAGE, image_pull_policy: Never, command: [sh, -c, 'exec nc -ll -p 8080 -e echo hi'], ports: [8080], ready: {tcp: 8080}}
`);
    const runsDir = join(dir, 'runs');
    const child = spawn(
      process.execPath,
      [
        CLI,
        'run',
        file,
        '--backend',
        'kubernetes',
        '--date',
        '2024-01-01',
        '--runs-dir',
        runsDir,
        '--kubeconfig',
        kubeconfig(),
      ],
      { stdio: 'ignore' },
    );
    const mine = () =>
      kubectl('-n', NAMESPACE, 'get', 'pods,services', '-l', 'io.container-dags/dag=k8s_cli', '-o', 'name')
        .split('\n')
        .filter(Boolean);
    for (let i = 0; mine().length < 3; i++) {
      if (i > 150) throw new Error(`the service and the task never both ran: ${mine().join(', ')}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const listed = cdag('pods', '--namespace', NAMESPACE, '--runs-dir', runsDir, '--json');
    assert.equal(listed.status, 0, listed.stderr);
    const pods = (JSON.parse(listed.stdout) as { pods: Array<{ dag: string; service?: string; orphan: boolean }> })
      .pods;
    assert.ok(
      pods.some((p) => p.dag === 'k8s_cli' && p.service === 'echo' && p.orphan),
      JSON.stringify(pods),
    );
    assert.match(
      cdag('pods', '--namespace', NAMESPACE, '--runs-dir', runsDir).stdout,
      /orphan .* k8s_cli service echo /,
    );
    const removed = cdag('pods', '--namespace', NAMESPACE, '--runs-dir', runsDir, '--remove');
    assert.equal(removed.status, 0, removed.stderr);
    for (let i = 0; mine().length && i < 60; i++) await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(mine(), []);
  });

  it('runs the movielens example on the cluster: its three images built here and loaded, the ratings API as its service, a volume claim shared by both tasks; writes the rankings and leaves no pod or Service', () => {
    const data = '/tmp/cdag-k8s-movielens';
    rmSync(data, { recursive: true, force: true });
    movielensCluster(data, 'cdag-movielens-data', dir);
    // The ratings API is the DAG's own service: a Pod and a Service for the run, reached by name. The
    // images are built from the example's folders and loaded by the project's loader.
    const loader = process.env.CDAG_LOAD_IMAGE ?? `bash ${join(ROOT, 'scripts', 'cluster', 'load-image.sh')}`;
    const r = spawnSync(
      process.execPath,
      [
        CLI,
        'run',
        join(ROOT, 'examples', 'movielens', 'movielens.dag.yaml'),
        '--backend',
        'kubernetes',
        '--date',
        '2019-01-01',
        '--runs-dir',
        join(dir, 'runs'),
        '--load-image',
        loader,
        '--kubeconfig',
        kubeconfig(),
      ],
      { encoding: 'utf8', env: { ...process.env, MOVIELENS_BASE: TEST_IMAGE } },
    );
    assert.equal(r.status, 0, r.stderr);
    const ratings = JSON.parse(readFileSync(`${data}/ratings/2019-01-01.json`, 'utf8')) as unknown[];
    assert.equal(ratings.length, 25);
    const csv = readFileSync(`${data}/rankings/2019-01-01.csv`, 'utf8').trim().split('\n');
    assert.equal(csv[0], 'movieId,avg_rating,num_ratings');
    assert.equal(
      csv.slice(1).reduce((n, l) => n + Number(l.split(',')[2]), 0),
      25,
    );
    const left = () =>
      kubectl('-n', 'airflow', 'get', 'pods,services', '-l', 'io.container-dags/dag=movielens', '-o', 'name').trim();
    for (let i = 0; left() && i < 60; i++) execFileSync('sleep', ['0.5']);
    assert.equal(left(), '');
  });
});
