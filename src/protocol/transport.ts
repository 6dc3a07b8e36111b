// The seam between two threads or two sides of a webview: a typed, two-way message channel. Panels
// are built with one (production: the webview's postMessage; integration tests: a recording tee
// around it); the inference worker's job runner is driven through one (production: the worker's
// parentPort; unit tests: in memory). Each channel names its own, typed by its two unions
// (DashboardTransport, SamplesTransport, ...). Types only.

export interface Subscription {
  dispose(): void;
}

export interface MessageTransport<Send, Receive> {
  /** Sends one message to the other side; nothing once disposed. */
  post(message: Send): void;
  /**
   * Every message from the other side, in order. A promise the listener returns says when the
   * message is handled: the webview transport does not wait for it, an in-memory one may.
   */
  onMessage(listener: (message: Receive) => void | Promise<void>): Subscription;
  /** Drops the listeners and stops posting. */
  dispose(): void;
}
