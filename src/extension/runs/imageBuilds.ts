import { dirname } from 'node:path';
import * as vscode from 'vscode';
import type { Dag } from '../../dag/model';
import { buildDagImages } from '../../runner/dagImages';
import { buildContextRequests } from '../../runner/consent';
import { describeRequests } from '../../runner/hostAccess';

/**
 * "Build Images": a DAG's images (or one task's) built on the Docker Engine as `cdag build` does,
 * with progress and cancel, the output in the DAG's channel; only what changed is built.
 */
export async function buildImagesOf(
  doc: vscode.TextDocument,
  dag: Dag,
  dockerHost: string | undefined,
  channel: vscode.OutputChannel,
  only?: ReadonlySet<string>,
): Promise<void> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showErrorMessage(
      'Building images is disabled in Restricted Mode: it runs the Dockerfile’s steps. Trust this workspace to build.',
    );
    return;
  }
  // A context that resolves to a system folder is asked about, as a mount of it would be.
  const requests = buildContextRequests(dag, dirname(doc.uri.fsPath), only);
  if (requests.length) {
    const allow = 'Allow for This Build';
    const choice = await vscode.window.showWarningMessage(
      `${dag.id}: ${describeRequests(requests)} Build anyway?`,
      { modal: true },
      allow,
    );
    if (choice !== allow) return;
  }
  const docker = await import('../../runner/docker/dockerBundle');
  const engine = await docker.connectDocker(dockerHost, process.env);
  if (!engine.succeeded) {
    void vscode.window.showErrorMessage(engine.error);
    return;
  }
  channel.show(true);
  const results = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Building the images of ${dag.id}`, cancellable: true },
    (progress, token) => {
      const stop = new AbortController();
      token.onCancellationRequested(() => stop.abort());
      return buildDagImages(dag, new docker.ImageBuilds(engine.result, dirname(doc.uri.fsPath)), {
        ...(only ? { only } : {}),
        env: process.env,
        onLine: (image, line) => {
          channel.appendLine(`[build ${image}] ${line}`);
          if (/^Step \d+\/\d+ : /.test(line)) progress.report({ message: `${image}: ${line}` });
        },
        signal: stop.signal,
      });
    },
  );
  const failed = results.filter((r) => r.error);
  if (failed.length) {
    void vscode.window.showErrorMessage(
      `${failed.map((r) => r.image).join(', ')} did not build: ${failed[0]!.error!.split('\n')[0]} (the output is in the channel).`,
    );
    return;
  }
  const built = results.filter((r) => r.rebuilt).map((r) => r.image);
  void vscode.window.showInformationMessage(
    built.length
      ? `Built ${built.join(', ')}${results.length > built.length ? `; ${results.length - built.length} up to date` : ''}.`
      : `All ${results.length} image(s) of ${dag.id} are up to date.`,
  );
}
