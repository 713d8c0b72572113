import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

/**
 * The kubeconfig files a connection would read (the setting, else KUBECONFIG, else ~/.kube/config)
 * and whether there is any: told without loading client-node, so a view can say "no kubeconfig".
 */
export function kubeconfigFiles(
  kubeconfig: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): { files: string[]; path: string; found: boolean } {
  const files = kubeconfig ? [kubeconfig] : (env.KUBECONFIG?.split(delimiter).filter(Boolean) ?? []);
  const path = files[0] ?? join(homedir(), '.kube', 'config');
  // A setting or KUBECONFIG naming files that are not there is no kubeconfig either.
  return { files, path, found: (files.length > 0 ? files : [path]).some((f) => existsSync(f)) };
}
