import { randomBytes } from 'node:crypto';
import { GRAPH_CSS } from '../../graph/styles';

export interface GraphHtmlInput {
  /** The page script, as a webview URI. */
  readonly scriptUri: string;
  /** The layout worker's script, as a webview URI (fetched by the page, started from a blob). */
  readonly workerUri: string;
  /** `webview.cspSource`. */
  readonly cspSource: string;
  readonly title: string;
}

export function makeNonce(): string {
  return randomBytes(18)
    .toString('base64')
    .replace(/[^A-Za-z0-9]/g, '');
}

export const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/**
 * The graph page's HTML: one CSP meta with `default-src 'none'`, scripts and styles only by a
 * nonce made fresh for every render, no inline handlers; all data arrives later by message.
 */
export function graphHtml(input: GraphHtmlInput, nonce = makeNonce()): string {
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${input.cspSource} 'nonce-${nonce}'`,
    `img-src ${input.cspSource} data:`,
    `font-src ${input.cspSource}`,
    // The page fetches the layout worker's code from the bundle and starts it from a blob.
    `connect-src ${input.cspSource}`,
    'worker-src blob:',
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
  body { display: flex; flex-direction: column; }
  #banner { display: none; padding: 4px 10px; background: var(--vscode-inputValidation-errorBackground); border-bottom: 1px solid var(--vscode-inputValidation-errorBorder); }
  #banner.shown { display: block; }
  #toolbar { display: flex; gap: 8px; align-items: center; padding: 6px 10px; border-bottom: 1px solid var(--vscode-panel-border); flex-wrap: wrap; }
  #toolbar vscode-textfield { width: 8.5em; }
  #toolbar vscode-single-select { width: 9.5em; }
  #toolbar .grow { flex: 1; }
  #summary, #run-label { color: var(--vscode-descriptionForeground); }
  #graph { flex: 1; width: 100%; min-height: 0; cursor: grab; }
  #menu { position: fixed; z-index: 10; }
${GRAPH_CSS}
</style>
</head>
<body data-worker="${escapeHtml(input.workerUri)}">
<div id="toolbar">
  <vscode-button id="run">▶ Run DAG</vscode-button>
  <vscode-textfield id="date" placeholder="YYYY-MM-DD" aria-label="Logical date"></vscode-textfield>
  <vscode-single-select id="backend" aria-label="Backend">
    <vscode-option value="docker">Docker</vscode-option>
    <vscode-option value="kubernetes">Kubernetes</vscode-option>
  </vscode-single-select>
  <vscode-single-select id="direction" aria-label="Layout direction">
    <vscode-option value="AUTO">By panel shape</vscode-option>
    <vscode-option value="RIGHT">Left to right</vscode-option>
    <vscode-option value="DOWN">Top down</vscode-option>
  </vscode-single-select>
  <vscode-button id="fit" secondary>Fit</vscode-button>
  <vscode-button id="history" secondary title="Runs by task (Grid) and where the time went (Gantt)">History</vscode-button>
  <vscode-progress-ring id="progress" hidden></vscode-progress-ring>
  <span id="summary"></span><span class="grow"></span><span id="run-label"></span>
</div>
<div id="banner" role="alert"></div>
<svg id="graph" class="cdag-graph" role="img" aria-label="DAG graph"></svg>
<vscode-context-menu id="menu"></vscode-context-menu>
<script nonce="${nonce}" src="${input.scriptUri}"></script>
</body>
</html>`;
}
