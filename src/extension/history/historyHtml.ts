import { escapeHtml, makeNonce } from '../graph/graphHtml';

export interface HistoryHtmlInput {
  /** The page script, as a webview URI. */
  readonly scriptUri: string;
  /** `webview.cspSource`. */
  readonly cspSource: string;
  readonly title: string;
}

/** A state's colour: the theme's, as the graph uses them, so both read the same. */
const STATE_COLOURS: ReadonlyArray<[string, string]> = [
  ['success', 'var(--vscode-testing-iconPassed, #388a34)'],
  ['failed', 'var(--vscode-testing-iconFailed, #e51400)'],
  ['running', 'var(--vscode-charts-blue, #1a85ff)'],
  ['queued', 'var(--vscode-descriptionForeground, #717171)'],
  ['up_for_retry', 'var(--vscode-charts-yellow, #bf8803)'],
  ['upstream_failed', 'var(--vscode-charts-orange, #d18616)'],
  ['skipped', 'var(--vscode-disabledForeground, #9e9e9e)'],
  ['cancelled', 'var(--vscode-charts-purple, #652d90)'],
  ['interrupted', 'var(--vscode-charts-purple, #652d90)'],
  ['no_status', 'transparent'],
];

const stateCss = STATE_COLOURS.map(
  ([s, c]) =>
    `.cell.state-${s} { color: ${c}; border-color: ${c}; } .run.state-${s} .bar { background: ${c}; } .attempt.state-${s} { fill: ${c}; }`,
).join('\n');

/**
 * The History page's HTML (Grid and Gantt): the graph page's rules — one CSP with `default-src
 * 'none'`, a fresh nonce per render, no inline handlers; data only by message.
 */
export function historyHtml(input: HistoryHtmlInput, nonce = makeNonce()): string {
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${input.cspSource} 'nonce-${nonce}'`,
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
  html, body { margin: 0; padding: 0; height: 100%; background: var(--vscode-editor-background); color: var(--vscode-foreground); font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); }
  body { display: flex; flex-direction: column; }
  #toolbar { display: flex; gap: 8px; align-items: center; padding: 6px 10px; border-bottom: 1px solid var(--vscode-panel-border); }
  #toolbar select { background: var(--vscode-dropdown-background); color: var(--vscode-dropdown-foreground); border: 1px solid var(--vscode-dropdown-border); padding: 2px 4px; }
  #title { font-weight: 600; }
  #main { flex: 1; min-height: 0; display: flex; flex-direction: column; overflow: hidden; }
  #grid-wrap { flex: 1 1 60%; overflow: auto; min-height: 80px; }
  #bottom { flex: 0 1 40%; display: flex; gap: 12px; overflow: auto; border-top: 1px solid var(--vscode-panel-border); padding: 6px 10px; }
  #details { flex: 0 0 300px; }
  #details dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 10px; margin: 4px 0; }
  #details dt { color: var(--vscode-descriptionForeground); }
  #details dd { margin: 0; overflow-wrap: anywhere; }
  #details h3 { font-size: 1em; margin: 2px 0; overflow-wrap: anywhere; }
  #gantt { flex: 1; min-width: 320px; }
  button { font: inherit; color: inherit; }
  button.log { display: block; margin: 3px 0; background: var(--vscode-button-secondaryBackground); color: var(--vscode-button-secondaryForeground); border: 1px solid var(--vscode-button-border, transparent); padding: 2px 8px; cursor: pointer; }
  table { border-collapse: collapse; }
  tbody tr { height: 20px; }
  th.corner { position: sticky; left: 0; top: 0; z-index: 3; background: var(--vscode-editor-background); color: var(--vscode-descriptionForeground); font-weight: normal; text-align: left; padding: 0 6px; min-width: 180px; }
  th.run-head { position: sticky; top: 0; z-index: 2; background: var(--vscode-editor-background); padding: 0 1px; vertical-align: bottom; }
  button.run { display: flex; flex-direction: column; align-items: center; justify-content: flex-end; gap: 2px; width: 22px; height: 78px; padding: 0 0 2px; background: none; border: 1px solid transparent; cursor: pointer; }
  button.run .bar { display: block; width: 10px; border-radius: 2px 2px 0 0; flex: none; }
  button.run .date { font-size: 9px; line-height: 9px; color: var(--vscode-descriptionForeground); writing-mode: vertical-rl; transform: rotate(180deg); height: 30px; flex: none; }
  button.run[aria-pressed="true"] { border-color: var(--vscode-focusBorder); }
  th.row-head { position: sticky; left: 0; z-index: 1; background: var(--vscode-editor-background); text-align: left; font-weight: normal; white-space: nowrap; padding: 0 6px 0 0; height: 20px; line-height: 18px; max-width: 280px; overflow: hidden; text-overflow: ellipsis; }
  tr.row-group th.row-head { font-weight: 600; }
  button.toggle { background: none; border: none; padding: 0 4px 0 0; cursor: pointer; color: var(--vscode-descriptionForeground); }
  svg.trend { vertical-align: middle; margin-left: 6px; height: 16px; }
  svg.trend path { fill: none; stroke: var(--vscode-descriptionForeground); stroke-width: 1px; }
  svg.trend.slower path { stroke: var(--vscode-charts-orange, #d18616); stroke-width: 1.5px; }
  td { padding: 0; text-align: center; }
  td.cell { width: 20px; min-width: 20px; height: 20px; font-size: 11px; line-height: 20px; cursor: pointer; background: var(--vscode-editorWidget-background); box-shadow: inset 0 0 0 1px var(--vscode-editor-background), inset 0 0 0 2px currentColor; border-radius: 3px; }
  td.cell.state-queued { box-shadow: inset 0 0 0 1px var(--vscode-editor-background); outline: 1px dashed currentColor; outline-offset: -3px; }
  td.cell.state-no_status { color: var(--vscode-panel-border); }
  td.cell:focus { outline: 2px solid var(--vscode-focusBorder); outline-offset: -2px; }
  td.cell.selected { background: var(--vscode-list-activeSelectionBackground, #0060c0); color: var(--vscode-list-activeSelectionForeground, #fff); }
  .gantt-title { color: var(--vscode-descriptionForeground); margin-bottom: 4px; overflow-wrap: anywhere; }
  svg.gantt text { fill: var(--vscode-foreground); font-size: 11px; }
  svg.gantt .tick { stroke: var(--vscode-panel-border); }
  svg.gantt .tick-label { fill: var(--vscode-descriptionForeground); font-size: 10px; }
  svg.gantt .queued { fill: var(--vscode-descriptionForeground); opacity: 0.25; }
  svg.gantt .attempt.critical { stroke: var(--vscode-focusBorder); stroke-width: 2px; }
  svg.gantt .attempt.open { opacity: 0.7; }
${stateCss}
</style>
</head>
<body>
<div id="toolbar"><span id="title"></span><select id="limit" aria-label="How many runs"></select></div>
<div id="main">
  <div id="grid-wrap"><table id="grid" aria-label="Runs by task"></table></div>
  <div id="bottom"><section id="details" aria-live="polite"></section><section id="gantt"></section></div>
</div>
<script nonce="${nonce}" src="${input.scriptUri}"></script>
</body>
</html>`;
}
