import { parentPort } from 'node:worker_threads';
import { analyzeDag, type Analysis } from '../../dag/analyze';
import { answer } from '../../language/requests';
import type { WorkerRequest, WorkerResponse } from './languageWorkerMessages';

// Runs in a worker thread: large files are parsed and queried here so the extension host never
// blocks on them. One analysis per document version is kept, as the host's cache does.
const cache = new Map<string, { version: number; analysis: Analysis }>();

parentPort?.on('message', (req: WorkerRequest) => {
  let response: WorkerResponse;
  try {
    let entry = cache.get(req.uri);
    if (!entry || entry.version !== req.version) {
      if (req.text === undefined) {
        response = { id: req.id, error: 'text needed', needText: true };
        parentPort?.postMessage(response);
        return;
      }
      entry = { version: req.version, analysis: analyzeDag(req.text, req.fileName) };
      cache.set(req.uri, entry);
    }
    response = { id: req.id, result: answer(entry.analysis, req.request) };
  } catch (e) {
    response = { id: req.id, error: e instanceof Error ? e.message : String(e) };
  }
  parentPort?.postMessage(response);
});
