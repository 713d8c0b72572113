import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Answer, LanguageRequest } from '../../language/requests';
import type { WorkerRequest, WorkerResponse } from './languageWorkerMessages';

export interface DocumentVersion {
  readonly uri: string;
  readonly version: number;
  readonly fileName: string;
  getText(): string;
}

/** A worker that parses and queries large files off the extension host's thread; started on first need. */
export class LanguageWorkerClient {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, (r: WorkerResponse) => void>();
  /** Which version of each document the worker has: text is sent once per version. */
  private readonly sent = new Map<string, number>();

  constructor(private readonly distDir: string) {}

  async ask<R extends LanguageRequest>(doc: DocumentVersion, request: R): Promise<Answer<R>> {
    let r = await this.send(doc, request, this.sent.get(doc.uri) !== doc.version);
    if ('error' in r && r.needText) r = await this.send(doc, request, true);
    if ('error' in r) throw new Error(r.error);
    return r.result as Answer<R>;
  }

  forget(uri: string): void {
    this.sent.delete(uri);
  }

  private send(doc: DocumentVersion, request: LanguageRequest, withText: boolean): Promise<WorkerResponse> {
    const worker = this.ensure();
    const id = this.nextId++;
    const msg: WorkerRequest = {
      id,
      uri: doc.uri,
      version: doc.version,
      fileName: doc.fileName,
      request,
      ...(withText ? { text: doc.getText() } : {}),
    };
    if (withText) this.sent.set(doc.uri, doc.version);
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      worker.postMessage(msg);
    });
  }

  private ensure(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(path.join(this.distDir, 'languageWorker.js'));
    w.on('message', (r: WorkerResponse) => {
      this.pending.get(r.id)?.(r);
      this.pending.delete(r.id);
    });
    w.on('error', (e) => this.failAll(`The language worker failed: ${e.message}`));
    w.on('exit', () => {
      this.failAll('The language worker stopped.');
      this.worker = undefined;
      this.sent.clear();
    });
    w.unref();
    this.worker = w;
    return w;
  }

  private failAll(error: string): void {
    for (const [id, resolve] of this.pending) resolve({ id, error });
    this.pending.clear();
  }

  dispose(): void {
    void this.worker?.terminate();
    this.worker = undefined;
  }
}
