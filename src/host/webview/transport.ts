// How a panel talks to its webview: through a MessageTransport typed by the panel's two message
// unions (src/protocol/transport.ts). Panels take a ConnectWebview and call it once per webview;
// production passes connectWebview (webview.postMessage / onDidReceiveMessage), integration tests a
// function that wraps it to record the typed messages both ways. A new panel needs no test hooks.
import type * as vscode from 'vscode';
import type { MessageTransport, Subscription } from '../../protocol/transport';

export type ConnectWebview = <Send, Receive>(webview: vscode.Webview, viewType: string) => MessageTransport<Send, Receive>;

export const connectWebview: ConnectWebview = <Send, Receive>(webview: vscode.Webview) => {
  const subscriptions = new Set<Subscription>();
  let disposed = false;
  const transport: MessageTransport<Send, Receive> = {
    post(message) {
      if (!disposed) void webview.postMessage(message);
    },
    onMessage(listener) {
      const inner = webview.onDidReceiveMessage((message: Receive) => void listener(message));
      const subscription = { dispose: () => { inner.dispose(); subscriptions.delete(subscription); } };
      subscriptions.add(subscription);
      return subscription;
    },
    dispose() {
      disposed = true;
      for (const s of [...subscriptions]) s.dispose();
    },
  };
  return transport;
};
