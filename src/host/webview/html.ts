// The HTML shell every RNN Lab webview uses: a strict CSP with a fresh crypto nonce, scripts and
// styles only from the extension's dist/webview and media folders, theme colours from CSS variables.
import * as crypto from 'node:crypto';
import * as vscode from 'vscode';

export interface WebviewShell {
  readonly title: string;
  /** dist/webview/<script>.js: one browser bundle per panel. */
  readonly script: string;
  /** Extra stylesheets under dist/webview or media, relative to the extension root. */
  readonly styles?: readonly string[];
  /** The page starts web workers (from blob: URLs of scripts it fetches from its own resources). */
  readonly workers?: boolean;
  /** Serialised into a data attribute so the webview can start before the first message. */
  readonly initialState?: unknown;
}

/** Roots a panel may load from: nothing else on disk is reachable from webview code. */
export function localResourceRoots(extensionUri: vscode.Uri): vscode.Uri[] {
  return [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'media')];
}

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return { enableScripts: true, localResourceRoots: localResourceRoots(extensionUri) };
}

export function renderShell(webview: vscode.Webview, extensionUri: vscode.Uri, shell: WebviewShell): string {
  const nonce = crypto.randomBytes(18).toString('base64');
  const asset = (...path: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...path)).toString();
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource} data:`,
    `style-src ${webview.cspSource} 'unsafe-inline'`, // the toolkit's web components set inline styles
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
    // A webview cannot start a worker from its resource URLs: the page fetches the script and starts it from a blob.
    ...(shell.workers ? [`connect-src ${webview.cspSource}`, 'worker-src blob:'] : []),
  ].join('; ');
  const styles = ['media/webview.css', ...(shell.styles ?? [])]
    .map((s) => `<link rel="stylesheet" href="${asset(...s.split('/'))}">`).join('\n    ');
  const state = escapeAttribute(JSON.stringify(shell.initialState ?? null));
  return `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8">
    <meta http-equiv="Content-Security-Policy" content="${csp}">
    <meta name="viewport" content="width=device-width, initial-scale=1.0">
    ${styles}
    <title>${escapeAttribute(shell.title)}</title>
  </head>
  <body data-initial-state="${state}">
    <div id="app"></div>
    <script nonce="${nonce}" src="${asset('dist', 'webview', `${shell.script}.js`)}"></script>
  </body>
</html>`;
}

function escapeAttribute(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
