import assert from 'node:assert/strict';
import { analyzeDag } from '../../../src/dag/analyze';
import { toGraph } from '../../../src/dag/graph';
import { drawNode, toMarkup } from '../../../src/graph/draw';
import { taskViews } from '../../../src/graph/taskViews';
import type { RunRecord } from '../../../src/protocol/runRecord';

describe('a task whose image is being built, in the graph', () => {
  it('is drawn as building (its own glyph, class and tooltip) while its attempt builds, and as running once it runs', () => {
    const graph = toGraph(analyzeDag('tasks:\n  a: {build: {context: app}}\n').dag!);
    assert.equal(graph.nodes[0]!.built, true);
    const record = (phase?: 'building'): Pick<RunRecord, 'tasks'> => ({
      tasks: {
        a: { state: 'running', tries: 1, attempts: [{ try: 1, state: 'running', ...(phase ? { phase } : {}) }] },
      },
    });
    const box = { id: 'a', x: 0, y: 0, width: 160, height: 46 };
    const building = toMarkup(drawNode(graph.nodes[0]!, box, taskViews(record('building')).a));
    assert.match(building, /class="node state-running building"/);
    assert.match(building, /<title>a\ncdag\/untitled-a\nbuilding its image · try 1/);
    assert.match(building, />⚒<\/text>/);
    const running = toMarkup(drawNode(graph.nodes[0]!, box, taskViews(record()).a));
    assert.doesNotMatch(running, /building/);
    assert.match(running, />▶<\/text>/);
  });
});
