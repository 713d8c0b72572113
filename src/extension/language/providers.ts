import * as vscode from 'vscode';
import type { Completion } from '../../language/completion';
import type { OutlineItem } from '../../language/outline';
import { DIAGNOSTIC_SOURCE } from './convert';
import type { DagLanguage } from './dagLanguage';
import type { ImageSuggestion } from '../home/imageSuggestions';
import { LANGUAGE_ID } from './diagnostics';

const SELECTOR: vscode.DocumentSelector = { language: LANGUAGE_ID };
/** The cursor right after `key: ` (a list item's too). */
const AFTER_KEY = /^\s*(-\s+)?[A-Za-z_][\w.-]*:\s$/;
/** The cursor in an `image:` value, with what is typed of it. */
const IMAGE_VALUE = /^\s*(?:-\s+)?image:\s*["']?([^\s"'#]*)$/;

const COMPLETION_KIND: Record<Completion['kind'], vscode.CompletionItemKind> = {
  key: vscode.CompletionItemKind.Property,
  value: vscode.CompletionItemKind.Value,
  enum: vscode.CompletionItemKind.EnumMember,
  task: vscode.CompletionItemKind.Reference,
  group: vscode.CompletionItemKind.Module,
  service: vscode.CompletionItemKind.Interface,
  volume: vscode.CompletionItemKind.Folder,
  template: vscode.CompletionItemKind.Variable,
  param: vscode.CompletionItemKind.Constant,
  filter: vscode.CompletionItemKind.Function,
};

const SYMBOL_KIND: Record<OutlineItem['kind'], vscode.SymbolKind> = {
  dag: vscode.SymbolKind.Module,
  section: vscode.SymbolKind.Namespace,
  task: vscode.SymbolKind.Function,
  group: vscode.SymbolKind.Namespace,
  volume: vscode.SymbolKind.File,
  param: vscode.SymbolKind.Constant,
  key: vscode.SymbolKind.Property,
};

/** Every language feature, each a thin adapter over the pure language service. */
export function registerLanguageFeatures(
  lang: DagLanguage,
  moreImages?: () => Promise<readonly ImageSuggestion[]>,
): vscode.Disposable[] {
  return [
    vscode.languages.registerCompletionItemProvider(
      SELECTOR,
      {
        async provideCompletionItems(doc, pos, _token, context) {
          const before = doc.lineAt(pos.line).text.slice(0, pos.character);
          // A space opens completion only right after `key: `, where a value list may follow.
          if (context.triggerCharacter === ' ' && !AFTER_KEY.test(before) && !/([[,|]|\{\{[^}]*)\s$/.test(before))
            return undefined;
          const positions = lang.positionsOf(doc);
          const items = await lang.ask(doc, { op: 'complete', offset: positions.offset(pos) });
          const result = items.map((c) => {
            const item = new vscode.CompletionItem(c.label, COMPLETION_KIND[c.kind]);
            item.insertText = c.snippet ? new vscode.SnippetString(c.insertText) : c.insertText;
            item.range = positions.range(c.replace);
            if (c.detail) item.detail = c.detail;
            if (c.documentation) item.documentation = new vscode.MarkdownString(c.documentation);
            if (c.deprecated) item.tags = [vscode.CompletionItemTag.Deprecated];
            return item;
          });
          const typed = IMAGE_VALUE.exec(before);
          if (typed && moreImages) {
            const have = new Set(items.map((c) => c.label));
            const range = new vscode.Range(pos.line, pos.character - typed[1]!.length, pos.line, pos.character);
            for (const s of await moreImages()) {
              if (have.has(s.image)) continue;
              const item = new vscode.CompletionItem(s.image, vscode.CompletionItemKind.Value);
              item.detail = s.detail;
              item.range = range;
              // After the file's own images (sorted by label), the workspace's, then the Engine's.
              item.sortText = `${s.from === 'workspace' ? '~1' : '~2'}${s.image}`;
              result.push(item);
            }
          }
          return result;
        },
      },
      '{',
      '|',
      '.',
      '[',
      ',',
      ' ',
    ),
    vscode.languages.registerHoverProvider(SELECTOR, {
      async provideHover(doc, pos) {
        const positions = lang.positionsOf(doc);
        const h = await lang.ask(doc, { op: 'hover', offset: positions.offset(pos) });
        return h ? new vscode.Hover(new vscode.MarkdownString(h.contents), positions.range(h.range)) : undefined;
      },
    }),
    vscode.languages.registerDefinitionProvider(SELECTOR, {
      async provideDefinition(doc, pos) {
        const positions = lang.positionsOf(doc);
        const r = await lang.ask(doc, { op: 'definition', offset: positions.offset(pos) });
        return r ? new vscode.Location(doc.uri, positions.range(r)) : undefined;
      },
    }),
    vscode.languages.registerReferenceProvider(SELECTOR, {
      async provideReferences(doc, pos, context) {
        const positions = lang.positionsOf(doc);
        const refs = await lang.ask(doc, {
          op: 'references',
          offset: positions.offset(pos),
          includeDeclaration: context.includeDeclaration,
        });
        return refs.map((r) => new vscode.Location(doc.uri, positions.range(r)));
      },
    }),
    vscode.languages.registerRenameProvider(SELECTOR, {
      async prepareRename(doc, pos) {
        const positions = lang.positionsOf(doc);
        const r = await lang.ask(doc, { op: 'prepareRename', offset: positions.offset(pos) });
        if (!r.succeeded) throw new Error(r.error); // VS Code shows a thrown message as the reason
        return { range: positions.range(r.result.range), placeholder: r.result.name };
      },
      async provideRenameEdits(doc, pos, newName) {
        const positions = lang.positionsOf(doc);
        const r = await lang.ask(doc, { op: 'rename', offset: positions.offset(pos), newName });
        if (!r.succeeded) throw new Error(r.error);
        const edit = new vscode.WorkspaceEdit();
        for (const e of r.result) edit.replace(doc.uri, positions.range(e.range), e.newText);
        return edit;
      },
    }),
    vscode.languages.registerDocumentSymbolProvider(SELECTOR, {
      async provideDocumentSymbols(doc) {
        const positions = lang.positionsOf(doc);
        const items = await lang.ask(doc, { op: 'outline' });
        const toSymbol = (o: OutlineItem): vscode.DocumentSymbol => {
          const s = new vscode.DocumentSymbol(
            o.name,
            o.detail ?? '',
            SYMBOL_KIND[o.kind],
            positions.range(o.range),
            positions.range(o.selectionRange),
          );
          s.children = o.children.map(toSymbol);
          return s;
        };
        return items.map(toSymbol);
      },
    }),
    vscode.languages.registerCodeActionsProvider(
      SELECTOR,
      {
        async provideCodeActions(doc, range, context) {
          const positions = lang.positionsOf(doc);
          const problems = await lang.ask(doc, { op: 'problems' });
          const actions: vscode.CodeAction[] = [];
          for (const p of problems) {
            if (!p.fixes?.length) continue;
            const pr = positions.range(p.range);
            if (!pr.intersection(range) && !context.diagnostics.some((d) => d.range.isEqual(pr))) continue;
            const diagnostic = context.diagnostics.find(
              (d) => d.source === DIAGNOSTIC_SOURCE && d.code === p.code && d.range.isEqual(pr),
            );
            for (const f of p.fixes) {
              const action = new vscode.CodeAction(f.title, vscode.CodeActionKind.QuickFix);
              action.edit = new vscode.WorkspaceEdit();
              action.edit.replace(doc.uri, positions.range(f.range), f.newText);
              if (diagnostic) action.diagnostics = [diagnostic];
              action.isPreferred = p.fixes.length === 1;
              actions.push(action);
            }
          }
          return actions;
        },
      },
      { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] },
    ),
  ];
}
