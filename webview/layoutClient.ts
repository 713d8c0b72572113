import ELK from 'elkjs/lib/elk-api.js';
import layeredWorkerCode from 'virtual:layered-worker';
import type { DagGraph } from '../src/dag/graph';
import { layeredLayout } from '../src/graph/layeredLayout';
import { layoutGraph, type Direction, type ElkLike, type GraphLayout } from '../src/graph/layout';

type LayeredReply = { id: number; layout?: GraphLayout; error?: string };

/** Above this many tasks the layered layout runs in its worker (10,000 tasks: about 300 ms). */
export const IN_PAGE_NODES = 3_000;

/**
 * The layered layout (large graphs without groups) in a worker of its own, so the page stays
 * responsive while it runs; where no worker can start, it runs in the page as before.
 */
class LayeredWorker {
  private worker: Worker | undefined | null;
  private next = 0;
  private readonly waiting = new Map<number, (r: LayeredReply) => void>();

  run = async (graph: DagGraph, direction: Direction): Promise<GraphLayout> => {
    // Up to a few thousand tasks the layout takes tens of milliseconds, less than handing the graph
    // to a worker and the layout back (measured: 2,000 tasks' longest main-thread task 78 → 105 ms).
    if (graph.nodes.length <= IN_PAGE_NODES) return layeredLayout(graph, direction);
    const worker = this.start();
    if (!worker) return layeredLayout(graph, direction);
    const id = ++this.next;
    const reply = await new Promise<LayeredReply>((resolve) => {
      this.waiting.set(id, resolve);
      worker.postMessage({ id, graph, direction });
    });
    if (reply.layout) return reply.layout;
    // The worker could not run (it failed to load): this layout, and the next ones, run in the page.
    if (this.worker === null) return layeredLayout(graph, direction);
    throw new Error(reply.error ?? 'the layout worker gave no layout');
  };

  private start(): Worker | null {
    if (this.worker !== undefined) return this.worker;
    try {
      const url = URL.createObjectURL(new Blob([layeredWorkerCode], { type: 'text/javascript' }));
      const w = new Worker(url);
      w.onmessage = (e: MessageEvent<LayeredReply>) => {
        this.waiting.get(e.data.id)?.(e.data);
        this.waiting.delete(e.data.id);
      };
      w.onerror = () => {
        // A worker that fails to load answers nothing: pending layouts run in the page instead.
        this.worker = null;
        for (const resolve of this.waiting.values()) resolve({ id: 0, error: 'the layout worker stopped' });
        this.waiting.clear();
      };
      this.worker = w;
    } catch {
      this.worker = null;
    }
    return this.worker;
  }
}

/**
 * Layout in a Web Worker: elkjs's own worker script (dist/graphWorker.js) behind elkjs's API, so
 * the page never blocks while thousands of tasks are laid out. A webview may not start a worker
 * from its resource origin, so the script is fetched and started from a blob (CSP: worker-src blob:).
 */
export class LayoutClient {
  private elk: Promise<ElkLike> | undefined;
  private readonly layered = new LayeredWorker();
  private next = 0;

  constructor(private readonly scriptUrl: string) {}

  /** Starts the worker now, so loading elkjs overlaps the host's work instead of the first layout. */
  warm(): void {
    void this.start().catch(() => undefined);
  }

  private start(): Promise<ElkLike> {
    this.elk ??= fetch(this.scriptUrl)
      .then((r) => {
        if (!r.ok) throw new Error(`could not load the layout worker (HTTP ${r.status})`);
        return r.text();
      })
      .then((code) => {
        const url = URL.createObjectURL(new Blob([code], { type: 'text/javascript' }));
        return new ELK({ workerFactory: () => new Worker(url) }) as unknown as ElkLike;
      });
    return this.elk;
  }

  /** Only the newest request matters: the caller ignores a reply whose id is no longer `latest`. */
  async layout(graph: DagGraph, direction: Direction): Promise<{ id: number; layout?: GraphLayout; error?: string }> {
    const id = ++this.next;
    try {
      return { id, layout: await layoutGraph(graph, direction, await this.start(), this.layered.run) };
    } catch (e) {
      this.elk = undefined;
      return { id, error: e instanceof Error ? e.message : String(e) };
    }
  }

  get latest(): number {
    return this.next;
  }
}
