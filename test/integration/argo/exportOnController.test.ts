import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeDag } from '../../../src/dag/analyze';
import { exportArgo } from '../../../src/interop/argo/exportArgo';
import { ROOT } from '../../e2e/codeServer';
import { FIXTURES } from '../../unit/helpers';
import { roundTripCorpus } from '../../unit/interop/corpus';
import { TEST_IMAGE, ensureTestImage } from '../docker/dockerEnv';
import { ensureNamespace, kubeconfig, kubectl, loadImages, movielensCluster } from '../kubernetes/clusterEnv';
import { argo, controllerOrFail, explain, podPhases, submitAndWait } from './argoEnv';

const CLI = join(ROOT, 'dist', 'cli.js');
const NS = 'cdag-argo-it';

function exported(text: string, name: string): string {
  const a = analyzeDag(text, name);
  assert.ok(a.dag && !a.hasErrors, `${name}: ${a.problems.map((p) => p.message).join('\n')}`);
  return exportArgo(a.dag, name).yaml;
}

/** Every file under `dir` with its content, by path relative to it. */
function files(dir: string, at = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of readdirSync(join(dir, at), { withFileTypes: true })) {
    const rel = at ? `${at}/${e.name}` : e.name;
    if (e.isDirectory()) Object.assign(out, files(dir, rel));
    else out[rel] = readFileSync(join(dir, rel), 'utf8');
  }
  return out;
}

function cdagRun(file: string, date: string, runsDir: string, ...extra: string[]) {
  return spawnSync(
    process.execPath,
    [
      CLI,
      'run',
      file,
      '--backend',
      'kubernetes',
      '--date',
      date,
      '--runs-dir',
      runsDir,
      '--kubeconfig',
      kubeconfig(),
      ...extra,
    ],
    { encoding: 'utf8', env: { ...process.env, MOVIELENS_BASE: TEST_IMAGE } },
  );
}

/** A DAG that uses what Argo carries: a fan-out over an upstream output, their sum, whens (and a task after a skipped one), a Secret, retries, a deadline, a trigger rule and a host folder. */
const PARITY = (out: string) => `dag: argo_parity
start_date: 2024-01-01
kubernetes: {namespace: ${NS}}
volumes:
  out: {kubernetes: {host_path: ${out}}}
defaults: {image: ${TEST_IMAGE}, image_pull_policy: Never, mounts: ['out:/out']}
tasks:
  days:
    command: [sh, -c, 'echo "{\\"days\\": [\\"a\\", \\"b\\", \\"c\\"], \\"n\\": 3}" > "$CDAG_OUTPUT"']
    outputs: [days, n]
  fetch:
    depends_on: [days]
    expand: {day: "{{ tasks.days.outputs.days }}"}
    command: [sh, -c, 'echo "{{ item.day }} {{ ds }} {{ ds | ds_add(1) }}" > /out/fetch-{{ item.day }}.txt; echo "{\\"rows\\": 2}" > "$CDAG_OUTPUT"']
    outputs: [rows]
  total:
    depends_on: [fetch]
    when: "{{ tasks.days.outputs.n | gt(1) }}"
    command: [sh, -c, 'echo "{{ tasks.fetch.outputs.rows | sum }} rows" > /out/total.txt']
  never:
    depends_on: [days]
    when: "{{ tasks.days.outputs.n | gt(5) }}"
    command: [sh, -c, 'echo ran > /out/never.txt']
  after_never:
    depends_on: [never]
    command: [sh, -c, 'echo ran > /out/after-never.txt']
  secret_user:
    depends_on: [days]
    secrets: {TOKEN: argo-parity-token}
    retries: 1
    retry_delay: 1s
    timeout: 60s
    command: [sh, -c, 'test "$TOKEN" = s3cret && echo ok > /out/secret.txt']
  report:
    depends_on: [total, after_never, secret_user]
    trigger_rule: all_done
    command: [sh, -c, 'names=$(ls /out | sort | tr "\\n" " "); echo "$names" > /out/report.txt']
`;

describe('the Argo export on a real Argo Workflows controller (npm run argo:up)', function () {
  this.timeout(600_000);
  let dir: string;
  before(() => {
    controllerOrFail();
    ensureTestImage();
    loadImages(TEST_IMAGE);
    ensureNamespace(NS);
    dir = mkdtempSync(join(tmpdir(), 'cdag-argo-it-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("passes the controller's own validation for every example and test DAG (argo lint --offline --strict)", () => {
    const corpus = [
      ...roundTripCorpus(),
      { name: 'grouped.dag.yaml', text: readFileSync(join(FIXTURES, 'groups', 'grouped.dag.yaml'), 'utf8') },
      {
        name: 'awkward_names.dag.yaml',
        text: 'dag: awkward_names\ntasks:\n  in: {image: b, command: [x]}\n  1st: {image: b, command: [x]}\n  not: {image: b, command: [x], depends_on: [in, 1st], trigger_rule: one_failed}\n',
      },
    ];
    const paths = corpus.map(({ name, text }) => {
      const path = join(dir, `${name.replace(/\W+/g, '_')}.yaml`);
      writeFileSync(path, exported(text, name));
      return path;
    });
    const out = argo('lint', '--offline', '--strict', '-o', 'simple', ...paths);
    assert.match(out, /no linting errors found/i);
    // The check can fail: Argo refuses a DAG template that mixes depends and dependencies.
    const mixed = join(dir, 'mixed.yaml');
    writeFileSync(
      mixed,
      'apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {generateName: m-}\nspec:\n  entrypoint: main\n  templates:\n    - name: main\n      dag:\n        tasks:\n          - {name: a, template: c}\n          - {name: b, template: c, dependencies: [a]}\n          - {name: d, template: c, depends: a.Failed}\n    - {name: c, container: {image: x}}\n',
    );
    assert.throws(() => argo('lint', '--offline', '--strict', '-o', 'simple', mixed), /depends/);
  });

  it('runs an exported DAG with a fan-out over an output, a sum, whens, a Secret, retries, a deadline and a trigger rule: the same files as cdag run --backend kubernetes', () => {
    const base = join('/tmp', `cdag-argo-parity-${process.pid}`);
    rmSync(base, { recursive: true, force: true });
    kubectl('-n', NS, 'delete', 'secret', 'argo-parity-token', '--ignore-not-found');
    kubectl('-n', NS, 'create', 'secret', 'generic', 'argo-parity-token', '--from-literal=argo-parity-token=s3cret');
    try {
      const k8sDir = join(base, 'kubernetes');
      const argoDir = join(base, 'argo');
      mkdirSync(k8sDir, { recursive: true });
      mkdirSync(argoDir, { recursive: true });
      const file = join(dir, 'parity.dag.yaml');
      writeFileSync(file, PARITY(k8sDir));
      const r = cdagRun(file, '2024-01-01', join(dir, 'runs'), '--allow-host-path', k8sDir);
      assert.equal(r.status, 0, r.stderr);

      const manifest = join(dir, 'parity.argo.yaml');
      writeFileSync(manifest, exported(PARITY(argoDir), 'parity.dag.yaml'));
      const status = submitAndWait(NS, manifest, '-p', 'logical_date=2024-01-01T00:00:00Z');
      assert.equal(status.phase, 'Succeeded', explain(status));
      assert.ok(podPhases(status).includes('never Skipped'), podPhases(status).join('\n'));

      const want = files(k8sDir);
      assert.equal(want['total.txt'], '6 rows\n');
      assert.equal(want['fetch-b.txt'], 'b 2024-01-01 2024-01-02\n');
      assert.equal(want['secret.txt'], 'ok\n');
      assert.equal(want['never.txt'], undefined);
      assert.equal(want['after-never.txt'], undefined, 'all_success after a skipped task does not run');
      assert.deepEqual(files(argoDir), want);
    } finally {
      kubectl('-n', NS, 'delete', 'secret', 'argo-parity-token', '--ignore-not-found');
      kubectl('-n', NS, 'delete', 'workflows', '--all', '--wait=false');
      kubectl('-n', NS, 'delete', 'pods', '-l', 'io.container-dags/dag=argo_parity', '--wait=false');
      rmSync(base, { recursive: true, force: true });
    }
  });

  it('accepts the movielens example as a CronWorkflow and, submitted for the 2019-01-01 interval, writes the rankings cdag run --backend kubernetes writes', () => {
    const data = '/tmp/cdag-argo-movielens';
    rmSync(data, { recursive: true, force: true });
    movielensCluster(data, 'cdag-argo-movielens-data', dir);
    const example = join(ROOT, 'examples', 'movielens', 'movielens.dag.yaml');
    // cdag builds the example's images and loads them into the cluster; the Workflow then runs them.
    const loader = process.env.CDAG_LOAD_IMAGE ?? `bash ${join(ROOT, 'scripts', 'cluster', 'load-image.sh')}`;
    const r = cdagRun(example, '2019-01-01', join(dir, 'runs'), '--load-image', loader);
    assert.equal(r.status, 0, r.stderr);
    const want = files(data);
    assert.deepEqual(Object.keys(want).sort(), ['rankings/2019-01-01.csv', 'ratings/2019-01-01.json']);
    rmSync(join(data, 'ratings'), { recursive: true, force: true });
    rmSync(join(data, 'rankings'), { recursive: true, force: true });

    // The export runs the images as the DAG names them (it says so in a note): they go to the cluster as built.
    loadImages('manning-airflow/movielens-api', 'manning-airflow/movielens-fetch', 'manning-airflow/movielens-rank');
    const cron = join(dir, 'movielens.argo.yaml');
    writeFileSync(cron, exported(readFileSync(example, 'utf8'), 'movielens.dag.yaml'));
    kubectl('-n', 'airflow', 'delete', 'cronworkflows', 'movielens', '--ignore-not-found');
    argo('cron', 'create', '-n', 'airflow', cron);
    try {
      // The CronWorkflow fires at the end of an interval: 2019-01-02T00:00 runs the 2019-01-01 interval.
      const status = submitAndWait('airflow', '--from', 'cronwf/movielens', '--scheduled-time', '2019-01-02T00:00:00Z');
      assert.equal(status.phase, 'Succeeded', explain(status));
      assert.deepEqual(files(data), want);
    } finally {
      kubectl('-n', 'airflow', 'delete', 'cronworkflows', 'movielens', '--ignore-not-found');
      kubectl('-n', 'airflow', 'delete', 'workflows', '--all', '--wait=true');
      kubectl('-n', 'airflow', 'delete', 'secret', 'movielens-password', '--ignore-not-found');
      kubectl('-n', 'airflow', 'delete', 'pvc', 'data-volume', '--ignore-not-found', '--wait=true');
      kubectl('delete', 'pv', 'cdag-argo-movielens-data', '--ignore-not-found');
      rmSync(data, { recursive: true, force: true });
    }
  });
});
