import ELK from 'elkjs/lib/elk-api.js';
import type { DagGraph } from '../src/dag/graph';
import { layoutGraph, type Direction, type ElkLike, type GraphLayout } from '../src/graph/layout';

/**
 * Layout in a Web Worker: elkjs's own worker script (dist/graphWorker.js) behind elkjs's API, so
 * the page never blocks while thousands of tasks are laid out. A webview may not start a worker
 * from its resource origin, so the script is fetched and started from a blob (CSP: worker-src blob:).
 */
export class LayoutClient {
  private elk: Promise<ElkLike> | undefined;
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
      return { id, layout: await layoutGraph(graph, direction, await this.start()) };
    } catch (e) {
      this.elk = undefined;
      return { id, error: e instanceof Error ? e.message : String(e) };
    }
  }

  get latest(): number {
    return this.next;
  }
}
