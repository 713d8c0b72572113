import * as vscode from 'vscode';
import { showRenderedSpec } from './commands/renderedSpecCommand';
import { runCommands, runFromGraph } from './commands/runCommands';
import { validateFileCommand } from './commands/validateFile';
import { GRAPH_VIEW_TYPE, GraphPanels } from './graph/graphPanels';
import { InteropCommands } from './interop/interopCommands';
import { AnalysisCache } from './language/analysisCache';
import { DagLanguage } from './language/dagLanguage';
import { DiagnosticsController, LANGUAGE_ID } from './language/diagnostics';
import { registerLanguageFeatures } from './language/providers';
import { LanguageWorkerClient } from './language/languageWorkerClient';
import { RunCodeLensProvider } from './runs/codeLens';
import { RunController } from './runs/runController';
import { ClusterCommands } from './runs/clusterCommands';
import { Config } from './config';
import { PodDescriptions, POD_SCHEME } from './runs/podDescriptions';
import { RunsTreeProvider, serviceLogId, type RunsNode } from './runs/runsTree';
import { LOG_SCHEME } from './runs/taskLogs';
import { own } from '../util/dict';
import { Home } from './home/home';
import { compareRuns } from './runs/compareRuns';
import { HistoryPanels } from './history/historyPanels';
import { ImageSuggestions } from './home/imageSuggestions';
import type { ImageStatus } from '../runner/docker/imageStatus';
import { analyzeDag } from '../dag/analyze';
import { dirname } from 'node:path';

let runs: RunController | undefined;

/** Commands that complete a walkthrough step (their context key) when they return something truthy: they did it. */
const WALKTHROUGH_DONE: Readonly<Record<string, string>> = {
  'containerDags.newDag': 'containerDags.createdDag',
  'containerDags.insertTemplate': 'containerDags.createdDag',
  'containerDags.showGraph': 'containerDags.shownGraph',
  'containerDags.showTaskLog': 'containerDags.openedLog',
};

/** Wiring only: services are built by constructor, features register themselves; nothing runs until used. */
export function activate(context: vscode.ExtensionContext): void {
  const cache = new AnalysisCache();
  const worker = new LanguageWorkerClient(context.asAbsolutePath('dist'));
  const lang = new DagLanguage(cache, worker);
  const config = new Config();
  const diagnostics = new DiagnosticsController(lang, () => config.validationDebounceMs());
  const log = vscode.window.createOutputChannel('Container DAGs', { log: true });
  runs = new RunController(context, context.secrets, config);
  const pods = new PodDescriptions();
  const clusters = new ClusterCommands(
    config,
    () => runs!.launcher,
    () => {
      tree.refresh();
      void pods.reloadOpen();
    },
    (m) => log.info(m),
  );
  const tree = new RunsTreeProvider(
    () => runs!.runs(),
    (record, taskId) => clusters.describe(record, taskId),
  );
  runs.tree = tree;
  runs.clusters = clusters;
  runs.log = (m) => log.info(m);
  const imageStatus = async (uri: vscode.Uri): Promise<ImageStatus | undefined> => {
    // Only a trusted workspace's DAG may point the editor at a Docker host.
    if (!vscode.workspace.isTrusted || !/\.ya?ml$/.test(uri.path)) return undefined;
    const doc = await vscode.workspace.openTextDocument(uri);
    const dag = analyzeDag(doc.getText(), uri.fsPath).dag;
    if (!dag || !(dag.tasks.some((t) => t.build) || dag.images.size)) return undefined;
    const docker = await import('../runner/docker/dockerBundle');
    const engine = await docker.connectDocker(config.dockerHost(dag.docker.host), process.env);
    return engine.succeeded ? docker.imageStatus(engine.result, dag, dirname(uri.fsPath), process.env) : undefined;
  };
  const home = new Home(runs, tree, config, imageStatus, async () => {
    const docker = await import('../runner/docker/dockerBundle');
    return (await docker.connectDocker(config.dockerHost(), process.env)).succeeded;
  });
  tree.onEmpty = () => home.noRuns();
  tree.isCancelling = (id) => runs!.isCancelling(id);
  const images = new ImageSuggestions(config);
  const interop = new InteropCommands(cache, (m) => log.info(m));
  const graphs = new GraphPanels(context.extensionUri, lang, (m) => log.warn(m), {
    onDidChangeRun: runs.onDidChangeRun,
    latestRunOf: (file) => runs!.latestRunOf(file),
    run: (uri, date, what) => runFromGraph(runs!, uri, date, what),
    backend: () => config.backend(),
    direction: () => config.graphDirection(),
    showLog: async (uri, taskId) => {
      await vscode.commands.executeCommand('containerDags.showTaskLog', uri, taskId);
    },
    showServiceLog: async (uri, service) => {
      const r = runs!.runs().find((x) => x.file === uri.fsPath && own(x.services ?? {}, service));
      if (r) await runs!.openLog(r, serviceLogId(service), 1);
      else void vscode.window.showInformationMessage(`Service ${service} has not run yet.`);
    },
    previewPython: (doc) => interop.graphOf(doc),
    imageStatus,
  });
  const history = new HistoryPanels(context.extensionUri, {
    onDidChangeRun: runs.onDidChangeRun,
    runs: () => runs!.runs(),
    graphOf: async (uri) => (await lang.ask(await vscode.workspace.openTextDocument(uri), { op: 'graph' })).graph,
    openLog: (r, taskId, tryNumber) => runs!.openLog(r, taskId, tryNumber),
    showRunInGraph: (uri, r) => graphs.showRun(uri, r),
  });
  const commands: Record<string, (...args: unknown[]) => unknown> = {
    'containerDags.validateFile': () => validateFileCommand(diagnostics),
    'containerDags.renderTask': () => showRenderedSpec(cache),
    'containerDags.refreshRuns': () => tree.refresh(),
    'containerDags.showGraph': (uri?: unknown) => {
      const target = uriOf(uri) ?? vscode.window.activeTextEditor?.document.uri;
      return target ? graphs.show(target).then(() => true) : undefined;
    },
    'containerDags.showHistory': (arg?: unknown) => {
      // A DAG file (DAGs view, editor, graph), or a DAG's group of runs in DAG Runs.
      const file = (arg as { records?: Array<{ file?: string }> } | undefined)?.records?.[0]?.file;
      const target = uriOf(arg) ?? (file ? vscode.Uri.file(file) : vscode.window.activeTextEditor?.document.uri);
      return target ? history.show(target) : undefined;
    },
    ...runCommands(runs),
    ...home.commands(),
    'containerDags.browseKubeconfig': () => clusters.browseKubeconfig(),
    'containerDags.compareRuns': (node?: unknown) => compareRuns(runs!.runs(), node),
    'containerDags.importAirflow': (uri?: unknown) => interop.importAirflow(uri),
    'containerDags.previewAirflowGraph': async (uri?: unknown) => {
      const target = await interop.pickPython(uri);
      return target ? graphs.show(target) : undefined;
    },
    'containerDags.exportAirflow': () => interop.exportAirflow(),
    'containerDags.exportArgo': () => interop.exportArgo(),
    'containerDags.chooseBackend': () => clusters.chooseBackend(),
    'containerDags.cleanUpPods': () => clusters.cleanUpPods(),
    'containerDags.describePod': async (node?: unknown) => {
      const n = node as RunsNode | undefined;
      if (n?.kind !== 'task') return;
      const d = await clusters.describe(n.record, n.taskId);
      if (typeof d === 'string') {
        void vscode.window.showInformationMessage(d);
        return;
      }
      // Opened beside, and read again while the run's watch of the pod reports changes.
      const reread = async () => {
        const again = await clusters.describe(n.record, n.taskId);
        return typeof again === 'string' ? undefined : again.text;
      };
      const doc = await vscode.workspace.openTextDocument(
        pods.put(n.task.attempts.at(-1)?.container_id ?? n.taskId, d.text, reread),
      );
      await vscode.window.showTextDocument(doc, { preview: true, viewColumn: vscode.ViewColumn.Beside });
    },
  };
  clusters.updateStatus();
  context.subscriptions.push(
    worker,
    diagnostics,
    runs,
    clusters,
    log,
    interop,
    graphs,
    history,
    vscode.window.registerWebviewPanelSerializer(GRAPH_VIEW_TYPE, graphs),
    home,
    ...registerLanguageFeatures(lang, () => images.list()),
    vscode.languages.registerCodeLensProvider({ language: LANGUAGE_ID }, new RunCodeLensProvider(lang)),
    vscode.window.registerTreeDataProvider('containerDags.runs', tree),
    vscode.workspace.registerTextDocumentContentProvider(LOG_SCHEME, runs.logs),
    vscode.workspace.registerTextDocumentContentProvider(POD_SCHEME, pods),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration('containerDags')) return;
      clusters.updateStatus();
      if (e.affectsConfiguration('containerDags.kubernetes') || e.affectsConfiguration('containerDags.backend'))
        home.pods.refresh();
    }),
    ...Object.entries(commands).map(([id, run]) =>
      vscode.commands.registerCommand(id, async (...args: unknown[]) => {
        try {
          const result = await run(...args);
          // The walkthrough's steps complete on what was done, wherever it was done from.
          const done = own(WALKTHROUGH_DONE, id);
          if (done && result) void vscode.commands.executeCommand('setContext', done, true);
          return result;
        } catch (e) {
          // A bug of ours must still say something, and never take the extension host down.
          log.error(`${id} failed`, e);
          void vscode.window.showErrorMessage(
            `Container DAGs: ${(e as Error).message}. Details are in the "Container DAGs" output log.`,
          );
          return undefined;
        }
      }),
    ),
  );
}

/** The file a command is about: a Uri, or a DAGs view item (which carries one). */
export function uriOf(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  const uri = (arg as { uri?: unknown } | undefined)?.uri;
  return uri instanceof vscode.Uri ? uri : undefined;
}

/** Stops running containers, within a deadline of its own, before VS Code goes away. */
export function deactivate(): Promise<void> | undefined {
  return runs?.shutdown();
}
