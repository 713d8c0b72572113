import { statSync } from 'node:fs';
import Module from 'node:module';
import { join } from 'node:path';
import { fmt, median } from './stats';

/**
 * The extension host's `vscode` module replaced by a recorder: every namespace, class and function
 * exists and returns a disposable, so `activate` runs its real wiring. This measures our own cost —
 * loading dist/extension.js and calling activate — not VS Code's.
 */
function vscodeRecorder(): unknown {
  const handler: ProxyHandler<() => void> = {
    get(_t, prop) {
      if (prop === Symbol.iterator) return function* () {};
      if (prop === 'then') return undefined;
      if (prop === 'dispose') return () => undefined;
      return proxy;
    },
    set: () => true,
    apply: () => proxy,
    construct: () => proxy as object,
  };
  const proxy: unknown = new Proxy(function () {}, handler);
  // esbuild's interop copies the module's own keys, so the names must exist as properties.
  return Object.fromEntries(VSCODE_API_NAMES.map((name) => [name, proxy]));
}

const VSCODE_API_NAMES = [
  'languages',
  'workspace',
  'window',
  'commands',
  'extensions',
  'env',
  'debug',
  'tasks',
  'l10n',
  'Uri',
  'Range',
  'Position',
  'Selection',
  'Location',
  'Disposable',
  'EventEmitter',
  'CancellationTokenSource',
  'Diagnostic',
  'DiagnosticSeverity',
  'DiagnosticTag',
  'DiagnosticRelatedInformation',
  'CompletionItem',
  'CompletionItemKind',
  'CompletionItemTag',
  'CompletionList',
  'SnippetString',
  'MarkdownString',
  'Hover',
  'WorkspaceEdit',
  'TextEdit',
  'DocumentSymbol',
  'SymbolKind',
  'SymbolInformation',
  'CodeAction',
  'CodeActionKind',
  'CodeLens',
  'ViewColumn',
  'StatusBarAlignment',
  'TreeItem',
  'TreeItemCollapsibleState',
  'ThemeIcon',
  'ThemeColor',
  'ProgressLocation',
  'ConfigurationTarget',
  'FileType',
  'RelativePattern',
  'QuickPickItemKind',
  'TabInputText',
  'ExtensionMode',
  'UIKind',
];

export interface ActivationResult {
  loadMs: number;
  activateMs: number;
  totalMs: number;
  /** Modules that must not load at activation (lazy: dockerode, client-node, elkjs). */
  heavyLoaded: string[];
  bundleKiB: number;
}

const HEAVY =
  /[\\/]node_modules[\\/](dockerode|docker-modem|@kubernetes[\\/]client-node|elkjs|web-tree-sitter)[\\/]|[\\/]dist[\\/](docker|kubernetes|elk|interop)[^\\/]*\.js$/;

export function benchActivation(root: string, runs = 15): ActivationResult {
  const bundle = join(root, 'dist', 'extension.js');
  const recorder = vscodeRecorder();
  const M = Module as unknown as { _load: (req: string, ...rest: unknown[]) => unknown };
  const load = M._load;
  M._load = (req: string, ...rest: unknown[]) => (req === 'vscode' ? recorder : load(req, ...rest));
  const loads: number[] = [];
  const activates: number[] = [];
  let heavyLoaded: string[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      delete require.cache[require.resolve(bundle)];
      const before = new Set(Object.keys(require.cache));
      const t0 = performance.now();
      // The bundle is loaded the way the extension host loads it: require() of a CommonJS file.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const ext = require(bundle) as { activate(ctx: unknown): void };
      const t1 = performance.now();
      const subscriptions: Array<{ dispose(): void }> = [];
      ext.activate({ subscriptions, asAbsolutePath: (p: string) => join(root, p), extensionPath: root });
      const t2 = performance.now();
      for (const s of subscriptions) s.dispose?.();
      loads.push(t1 - t0);
      activates.push(t2 - t1);
      heavyLoaded = Object.keys(require.cache).filter((k) => !before.has(k) && HEAVY.test(k));
    }
  } finally {
    M._load = load;
  }
  // The first load is the cold one a user pays once; report it and the median of warm ones.
  return {
    loadMs: loads[0]!,
    activateMs: median(activates),
    totalMs: loads[0]! + activates[0]!,
    heavyLoaded,
    bundleKiB: Math.round(statSync(bundle).size / 1024),
  };
}

export function printActivation(r: ActivationResult): string[] {
  return [
    `activation: cold load of dist/extension.js ${fmt(r.loadMs)} ms (${r.bundleKiB} KiB) + activate() ${fmt(r.activateMs)} ms = ${fmt(r.totalMs)} ms (target <= 100 ms)`,
    `  heavy modules loaded at activation: ${r.heavyLoaded.length ? r.heavyLoaded.join(', ') : 'none'}`,
  ];
}
