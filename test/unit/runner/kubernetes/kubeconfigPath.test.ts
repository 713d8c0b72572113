import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { kubeconfigFiles } from '../../../../src/runner/kubernetes/kubeconfigPath';

describe('which kubeconfig a connection would read, told without client-node', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cdag-kubeconfig-'));
  const real = join(dir, 'config');
  writeFileSync(real, 'apiVersion: v1\nkind: Config\n');
  const missing = join(dir, 'absent', 'config');

  it('reads the setting first, then KUBECONFIG, then ~/.kube/config', () => {
    assert.deepEqual(kubeconfigFiles(real, { KUBECONFIG: missing }).files, [real]);
    assert.deepEqual(kubeconfigFiles(undefined, { KUBECONFIG: `${missing}${delimiter}${real}` }).files, [
      missing,
      real,
    ]);
    assert.equal(kubeconfigFiles(undefined, {}).path, join(homedir(), '.kube', 'config'));
  });

  it('finds no kubeconfig when the setting or every KUBECONFIG entry names a file that is not there (no phantom context)', () => {
    assert.equal(kubeconfigFiles(missing, {}).found, false);
    assert.equal(kubeconfigFiles(missing, { KUBECONFIG: real }).found, false, 'the setting wins, and is missing');
    assert.equal(kubeconfigFiles(undefined, { KUBECONFIG: missing }).found, false);
    assert.equal(kubeconfigFiles(undefined, { KUBECONFIG: `${missing}${delimiter}${real}` }).found, true);
    assert.equal(kubeconfigFiles(real, {}).found, true);
  });
});
