import * as vscode from 'vscode';
import { envNameOf } from '../../dag/secretRefs';
import type { BackendKind } from '../../protocol/runRecord';
import { describeRequests, type SensitiveRequest } from '../../runner/hostAccess';
import type { LaunchFailure, RunNotStarted } from '../../runner/launchFailure';

/** Asks, in a modal, whether this run may have what the DAG asks of the host or node; never remembered. */
export async function askHostAccess(
  dagId: string,
  backend: BackendKind,
  requests: readonly SensitiveRequest[],
): Promise<boolean> {
  const allow = 'Allow for This Run';
  const choice = await vscode.window.showWarningMessage(
    `${dagId} asks for access to the ${backend === 'docker' ? 'host' : 'node'}. ${describeRequests(requests)} Allow it for this run only?`,
    { modal: true },
    allow,
  );
  return choice === allow;
}

/** The launcher's coded failures as VS Code says them, with a button for the fix where there is one. */
export async function showLaunchFailure(f: LaunchFailure): Promise<void> {
  switch (f.code) {
    case 'host-access-declined':
      return;
    case 'host-access-refused':
      void vscode.window.showErrorMessage(`Refused: ${describeRequests(f.requests)}`);
      return;
    case 'runs-folder-unwritable':
      void vscode.window.showErrorMessage(
        `Cannot write runs to ${f.folder} (${f.cause}); nothing was run. Free space on that disk and run again.`,
      );
      return;
    case 'secrets-missing': {
      const choice = await vscode.window.showErrorMessage(
        `No value for secret${f.names.length > 1 ? 's' : ''} ${f.names.map((m) => `"${m}"`).join(', ')}. ` +
          `Set it with "Container DAGs: Set Secret", or as the environment variable ${f.names.map(envNameOf).join(', ')}, ` +
          'or in a .env file beside the DAG.',
        'Set Secret',
      );
      if (choice) await vscode.commands.executeCommand('containerDags.setSecret');
      return;
    }
    case 'build-not-delivered': {
      const open = 'Open Settings';
      void vscode.window
        .showErrorMessage(
          `${f.images.join(', ')} ${f.images.length > 1 ? 'are' : 'is'} built on this machine, and the cluster cannot see its images; nothing was run. Set "Container DAGs › Kubernetes: Registry" (a registry the cluster pulls from) or "Load Image Command" (e.g. "kind load docker-image").`,
          open,
        )
        .then((choice) => {
          if (choice === open)
            void vscode.commands.executeCommand('workbench.action.openSettings', 'containerDags.kubernetes');
        });
      return;
    }
    case 'secret-unreadable':
      void vscode.window.showErrorMessage(f.message);
      return;
    case 'backend-unavailable': {
      // Not awaited: the run ends now, the notification stays until dismissed.
      const choose = 'Choose Backend';
      void vscode.window.showErrorMessage(f.message, choose).then((choice) => {
        if (choice === choose) void vscode.commands.executeCommand('containerDags.chooseBackend');
      });
      return;
    }
  }
}

export function showNotStarted(n: RunNotStarted): void {
  const day = n.logicalDate.slice(0, 10);
  void vscode.window.showErrorMessage(
    n.code === 'run-locked'
      ? `${n.dag} ${day} was not started: run ${n.holder.run_id} of this DAG and date is live (process ${n.holder.pid}). Wait for it, or cancel it.`
      : `${n.dag} ${day} was not started: the run store cannot be locked (${n.cause}).`,
  );
}
