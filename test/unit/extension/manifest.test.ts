import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

interface Manifest {
  capabilities: { untrustedWorkspaces: { supported: string; restrictedConfigurations: string[] } };
  contributes: { configuration: { properties: Record<string, unknown> } };
}
const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as Manifest;

describe('the extension manifest and Workspace Trust (fault test 5)', () => {
  it('declares limited support: validation and the graph work untrusted, running does not', () => {
    assert.equal(manifest.capabilities.untrustedWorkspaces.supported, 'limited');
  });

  it('makes every setting that decides what runs or where a restricted configuration, so an untrusted workspace cannot set it', () => {
    const decidesWhere = Object.keys(manifest.contributes.configuration.properties).filter((k) =>
      /docker\.host|kubeconfig|context|namespace|maxActiveTasks/i.test(k),
    );
    assert.ok(decidesWhere.includes('containerDags.docker.host'));
    for (const k of decidesWhere)
      assert.ok(
        manifest.capabilities.untrustedWorkspaces.restrictedConfigurations.includes(k),
        `${k} is not restricted`,
      );
  });
});
