import { randomBytes } from 'node:crypto';

export interface GraphHtmlInput {
  /** The page script, as a webview URI. */
  readonly scriptUri: string;
  /** `webview.cspSource`. */
  readonly cspSource: string;
  readonly title: string;
}

export function makeNonce(): string {
  return randomBytes(18)
    .toString('base64')
    .replace(/[^A-Za-z0-9]/g, '');
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/**
 * The graph page's HTML (W1): one CSP meta with `default-src 'none'`, scripts and styles only by a
 * nonce made fresh for every render, no inline handlers; all data arrives later by message.
 */
export function graphHtml(input: GraphHtmlInput, nonce = makeNonce()): string {
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${input.cspSource} 'nonce-${nonce}'`,
    `img-src ${input.cspSource} data:`,
    `font-src ${input.cspSource}`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${escapeHtml(input.title)}</title>
<style nonce="${nonce}">
  html, body { margin: 0; padding: 0; height: 100%; overflow: hidden; background: var(--vscode-editor-background); color: var(--vscode-foreground); font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); }
  #banner { display: none; padding: 4px 10px; background: var(--vscode-inputValidation-errorBackground); border-bottom: 1px solid var(--vscode-inputValidation-errorBorder); }
  #banner.shown { display: block; }
  #toolbar { display: flex; gap: 8px; align-items: center; padding: 4px 10px; border-bottom: 1px solid var(--vscode-panel-border); }
  #toolbar button { background: var(--vscode-button-secondaryBackground); color: var(--vscode-button-secondaryForeground); border: none; padding: 2px 8px; cursor: pointer; }
  #toolbar button:hover { background: var(--vscode-button-secondaryHoverBackground); }
  #graph { width: 100%; height: calc(100% - 34px); cursor: grab; }
  .node rect { fill: var(--vscode-editorWidget-background); stroke: var(--vscode-editorWidget-border, var(--vscode-contrastBorder, #888)); stroke-width: 1px; rx: 6px; }
  .node text { fill: var(--vscode-editor-foreground); font-size: 12px; }
  .node text.image { fill: var(--vscode-descriptionForeground); font-size: 10px; }
  .node:focus { outline: none; }
  .node:focus rect, .node.selected rect { stroke: var(--vscode-focusBorder); stroke-width: 2px; }
  .node.highlight rect { stroke: var(--vscode-editorLink-activeForeground, var(--vscode-focusBorder)); stroke-width: 2px; }
  .edge { fill: none; stroke: var(--vscode-editorWidget-border, var(--vscode-descriptionForeground)); stroke-width: 1.2px; }
  .arrow { fill: var(--vscode-editorWidget-border, var(--vscode-descriptionForeground)); }
</style>
</head>
<body>
<div id="banner" role="alert"></div>
<div id="toolbar"><button id="fit" type="button" title="Fit the graph to the view">Fit</button><span id="summary"></span></div>
<svg id="graph" role="img" aria-label="DAG graph"></svg>
<script nonce="${nonce}" src="${input.scriptUri}"></script>
</body>
</html>`;
}
