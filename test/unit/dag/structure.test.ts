import assert from 'node:assert/strict';
import { analyzeDag } from '../../../src/dag/analyze';
import { groupRecords, groupState } from '../../../src/runner/groupStates';
import { downstreamOf, isSelectable, withGroupsExpanded } from '../../../src/runner/rerunSelection';

const DAG = `defaults:
  retries: 1
  env: {REGION: global}
groups:
  extract:
    description: Pull the raw data.
    defaults:
      retries: 3
      env: {STAGE: extract}
  extract.eu:
    defaults:
      env: {REGION: eu}
tasks:
  eu_orders: {image: busybox, group: extract.eu, outputs: [rows]}
  us_orders: {image: busybox, group: extract, retries: 0}
  load:
    image: busybox
    depends_on: [extract]
    args: ["{{ tasks.eu_orders.outputs.rows }}"]
  report: {image: busybox, depends_on: [load]}
`;

const problems = (yaml: string) =>
  analyzeDag(yaml, 'x.dag.yaml').problems.map((p) => `${p.severity} ${p.code}: ${p.message}`);

describe('task groups in the format', () => {
  it('merges a group’s defaults between the DAG’s and the task’s, an inner group’s after its outer one’s', () => {
    const a = analyzeDag(DAG, 'x.dag.yaml');
    assert.deepEqual(
      a.problems.filter((p) => p.severity !== 'hint'),
      [],
    );
    const task = (id: string) => a.dag!.tasks.find((t) => t.id === id)!;
    assert.deepEqual({ ...task('eu_orders').env }, { REGION: 'eu', STAGE: 'extract' });
    assert.equal(task('eu_orders').retries, 3);
    assert.equal(task('us_orders').retries, 0, 'the task’s own value wins');
    assert.equal(task('report').retries, 1);
    assert.deepEqual([...a.dag!.groups.keys()], ['extract', 'extract.eu']);
    assert.equal(a.dag!.groups.get('extract.eu')!.parent, 'extract');
    assert.equal(a.dag!.groups.get('extract')!.description, 'Pull the raw data.');
  });

  it('reads depends_on naming a group as every task of it, inner groups included; outputs through it are upstream', () => {
    const a = analyzeDag(DAG, 'x.dag.yaml');
    assert.deepEqual([...a.dag!.tasks.find((t) => t.id === 'load')!.dependsOn], ['eu_orders', 'us_orders']);
    assert.ok(!a.problems.some((p) => p.code === 'output-not-upstream'));
  });

  it('reports a group named like a task, a declared group with no task, a task depending on its own group', () => {
    const out = problems(`groups:
  lonely: {description: nobody}
tasks:
  a: {image: busybox, group: g}
  g: {image: busybox}
  b: {image: busybox, group: g, depends_on: [g]}
`);
    assert.ok(
      out.some((p) => p.startsWith('error group-task-clash: "g" is both a task and a group')),
      out.join('\n'),
    );
    assert.ok(out.some((p) => p.startsWith('warning empty-group: No task is in group "lonely"')));
    const own = problems(
      'tasks:\n  a: {image: busybox, group: g}\n  b: {image: busybox, group: g.x, depends_on: [g]}\n',
    );
    assert.ok(
      own.some((p) => p.startsWith('error group-self-dependency: Task "b" is in group "g"')),
      own.join('\n'),
    );
  });

  it('finds a cycle through a group, and suggests a group for an unknown name', () => {
    const cycle = problems(
      'tasks:\n  a: {image: busybox, group: g, depends_on: [c]}\n  c: {image: busybox, depends_on: [g]}\n',
    );
    assert.ok(
      cycle.some((p) => p.startsWith('error cycle:')),
      cycle.join('\n'),
    );
    const typo = problems(
      'tasks:\n  a: {image: busybox, group: extract}\n  b: {image: busybox, depends_on: [extrct]}\n',
    );
    assert.ok(typo.some((p) => p.includes('Unknown task or group "extrct"') && p.includes('Did you mean "extract"?')));
  });

  it('runs a group by its name: its tasks, and for "from here" everything downstream of them', () => {
    const dag = analyzeDag(DAG, 'x.dag.yaml').dag!;
    assert.ok(isSelectable(dag, 'extract') && isSelectable(dag, 'extract.eu') && !isSelectable(dag, 'nope'));
    assert.deepEqual([...withGroupsExpanded(dag, new Set(['extract']))].sort(), ['eu_orders', 'us_orders']);
    assert.deepEqual([...withGroupsExpanded(dag, new Set(['extract.eu', 'report']))].sort(), ['eu_orders', 'report']);
    assert.deepEqual([...downstreamOf(dag, 'extract.eu')].sort(), ['eu_orders', 'load', 'report']);
  });

  it('gives a group the state of its tasks, as Airflow shows a TaskGroup', () => {
    assert.equal(groupState(['success', 'running']), 'running');
    assert.equal(groupState(['success', 'queued']), 'running');
    assert.equal(groupState(['queued', 'queued']), 'queued');
    assert.equal(groupState(['success', 'failed', 'skipped']), 'failed');
    assert.equal(groupState(['skipped', 'skipped']), 'skipped');
    assert.equal(groupState(['success', 'skipped']), 'success');
    // Tasks a run did not select say nothing about it; a group of only those has no status.
    assert.equal(groupState(['no_status', 'no_status']), 'no_status');
    assert.equal(groupState(['no_status', 'failed']), 'failed');
    assert.equal(groupState(['no_status', 'skipped']), 'skipped');
    const dag = analyzeDag(DAG, 'x.dag.yaml').dag!;
    const g = groupRecords(dag, {
      tasks: {
        eu_orders: { state: 'failed', tries: 1, attempts: [] },
        us_orders: { state: 'success', tries: 1, attempts: [] },
      },
    });
    assert.deepEqual(g.extract, { state: 'failed', tasks: ['eu_orders', 'us_orders'] });
    assert.deepEqual(g['extract.eu'], { state: 'failed', tasks: ['eu_orders'] });
  });
});

describe('services in the format', () => {
  const SERVICES = `services:
  db:
    image: postgres:16
    ports: [5432, "15432:5432"]
    ready: {command: [pg_isready], interval: 1s, timeout: 30s}
  api:
    image: example/api:1
    ports: ["15432:8080", 8080, 8080]
  cache:
    image: redis:7
    ready: {command: [redis-cli, ping], tcp: 6379}
tasks:
  t: {image: busybox, services: [db, dbb]}
`;

  it('builds services with ports and readiness, and tasks with the services they need', () => {
    const a = analyzeDag(SERVICES, 'x.dag.yaml');
    const db = a.dag!.services.get('db')!;
    assert.deepEqual(db.ports, [{ port: 5432 }, { port: 5432, hostPort: 15432 }]);
    assert.deepEqual(db.ready, { command: ['pg_isready'], intervalMs: 1000, timeoutMs: 30_000 });
    assert.deepEqual(a.dag!.tasks[0]!.services, ['db', 'dbb']);
  });

  it('reports unknown services with did-you-mean, missing or double readiness, and ports that clash', () => {
    const out = problems(SERVICES);
    assert.ok(
      out.some((p) => p.startsWith('error unknown-service: Unknown service "dbb". Did you mean "db"?')),
      out.join('\n'),
    );
    assert.ok(out.some((p) => p.startsWith('warning service-not-ready: Service "api" has no `ready` check')));
    assert.ok(out.some((p) => p.startsWith('error service-not-ready: `ready` takes `command` or `tcp`, not both.')));
    assert.ok(out.some((p) => p.startsWith('error port-clash: Host port 15432 is published by "db" already')));
    assert.ok(out.some((p) => p.startsWith('warning port-clash: Port 8080 is listed twice for "api"')));
  });

  it('refuses a service name that is not a host name', () => {
    assert.ok(
      problems('services:\n  My_DB: {image: x, ready: {tcp: 1}}\ntasks:\n  t: {image: busybox}\n').some(
        (p) => p.includes('invalid-name') && p.includes('DNS label'),
      ),
    );
  });
});
