// Chart colours read from the VS Code theme's CSS variables, so strokes follow light, dark and
// high-contrast themes; a theme switch (body class change) rebuilds the charts.

export interface ChartTheme {
  readonly foreground: string;
  readonly muted: string;
  readonly grid: string;
  readonly background: string;
  /** Series colours, in order: train, validation, overlays... */
  readonly palette: readonly string[];
  readonly warning: string;       // clipping events
  readonly error: string;
}

function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.body).getPropertyValue(name).trim();
  return v || fallback;
}

export function readTheme(): ChartTheme {
  const foreground = cssVar('--vscode-foreground', '#888');
  return {
    foreground,
    muted: cssVar('--vscode-descriptionForeground', foreground),
    grid: cssVar('--vscode-editorWidget-border', cssVar('--vscode-panel-border', 'rgba(128,128,128,0.3)')),
    background: cssVar('--vscode-editor-background', 'transparent'),
    palette: ['--vscode-charts-blue', '--vscode-charts-orange', '--vscode-charts-green',
      '--vscode-charts-purple', '--vscode-charts-yellow', '--vscode-charts-red']
      .map((n, i) => cssVar(n, ['#3794ff', '#d18616', '#89d185', '#b180d7', '#cca700', '#f14c4c'][i])),
    warning: cssVar('--vscode-editorWarning-foreground', cssVar('--vscode-charts-yellow', '#cca700')),
    error: cssVar('--vscode-errorForeground', '#f14c4c'),
  };
}

/** Calls `onChange` when VS Code switches the theme (it rewrites the body's class list). */
export function onThemeChange(onChange: () => void): void {
  new MutationObserver(onChange).observe(document.body, { attributes: true, attributeFilter: ['class'] });
}
