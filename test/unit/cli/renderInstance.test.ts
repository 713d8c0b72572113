import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main, nodeIo, type Io } from '../../../src/cli/main';

const DAG = `tasks:
  list: {image: busybox, outputs: [cities]}
  fetch: {image: busybox, depends_on: [list], expand: {city: "{{ tasks.list.outputs.cities }}", n: [1, 2]}, args: ["{{ item.city }}", "{{ item.n }}", "{{ map_index }}"]}
  grid: {image: busybox, expand: {x: [1, 2], y: [a, b, c]}, args: ["{{ item.x }}{{ item.y }}"]}
  use: {image: busybox, depends_on: [list], args: ["{{ tasks.list.outputs.cities }}"]}
`;

async function cmdOf(task: string): Promise<unknown> {
  const file = join(mkdtempSync(join(tmpdir(), 'cdag-render-')), 'r.dag.yaml');
  writeFileSync(file, DAG);
  let out = '';
  const io: Io = { ...nodeIo, out: (s) => (out += s), err: () => undefined };
  assert.equal(await main(['render', file, '--task', task], io), 0);
  return (JSON.parse(out) as { Cmd: unknown }).Cmd;
}

describe('cdag render of values between tasks', () => {
  it('shows an output not produced yet as where it comes from', async () => {
    assert.deepEqual(await cmdOf('use'), ['<output cities of list>']);
  });

  it('renders an instance of a mapped task (--task ID[i]): a literal item by its index in the cross product, a run-time one as its source', async () => {
    assert.deepEqual(await cmdOf('grid[4]'), ['2b']);
    assert.deepEqual(await cmdOf('fetch[1]'), ['<item city of {{ tasks.list.outputs.cities }}>', '2', '1']);
  });
});
