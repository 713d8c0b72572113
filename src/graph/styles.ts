/**
 * The graph's look, shared by the panel and the SVG file. Colours are the theme's `--vscode-*`
 * variables; the fallbacks (VS Code's Light+ values) apply only where no theme defines them, as in
 * an SVG file opened outside VS Code.
 */
export const GRAPH_CSS = `
.cdag-graph { background: var(--vscode-editor-background, #ffffff); font-family: var(--vscode-font-family, -apple-system, "Segoe UI", sans-serif); }
.node rect { fill: var(--vscode-editorWidget-background, #f3f3f3); stroke: var(--vscode-editorWidget-border, #c8c8c8); stroke-width: 1px; }
.node text { fill: var(--vscode-editor-foreground, #1f1f1f); font-size: 12px; }
.node text.image { fill: var(--vscode-descriptionForeground, #616161); font-size: 10px; }
.node text.icon { font-size: 13px; }
.node:focus { outline: none; }
.node path.stack { fill: var(--vscode-editorWidget-background, #f3f3f3); stroke: var(--vscode-editorWidget-border, #c8c8c8); stroke-width: 1px; }
.node text.counts { fill: var(--vscode-descriptionForeground, #616161); font-size: 10px; }
.node text.toggle { cursor: pointer; }
.node text.toggle:hover { fill: var(--vscode-textLink-foreground, #006ab1); text-decoration: underline; }
.group-box rect { fill: var(--vscode-editorWidget-background, #f3f3f3); fill-opacity: 0.35; stroke: var(--vscode-descriptionForeground, #8a8a8a); stroke-width: 1px; stroke-dasharray: 6 3; }
.group-box text.group-label { fill: var(--vscode-descriptionForeground, #616161); font-size: 11px; font-weight: 600; }
.group-box text.toggle { fill: var(--vscode-descriptionForeground, #616161); font-size: 13px; cursor: pointer; }
.node.folded rect { stroke-width: 2px; stroke-dasharray: 6 3; }
.edge { fill: none; stroke: var(--vscode-editorWidget-border, #a0a0a0); stroke-width: 1.2px; }
.arrow { fill: var(--vscode-editorWidget-border, #a0a0a0); }
.node.state-queued rect { stroke: var(--vscode-descriptionForeground, #717171); stroke-dasharray: 4 3; }
.node.state-queued text.icon { fill: var(--vscode-descriptionForeground, #717171); }
.node.state-running rect { stroke: var(--vscode-charts-blue, #1a85ff); stroke-width: 2px; }
.node.state-running text.icon { fill: var(--vscode-charts-blue, #1a85ff); }
.node.state-success rect { stroke: var(--vscode-testing-iconPassed, #388a34); stroke-width: 2px; }
.node.state-success text.icon { fill: var(--vscode-testing-iconPassed, #388a34); }
.node.state-failed rect { stroke: var(--vscode-testing-iconFailed, #e51400); stroke-width: 2px; }
.node.state-failed text.icon { fill: var(--vscode-testing-iconFailed, #e51400); }
.node.state-up_for_retry rect { stroke: var(--vscode-charts-yellow, #bf8803); stroke-width: 2px; }
.node.state-up_for_retry text.icon { fill: var(--vscode-charts-yellow, #bf8803); }
.node.state-upstream_failed rect { stroke: var(--vscode-charts-orange, #d18616); stroke-width: 2px; }
.node.state-upstream_failed text.icon { fill: var(--vscode-charts-orange, #d18616); }
.node.state-skipped rect { stroke: var(--vscode-disabledForeground, #9e9e9e); }
.node.state-skipped text { fill: var(--vscode-disabledForeground, #9e9e9e); }
.node.state-cancelled rect { stroke: var(--vscode-charts-purple, #652d90); stroke-width: 2px; }
.node.state-cancelled text.icon { fill: var(--vscode-charts-purple, #652d90); }

.node.pending rect { stroke: var(--vscode-descriptionForeground, #717171); stroke-dasharray: 4 3; }
.node.pending text.icon { fill: var(--vscode-descriptionForeground, #717171); }
.node.building rect { stroke: var(--vscode-charts-purple, #652d90); stroke-width: 2px; stroke-dasharray: 6 2; }
.node.building text.icon { fill: var(--vscode-charts-purple, #652d90); }
.node.stale rect { stroke: var(--vscode-charts-orange, #d18616); stroke-dasharray: 3 2; }
.node text.stale-badge { fill: var(--vscode-charts-orange, #d18616); font-size: 10px; }
.service rect { fill: var(--vscode-editorWidget-background, #f3f3f3); stroke: var(--vscode-descriptionForeground, #8a8a8a); stroke-width: 1px; stroke-dasharray: 2 3; }
.service text { fill: var(--vscode-editor-foreground, #1f1f1f); font-size: 12px; }
.service text.image { fill: var(--vscode-descriptionForeground, #616161); font-size: 10px; }
.service.service-starting rect { stroke: var(--vscode-charts-blue, #1a85ff); stroke-width: 2px; }
.service.service-ready rect { stroke: var(--vscode-testing-iconPassed, #388a34); stroke-width: 2px; stroke-dasharray: none; }
.service.service-ready text.icon { fill: var(--vscode-testing-iconPassed, #388a34); }
.service.service-failed rect { stroke: var(--vscode-testing-iconFailed, #e51400); stroke-width: 2px; stroke-dasharray: none; }
.service.service-failed text.icon { fill: var(--vscode-testing-iconFailed, #e51400); }
.service.service-stopped text.icon { fill: var(--vscode-descriptionForeground, #717171); }
.service:focus { outline: none; }
.service:focus rect { stroke: var(--vscode-focusBorder, #0090f1); stroke-width: 2.5px; }
.lane-label { fill: var(--vscode-descriptionForeground, #616161); font-size: 11px; font-weight: 600; }
.node.serves rect { stroke: var(--vscode-focusBorder, #0090f1); stroke-width: 2.5px; stroke-dasharray: 2 3; }
/* Last, so they hold on every state: the focus ring is a glow outside the box (the state keeps its
   colour inside it); the editor's cursor tints the box, solid, never dashed like queued or pending. */
.node:focus rect:first-of-type, .node.selected rect:first-of-type { filter: drop-shadow(0 0 1.5px var(--vscode-focusBorder, #0090f1)) drop-shadow(0 0 1.5px var(--vscode-focusBorder, #0090f1)); stroke-width: 2.5px; }
.node:focus:not([class*="state-"]) rect:first-of-type, .node.selected:not([class*="state-"]) rect:first-of-type { stroke: var(--vscode-focusBorder, #0090f1); }
.node.highlight rect:first-of-type { fill: var(--vscode-editor-selectionHighlightBackground, #add6ff80); stroke-width: 2.5px; }
.node.highlight:not([class*="state-"]) rect:first-of-type { stroke: var(--vscode-editorLink-activeForeground, #006ab1); }
`;
