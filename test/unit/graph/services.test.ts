import assert from 'node:assert/strict';
import ELK from 'elkjs/lib/elk.bundled.js';
import { analyzeDag } from '../../../src/dag/analyze';
import { toGraph } from '../../../src/dag/graph';
import { drawGraph, toMarkup } from '../../../src/graph/draw';
import { layoutGraph, structureKey } from '../../../src/graph/layout';
import { serviceViews } from '../../../src/graph/taskViews';
import { asRunRecord } from '../../../src/runner/runRecordShape';
import type { RunRecord } from '../../../src/protocol/runRecord';

const graph = toGraph(
  analyzeDag(
    `services:
  db: {image: postgres:16, ready: {tcp: 5432}}
  unused: {image: redis, ready: {tcp: 6379}}
tasks:
  load: {image: busybox, services: [db]}
  check: {image: busybox, depends_on: [load], services: [db]}
  report: {image: busybox, depends_on: [check]}
`,
    's.dag.yaml',
  ).dag!,
);

describe('services in the graph', () => {
  it('lists the services some task needs, with those tasks (an unused one is not drawn)', () => {
    assert.deepEqual(graph.services, [{ id: 'db', image: 'postgres:16', tasks: ['load', 'check'] }]);
  });

  it('lays services out in a lane of their own: below the tasks left to right, beside them top-down', async () => {
    const elk = new ELK();
    for (const direction of ['RIGHT', 'DOWN'] as const) {
      const layout = await layoutGraph(graph, direction, elk);
      const [db] = layout.services!;
      const bottom = Math.max(...layout.nodes.map((n) => n.y + n.height));
      const right = Math.max(...layout.nodes.map((n) => n.x + n.width));
      if (direction === 'RIGHT') assert.ok(db!.y > bottom, `below the tasks: ${db!.y} > ${bottom}`);
      else assert.ok(db!.x > right, `beside the tasks: ${db!.x} > ${right}`);
      assert.ok(layout.width >= db!.x + db!.width && layout.height >= db!.y + db!.height, 'inside the drawing');
    }
  });

  it('draws a service as a pill with its state from the run record, and its tasks on hover', async () => {
    const layout = await layoutGraph(graph, 'RIGHT', new ELK());
    const record = asRunRecord({
      run_id: 'r',
      dag: 's',
      logical_date: '2024-01-01',
      backend: 'docker',
      state: 'failed',
      tasks: {},
      services: {
        db: { state: 'failed', tasks: ['load', 'check'], exit_code: 3, reason: 'service "db" exited with code 3' },
        bad: { state: 'exploded', tasks: [] },
      },
    }) as RunRecord;
    assert.deepEqual(Object.keys(record.services!), ['db'], 'an entry with an unknown state is dropped');
    const svg = toMarkup(drawGraph(graph, layout, {}, Date.now(), serviceViews(record)));
    assert.match(svg, /<g class="service service-failed" data-service="db" data-tasks="load check"/);
    assert.match(
      svg,
      /<title>service db\npostgres:16\nneeded by load, check\nfailed\nexit code 3\nservice "db" exited with code 3<\/title>/,
    );
    assert.match(svg, /<text [^>]*class="lane-label">services<\/text>/);
  });

  it('lays out again when the services drawn change', () => {
    const without = { ...graph, services: [] };
    assert.notEqual(structureKey(graph, 'RIGHT'), structureKey(without, 'RIGHT'));
  });
});
