// The webview side of messaging: a typed postMessage and the persisted state VS Code keeps across
// hide/show and reloads (used by panel serializers).

interface VsCodeApi<S> {
  postMessage(message: unknown): void;
  getState(): S | undefined;
  setState(state: S): void;
}
declare function acquireVsCodeApi<S>(): VsCodeApi<S>;

let api: VsCodeApi<unknown> | undefined;

export function vscodeApi<S>(): VsCodeApi<S> {
  api ??= acquireVsCodeApi<unknown>();
  return api as VsCodeApi<S>;
}

/** Posts a message of the panel's WebviewToHost union. */
export function post<M extends { type: string }>(message: M): void {
  vscodeApi().postMessage(message);
}

/** Listens for the panel's HostToWebview union; the handler switches exhaustively on `type`. */
export function onMessage<M extends { type: string }>(handler: (message: M) => void): void {
  window.addEventListener('message', (event: MessageEvent<M>) => handler(event.data));
}
