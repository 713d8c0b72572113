import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Problem } from '../../dag/problem';
import type { ValidateResponse } from './validationMessages';

/** A worker that validates large files off the extension host's thread; started on first need. */
export class WorkerValidator {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, (r: ValidateResponse) => void>();

  constructor(private readonly distDir: string) {}

  validate(text: string, fileName: string): Promise<ValidateResponse> {
    const worker = this.ensure();
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      worker.postMessage({ id, text, fileName });
    });
  }

  private ensure(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(path.join(this.distDir, 'validationWorker.js'));
    w.on('message', (r: ValidateResponse) => {
      this.pending.get(r.id)?.(r);
      this.pending.delete(r.id);
    });
    w.on('error', (e) => this.failAll(`The validation worker failed: ${e.message}`));
    w.on('exit', () => {
      this.failAll('The validation worker stopped.');
      this.worker = undefined;
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

export type { Problem };
