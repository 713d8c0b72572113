import type { DagGraph } from '../src/dag/graph';
import { layeredLayout } from '../src/graph/layeredLayout';
import type { Direction } from '../src/graph/layout';

/**
 * Our layered layout in a Web Worker of its own: at 10,000 tasks it takes about 300 ms, which on the
 * page's thread was one task that froze it. Its code is inlined into the page's bundle as text and
 * started from a blob, as elkjs's worker is (a webview may not start a worker from its origin).
 */
interface Request {
  readonly id: number;
  readonly graph: DagGraph;
  readonly direction: Direction;
}

const scope = self as unknown as {
  onmessage: ((e: MessageEvent<Request>) => void) | null;
  postMessage(message: unknown): void;
};

scope.onmessage = (e) => {
  const { id, graph, direction } = e.data;
  try {
    scope.postMessage({ id, layout: layeredLayout(graph, direction) });
  } catch (err) {
    scope.postMessage({ id, error: err instanceof Error ? err.message : String(err) });
  }
};
