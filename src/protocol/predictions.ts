// Messages between the extension host and the Predictions panel webview (viewType rnnLab.predictions).
// Types only: the webview imports them with `import type`. Both sides switch exhaustively on `type`.
import type { MessageTransport } from './transport';
import type { PredictionResult } from './inference';

export type { Alternative, LayerTrace, PredictedToken, PredictionResult } from './inference';

/** Host → Predictions panel. */
export type HostToPredictions =
  | { readonly type: 'busy'; readonly document: string; readonly model: string }
  | { readonly type: 'show'; readonly document: string; readonly model: string; readonly selection: boolean;
      readonly result: PredictionResult }
  | { readonly type: 'error'; readonly message: string };

/** Predictions panel → host. */
export type PredictionsToHost =
  | { readonly type: 'ready' }
  /** Reveal this range of the document in its editor (the cursor at its start, the range marked). */
  | { readonly type: 'reveal'; readonly start: number; readonly end: number }
  | { readonly type: 'refresh' };

/** The host's end of the Predictions panel's channel. */
export type PredictionsTransport = MessageTransport<HostToPredictions, PredictionsToHost>;
