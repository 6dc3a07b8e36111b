// What integration tests build panels with: a tee around the real webview transport that records
// every typed message both ways, lets the test post as the webview would, and resolves waits when
// a recorded message matches (on the message's arrival, never on a timer; the timeout only fails).
import * as vscode from 'vscode';
import type { InferenceJob, InferenceService, LabelAnswer } from '../../src/pipeline/inference/inferenceClient';
import type { MessageTransport, Subscription } from '../../src/protocol/transport';
import { connectWebview, type ConnectWebview } from '../../src/host/webview/transport';

/** Resolves with check()'s first defined value, re-checked whenever `changed` fires. */
function whenDefined<T>(what: string, changed: vscode.Event<void>, check: () => T | undefined | false, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const done = (finish: () => void) => { subscription.dispose(); clearTimeout(timer); finish(); };
    const test = () => {
      const value = check();
      if (value !== undefined && value !== false) done(() => resolve(value));
    };
    const subscription = changed(test);
    const timer = setTimeout(() => done(() => reject(new Error(`${what}: not within ${timeoutMs / 1000} s`))), timeoutMs);
    test();
  });
}

export class RecordedTransport<Send, Receive> implements MessageTransport<Send, Receive> {
  /** What the host posted to the webview, in order. */
  readonly sent: Send[] = [];
  /** What the webview (or deliver) posted to the host, in order. */
  readonly received: Receive[] = [];
  disposed = false;
  private readonly listeners = new Set<(message: Receive) => void | Promise<void>>();
  private readonly changes = new vscode.EventEmitter<void>();

  constructor(readonly viewType: string, private readonly inner: MessageTransport<Send, Receive>) {
    inner.onMessage((message) => this.deliver(message));
  }

  post(message: Send): void {
    this.sent.push(message);
    this.inner.post(message);
    this.changes.fire();
  }

  onMessage(listener: (message: Receive) => void | Promise<void>): Subscription {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Hands `message` to the host as if the webview had posted it; resolves once the host handled it. */
  async deliver(message: Receive): Promise<void> {
    this.received.push(message);
    this.changes.fire();
    await Promise.all([...this.listeners].map((listener) => listener(message)));
  }

  dispose(): void {
    this.disposed = true;
    this.inner.dispose();
    this.changes.fire();
  }

  /** Resolves with check()'s value once it is defined, checking again after every message. */
  until<T>(what: string, check: () => T | undefined | false, timeoutMs = 60_000): Promise<T> {
    return whenDefined(`${this.viewType}: ${what}`, this.changes.event, check, timeoutMs);
  }

  /** The newest message the host sent that `match` accepts, waiting for one if there is none yet. */
  sentMatching<M extends Send>(what: string, match: (message: Send) => message is M, timeoutMs?: number): Promise<M> {
    return this.until(what, () => this.sent.filter(match).pop(), timeoutMs);
  }

  /** The newest message the webview sent that `match` accepts, waiting for one if there is none yet. */
  receivedMatching<M extends Receive>(what: string, match: (message: Receive) => message is M, timeoutMs?: number): Promise<M> {
    return this.until(what, () => this.received.filter(match).pop(), timeoutMs);
  }
}

/** A ConnectWebview that records every transport it makes. */
export class TransportRecorder {
  readonly transports: RecordedTransport<unknown, unknown>[] = [];
  private readonly changes = new vscode.EventEmitter<void>();

  readonly connect: ConnectWebview = <Send, Receive>(webview: vscode.Webview, viewType: string) => {
    const transport = new RecordedTransport<Send, Receive>(viewType, connectWebview<Send, Receive>(webview, viewType));
    this.transports.push(transport as RecordedTransport<unknown, unknown>);
    this.changes.fire();
    return transport;
  };

  /** The index-th transport made for `viewType` (0 = the first), waiting for it to be made. */
  nth<Send, Receive>(viewType: string, index = 0, timeoutMs = 60_000): Promise<RecordedTransport<Send, Receive>> {
    return whenDefined(`transport ${index} of ${viewType}`, this.changes.event,
      () => this.transports.filter((t) => t.viewType === viewType)[index] as RecordedTransport<Send, Receive> | undefined, timeoutMs);
  }

  count(viewType: string): number {
    return this.transports.filter((t) => t.viewType === viewType).length;
  }
}

/** One label job as the host's features asked for it and as it ended. */
export interface LabelJobRecord {
  cancelled: boolean;
  answer?: LabelAnswer;
}

/** A tee around the real inference client: every label job, whether it was cancelled and its answer. */
export class RecordingInference implements InferenceService {
  readonly labelJobs: LabelJobRecord[] = [];
  private readonly changes = new vscode.EventEmitter<void>();

  constructor(private readonly inner: InferenceService) {}

  info: InferenceService['info'] = (model) => this.inner.info(model);
  predict: InferenceService['predict'] = (model, region, options) => this.inner.predict(model, region, options);
  sample: InferenceService['sample'] = (model, settings, onText) => this.inner.sample(model, settings, onText);
  translate: InferenceService['translate'] = (model, regions, settings) => this.inner.translate(model, regions, settings);

  label(...args: Parameters<InferenceService['label']>): InferenceJob<LabelAnswer> {
    const job = this.inner.label(...args);
    const record: LabelJobRecord = { cancelled: false };
    this.labelJobs.push(record);
    this.changes.fire();
    const result = job.result.then((answer) => {
      record.answer = answer;
      // Waits re-check on the next turn of the loop, once the caller's await has applied the answer.
      setImmediate(() => this.changes.fire());
      return answer;
    });
    return { id: job.id, result, cancel: () => { record.cancelled = true; this.changes.fire(); job.cancel(); } };
  }

  /** Label jobs that ended with an answer (not cancelled in time). */
  answered(): LabelAnswer[] {
    return this.labelJobs.flatMap((j) => (j.answer ? [j.answer] : []));
  }

  until<T>(what: string, check: () => T | undefined | false, timeoutMs = 60_000): Promise<T> {
    return whenDefined(what, this.changes.event, check, timeoutMs);
  }

  dispose(): void {
    this.inner.dispose();
  }
}
