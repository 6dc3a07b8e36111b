// Messages between the extension host and the Samples panel webview (viewType rnnLab.samples).
// Types only: the webview imports them with `import type`. Both sides switch exhaustively on `type`.
import type { MessageTransport } from './transport';
import type { SampleLimits, SampleSettings } from './inference';

export type { NumberRange, SampleLimits, SampleNumberKey, SampleSettings } from './inference';

/** A language model the panel can sample from: a run folder or an .onnx file. */
export interface ModelOption {
  readonly path: string;
  readonly label: string;          // run folder or file name
  readonly description: string;    // e.g. "lm · finished"
  readonly settings: SampleSettings; // what the panel starts at for it: its config's sampling, or its last sample's
}

export interface SampleRecord {
  readonly id: number;
  readonly model: string;          // model label
  readonly settings: SampleSettings;
  readonly text: string;           // prime + generated text
  readonly tokens: number;
  readonly status: 'streaming' | 'done' | 'cancelled' | 'failed';
  readonly message?: string;       // why it failed
}

/** Host → Samples panel. */
export type HostToSamples =
  | { readonly type: 'init'; readonly models: readonly ModelOption[]; readonly selected: string | null;
      readonly settings: SampleSettings; readonly limits: SampleLimits; readonly history: readonly SampleRecord[] }
  | { readonly type: 'models'; readonly models: readonly ModelOption[]; readonly selected: string | null }
  /** A sample started: the record with the prime as its text so far. */
  | { readonly type: 'started'; readonly sample: SampleRecord }
  /** Text generated since the last chunk of sample `id`. */
  | { readonly type: 'chunk'; readonly id: number; readonly text: string; readonly tokens: number }
  | { readonly type: 'finished'; readonly id: number; readonly status: 'done' | 'cancelled' | 'failed'; readonly tokens: number; readonly message?: string };

/** Samples panel → host. */
export type SamplesToHost =
  | { readonly type: 'ready' }
  | { readonly type: 'generate'; readonly model: string; readonly settings: SampleSettings }
  | { readonly type: 'cancel' }
  | { readonly type: 'browseModel' }
  | { readonly type: 'copy'; readonly id: number }
  | { readonly type: 'insert'; readonly id: number }
  | { readonly type: 'clearHistory' };

/** The host's end of the Samples panel's channel. */
export type SamplesTransport = MessageTransport<HostToSamples, SamplesToHost>;
