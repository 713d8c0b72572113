import { parentPort } from 'node:worker_threads';
import { analyzeDag } from '../../dag/analyze';
import type { ValidateRequest, ValidateResponse } from './validationMessages';

// Runs in a worker thread: large files are parsed here so the extension host never blocks on them (Y2).
parentPort?.on('message', (req: ValidateRequest) => {
  let response: ValidateResponse;
  try {
    const a = analyzeDag(req.text, req.fileName);
    response = { id: req.id, problems: [...a.problems] };
  } catch (e) {
    response = { id: req.id, error: e instanceof Error ? e.message : String(e) };
  }
  parentPort?.postMessage(response);
});
