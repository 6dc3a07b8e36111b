// Messages between the extension host and the training dashboard webview (viewType rnnLab.dashboard).
// Types only: the webview imports them with `import type`. Both sides switch exhaustively on `type`.
import type { MessageTransport } from './transport';
import type { RunStatus, RunTask } from './api';

/** One line of a run's metrics.jsonl, as the dashboard plots it. */
export interface MetricPoint {
  readonly step: number;
  readonly loss: number;
  readonly valLoss?: number;
  readonly lr?: number;
  readonly tokensPerSec?: number;
  readonly gradNorm?: number;     // global, before clipping
  readonly clipped?: boolean;     // the gradient was clipped at this step
  readonly time?: number;         // ms since epoch
  readonly valExactMatch?: number; // seq2seq, at evaluations: share of outputs equal to the target, 0..1
  readonly valBleu?: number;       // seq2seq, at evaluations: corpus BLEU-4, 0..1
}

/** ‖∂L/∂a<t>‖ for t = 1..T of one BPTT window (layer 0), reported at `step`. */
export interface GradWindow {
  readonly step: number;
  readonly norms: readonly number[];
  readonly clipped: boolean;
}

export interface DashboardRun {
  readonly id: string;            // run folder name
  readonly dir: string;           // absolute run folder
  readonly task: RunTask;
  readonly status: RunStatus;
  readonly totalSteps?: number;
  readonly clipNorm?: number;     // from the config snapshot; 0 or absent = no clipping
  readonly tokenizer?: 'char' | 'word';   // from the config snapshot (bits per character for char models)
  readonly bestStep?: number;     // run.json: the step of the lowest validation loss
  readonly modelStep?: number;    // run.json: the step model.onnx holds (the best with validation data, else the latest)
  readonly config: string;        // the config.rnnconfig snapshot as written
  readonly message?: string;      // why it failed or stopped (run.json)
}

/** Live figures that are not a metrics.jsonl column. */
export interface LiveFigures {
  readonly step: number;
  readonly totalSteps: number;
  readonly etaSec: number;
  readonly clipRate: number;
  readonly tokensPerSec: number;
}

export interface RunChoice {
  readonly id: string;
  readonly dir: string;
  readonly task: RunTask;
}

/** Host → dashboard. */
export type HostToDashboard =
  | { readonly type: 'init'; readonly run: DashboardRun; readonly metrics: readonly MetricPoint[];
      readonly grads: readonly GradWindow[]; readonly samples: readonly { readonly step: number; readonly text: string }[];
      readonly live?: LiveFigures;
      /** Run folders to draw beside this one (the webview adds them to its overlays). */
      readonly compare?: readonly string[];
      /** How many gradient windows the heat strip shows: as many as the host keeps for a session. */
      readonly gradWindowsKept: number }
  /** New points since the last message, batched by the host (at most a few posts a second). */
  | { readonly type: 'progress'; readonly metrics: readonly MetricPoint[]; readonly grads: readonly GradWindow[];
      readonly live: LiveFigures }
  | { readonly type: 'sample'; readonly step: number; readonly text: string }
  | { readonly type: 'status'; readonly status: RunStatus; readonly message?: string }
  /** Runs that can be overlaid on the loss chart. */
  | { readonly type: 'runChoices'; readonly runs: readonly RunChoice[] }
  /** Another run on this run's charts: its loss curve, and its latest ‖∂L/∂a<t>‖ windows beside this run's. */
  | { readonly type: 'overlay'; readonly run: RunChoice; readonly metrics: readonly MetricPoint[]; readonly grads: readonly GradWindow[] };

/** Dashboard → host. */
export type DashboardToHost =
  | { readonly type: 'ready' }
  | { readonly type: 'stop' }
  | { readonly type: 'resume' }
  | { readonly type: 'requestOverlay'; readonly dir: string }
  /** The user closed an overlay: the host stops refreshing it. */
  | { readonly type: 'dropOverlay'; readonly dir: string }
  | { readonly type: 'openConfig' };

/** What the webview persists with setState; the panel serializer reopens the run from it. */
export interface DashboardState {
  readonly runDir: string;
  readonly smoothing?: number;    // 0..0.99, EMA weight
  readonly logScale?: boolean;
  readonly overlays?: readonly string[];   // run folders overlaid
}

/** The host's end of a dashboard panel's channel. */
export type DashboardTransport = MessageTransport<HostToDashboard, DashboardToHost>;
