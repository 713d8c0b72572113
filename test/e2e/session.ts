import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, startCodeServer, type CodeServer, type StartOptions } from './codeServer';
import { Workbench } from './workbench';

export const VSIX = join(ROOT, 'dist', 'container-dags.vsix');

export interface Session {
  server: CodeServer;
  wb: Workbench;
}

/**
 * Registers the suite's hooks: a code-server with the packaged .vsix installed and a browser on it
 * before the tests, both gone after.
 */
export function workbenchSession(prepare?: () => void, options: StartOptions = {}): Session {
  const s = {} as Session;
  before(async () => {
    assert.ok(existsSync(VSIX), `package the extension first: ${VSIX} is missing (npm run package)`);
    prepare?.();
    s.server = await startCodeServer(VSIX, options);
    s.wb = await Workbench.open(s.server.url);
  });
  after(async () => {
    await s.wb?.close();
    await s.server?.stop();
  });
  return s;
}
