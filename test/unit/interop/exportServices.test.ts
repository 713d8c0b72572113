import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { analyzeDag } from '../../../src/dag/analyze';
import type { Dag } from '../../../src/dag/model';
import { exportAirflow } from '../../../src/interop/airflow/exportAirflow';
import { exportArgo } from '../../../src/interop/argo/exportArgo';
import { argoValidator } from '../../support/argoSchema';

function dagOf(text: string): Dag {
  const a = analyzeDag(text, 'x.dag.yaml');
  assert.ok(a.dag && !a.hasErrors, a.problems.map((p) => p.message).join('\n'));
  return a.dag;
}

describe('export of built images', () => {
  it('exports the reference as written and says it must be published where the target pulls', () => {
    const dag = dagOf('images:\n  example/fetch: {context: ./fetch}\ntasks:\n  a: {image: example/fetch}\n');
    const airflow = exportAirflow(dag, 'kubernetes', 'x.dag.yaml');
    assert.match(airflow.python, /image="example\/fetch"/);
    assert.deepEqual(
      airflow.notes.map((n) => `${n.task}: ${n.message}`),
      [
        'a: image example/fetch is built by cdag from ./fetch; Airflow runs it as written, so publish it where Airflow pulls from (cdag build, then docker push or load it into the cluster).',
      ],
    );
    assert.match(
      exportArgo(dag, 'x.dag.yaml').notes[0]!.message,
      /^image example\/fetch is built by cdag .* where Argo pulls from/,
    );
  });
});

describe('export of services', () => {
  const DAG = `dag: x
params: {v: "16"}
services:
  db:
    image: "postgres:{{ params.v }}"
    env: {POSTGRES_DB: "d{{ ds_nodash }}"}
    secrets: {POSTGRES_PASSWORD: db-pw}
    ports: [5432]
    ready: {command: [pg_isready], interval: 2s, timeout: 30s}
  cache: {image: redis, ready: {tcp: 6379}}
kubernetes: {tolerations: [{key: dedicated, operator: Equal, value: etl, effect: NoSchedule}]}
tasks:
  load: {image: busybox, group: g, services: [db, cache]}
  check: {image: busybox, group: g, depends_on: [load], trigger_rule: all_done, services: [db]}
  report: {image: busybox, depends_on: [g]}
`;

  it('says Airflow has no run-scoped services, naming them, and still exports the task', () => {
    const { python, notes } = exportAirflow(dagOf(DAG), 'docker', 'x.dag.yaml');
    const said = notes.filter((n) => n.message.startsWith('services ')).map((n) => `${n.task}: ${n.message}`);
    assert.deepEqual(said, [
      "load: services db, cache: Airflow has no run-scoped services; the task expects them reachable by name, so start them beside Airflow (a container on the task's network, a Kubernetes Service) before the DAG runs.",
      "check: services db: Airflow has no run-scoped services; the task expects it reachable by name, so start it beside Airflow (a container on the task's network, a Kubernetes Service) before the DAG runs.",
    ]);
    assert.match(python, /task_id="load"/);
    assert.ok(!notes.some((n) => n.message.includes('not exported to Airflow yet')));
  });

  it('makes each service an Argo daemon step with its readiness probe, that the tasks needing it wait for and reach by name; valid against Argo’s schema', () => {
    const { yaml, notes } = exportArgo(dagOf(DAG), 'x.dag.yaml');
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a parsed document, read by shape in the asserts
    const doc = parse(yaml) as { spec: { templates: Array<Record<string, any>> } };
    assert.deepEqual(argoValidator()(doc), []);
    const [main, ...templates] = doc.spec.templates;
    const tmpl = (n: string) => templates.find((t) => t.name === n)!;
    const task = (n: string) => main!.dag.tasks.find((t: { name: string }) => t.name === n);
    assert.equal(tmpl('svc-db').daemon, true);
    assert.deepEqual(tmpl('svc-db').tolerations, [
      { key: 'dedicated', operator: 'Equal', value: 'etl', effect: 'NoSchedule' },
    ]);
    assert.equal(tmpl('svc-db').container.image, 'postgres:{{workflow.parameters.v}}');
    assert.deepEqual(tmpl('svc-db').container.readinessProbe, {
      exec: { command: ['pg_isready'] },
      periodSeconds: 2,
      timeoutSeconds: 2,
      failureThreshold: 1,
    });
    // Not ready within 30s fails the daemon, as cdag fails the tasks: a startup probe of 15 tries of 2s.
    assert.equal(tmpl('svc-db').container.startupProbe.failureThreshold, 15);
    assert.deepEqual(tmpl('svc-db').container.env[1], {
      name: 'POSTGRES_PASSWORD',
      valueFrom: { secretKeyRef: { name: 'db-pw', key: 'db-pw' } },
    });
    assert.deepEqual(
      tmpl('svc-cache').container.readinessProbe.tcpSocket,
      { port: 6379 },
      'a number: a string is a port name',
    );
    assert.equal(task('g-load').depends, 'svc-db && svc-cache');
    assert.equal(
      task('g-check').depends,
      '((g-load.Succeeded || g-load.Failed || g-load.Errored || g-load.Skipped || g-load.Omitted)) && svc-db',
    );
    assert.deepEqual(task('g-load').arguments.parameters, [
      { name: 'svc-cache-ip', value: '{{tasks.svc-cache.ip}}' },
      { name: 'svc-db-ip', value: '{{tasks.svc-db.ip}}' },
    ]);
    assert.deepEqual(tmpl('g-load').hostAliases, [
      { ip: '{{inputs.parameters.svc-db-ip}}', hostnames: ['db'] },
      { ip: '{{inputs.parameters.svc-cache-ip}}', hostnames: ['cache'] },
    ]);
    assert.equal(task('report').depends, 'g-load.Succeeded && g-check.Succeeded');
    assert.ok(!notes.some((n) => n.message.includes('services')), JSON.stringify(notes));
  });
});
