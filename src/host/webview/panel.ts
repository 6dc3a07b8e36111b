// The plumbing every RNN Lab panel shares, in one place: the webview's options and icon, the HTML
// shell, a transport from the panel's ConnectWebview, the webview's 'ready' gating what is posted,
// and the transport's end with the panel's. A panel keeps its own state and message handling:
//
//   this.panel = openPanel({ viewType, title, shell, extensionUri, connect, receive, disposed });
//   this.panel.post(m)          // dropped until the webview said 'ready' (its ready handler posts the state)
import * as vscode from 'vscode';
import type { MessageTransport } from '../../protocol/transport';
import { renderShell, webviewOptions, type WebviewShell } from './html';
import type { ConnectWebview } from './transport';

/** A panel's webview messages: every FromWebview union has a `{ type: 'ready' }` the page posts once started. */
export interface Typed {
  readonly type: string;
}

export interface PanelSpec<FromWebview extends Typed> {
  readonly viewType: string;
  readonly extensionUri: vscode.Uri;
  readonly shell: WebviewShell;
  readonly connect: ConnectWebview;
  /** Every message of the webview, 'ready' included (already counted when this runs). */
  readonly receive: (message: FromWebview) => void | Promise<void>;
  /** The user (or dispose()) closed the panel; the transport is disposed already. */
  readonly disposed?: () => void;
}

export interface OpenedPanel<ToWebview, FromWebview> {
  readonly view: vscode.WebviewPanel;
  readonly transport: MessageTransport<ToWebview, FromWebview>;
  /** The page posted 'ready' since its HTML was last set. */
  readonly isReady: boolean;
  /** Posts once the page is ready; before, nothing (its 'ready' handler sends what it needs). */
  post(message: ToWebview): void;
  /** A fresh page with another shell (the same transport): not ready until it says so again. */
  reload(shell: WebviewShell): void;
}

const defaultColumn = { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true };

/** Creates a panel (beside the editor, keeping focus, its page kept while hidden unless `column` says otherwise). */
export function openPanel<ToWebview, FromWebview extends Typed>(spec: PanelSpec<FromWebview>,
  column: vscode.ViewColumn | { readonly viewColumn: vscode.ViewColumn; readonly preserveFocus?: boolean } = defaultColumn,
  retainContextWhenHidden = true): OpenedPanel<ToWebview, FromWebview> {
  const view = vscode.window.createWebviewPanel(spec.viewType, spec.shell.title, column,
    { ...webviewOptions(spec.extensionUri), retainContextWhenHidden });
  return adoptPanel<ToWebview, FromWebview>(view, spec);
}

/** Fits a panel VS Code made (a serializer's restored one, or openPanel's) with the shared plumbing. */
export function adoptPanel<ToWebview, FromWebview extends Typed>(view: vscode.WebviewPanel,
  spec: PanelSpec<FromWebview>): OpenedPanel<ToWebview, FromWebview> {
  const transport = spec.connect<ToWebview, FromWebview>(view.webview, spec.viewType);
  let ready = false;
  const load = (shell: WebviewShell) => {
    ready = false;
    view.webview.html = renderShell(view.webview, spec.extensionUri, shell);
  };
  view.webview.options = webviewOptions(spec.extensionUri);
  view.iconPath = vscode.Uri.joinPath(spec.extensionUri, 'media', 'rnn-lab.svg');
  load(spec.shell);
  transport.onMessage((m) => {
    if (m.type === 'ready') ready = true;
    return spec.receive(m);
  });
  view.onDidDispose(() => {
    transport.dispose();
    spec.disposed?.();
  });
  return {
    view,
    transport,
    get isReady() { return ready; },
    post(m) { if (ready) transport.post(m); },
    reload: load,
  };
}
