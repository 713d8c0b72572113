import { envNameOf } from '../dag/secretRefs';
import { describeRequests } from '../runner/hostAccess';
import type { LaunchFailure, RunNotStarted } from '../runner/launchFailure';

/** What each errno means for a runs folder, in a few words. */
const CAUSES: ReadonlyMap<string, string> = new Map([
  ['ENOSPC', 'the disk is full'],
  ['EDQUOT', 'the disk quota is used up'],
  ['EROFS', 'the file system is read-only'],
  ['ENOTDIR', 'a part of the path is a file, not a folder'],
  ['EACCES', 'permission denied'],
  ['EPERM', 'operation not permitted'],
]);

/** The launcher's coded failures as `cdag run` says them: the cause, and the flag or step that fixes it. */
export function launchFailureText(f: Exclude<LaunchFailure, { code: 'host-access-declined' }>): string {
  switch (f.code) {
    case 'runs-folder-unwritable': {
      const cause = CAUSES.get(f.cause);
      return `Cannot write runs to ${f.folder} (${f.cause}${cause ? `: ${cause}` : ''}). Nothing was run. Free space or pick another folder with --runs-dir.`;
    }
    case 'host-access-refused': {
      const paths = [...new Set(f.requests.filter((r) => r.kind === 'host-path').map((r) => r.subject))];
      const flags = [
        ...paths.map((p) => `--allow-host-path ${p}`),
        ...(f.requests.some((r) => r.kind === 'host-network') ? ['--allow-host-network'] : []),
        ...(f.requests.some((r) => r.kind === 'privileged') ? ['--allow-privileged'] : []),
      ];
      return `Refused: ${describeRequests(f.requests)} Nothing was run. If you trust this DAG, allow it for this run with ${flags.join(' ')}.`;
    }
    case 'secrets-missing':
      return `No value for secret${f.names.length > 1 ? 's' : ''} ${f.names.map((m) => `"${m}"`).join(', ')}. Set the environment variable ${f.names.map(envNameOf).join(', ')}, or put it in a .env file beside the DAG.`;
    case 'build-not-delivered':
      return `${f.images.join(', ')} ${f.images.length > 1 ? 'are' : 'is'} built here, and the cluster cannot see this machine's images. Nothing was run. Give --registry HOST (a registry the cluster pulls from) or --load-image COMMAND (e.g. "kind load docker-image", "minikube image load"), or set CDAG_REGISTRY or CDAG_LOAD_IMAGE; or run with --no-build to use the images as already published.`;
    case 'secret-unreadable':
    case 'backend-unavailable':
      return f.message;
  }
}

/** Why one date's run was not started, as `cdag run` says it. */
export function notStartedText(n: RunNotStarted): string {
  const day = n.logicalDate.slice(0, 10);
  return n.code === 'run-locked'
    ? `${n.dag} ${day}: not started: run ${n.holder.run_id} of this DAG and date is live (process ${n.holder.pid} on ${n.holder.host}). Wait for it, or cancel it.`
    : `${n.dag} ${day}: not started: cannot lock the run (${n.cause}).`;
}
