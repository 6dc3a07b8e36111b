// The model: embedding or one-hot input, L recurrent layers (each one or two directions), a dense
// head; forward over a time-major minibatch, backward accumulating into one flat grads buffer.
//
// T = time steps of the window, B = batch, V = vocabulary, E = embedding size, H = hidden size,
// D = directions, G = gates, C = head outputs, L = layers. Buffers are time-major: (T, B, ·).

import type { ModelSpec, ParamEntry } from './spec';
import type { DType, Vec } from './tensor';

/** A minibatch of token ids. Steps t >= lengths[b] are padding: no loss, no effect on the state. */
export interface Batch {
  readonly tokens: Int32Array;      // (T, B) time-major: tokens[t*B + b]
  readonly T: number;
  readonly B: number;
  readonly lengths?: Int32Array;    // (B), each in 1..T; absent = every sequence has length T
}

/**
 * Hidden (and, for lstm, cell) state of every layer and direction, e.g. carried across windows for
 * truncated BPTT. h, c: (L, D, B, H). For direction 1 (right to left) it is the state after step 0.
 */
export interface RecurrentState {
  readonly B: number;
  readonly h: Vec;
  readonly c: Vec | null;           // lstm only
}

/** Anything with a uniform draw in [0, 1): the engine's Rng (src/engine/rng.ts) fits. */
export interface UniformSource {
  uniform(): number;
}

export interface ForwardOptions {
  readonly train: boolean;          // dropout only when true
  readonly state?: RecurrentState;  // initial state (zeros when absent); no gradient flows into it
  readonly rng?: UniformSource;     // required when train and spec.dropout > 0
}

export interface ForwardResult {
  /** (T, B, C), or (B, C) when spec.manyToOne. Owned by the model: valid until the next forward. */
  readonly logits: Vec;
  /** Scratch of the logits' shape for the loss to write dL/dlogits into, then pass to backward. */
  readonly dLogits: Vec;
  /** Final state (at each sequence's own length); owned by the model, copy it to keep it. */
  readonly state: RecurrentState;
}

/** Mean gate activation over the valid positions of the last forward window. */
export interface GateStat {
  readonly layer: number;
  readonly gate: string;            // lstm i, o, f, c; gru z, r, h; rnn a
  readonly mean: number;
  readonly saturated: number;       // share of activations within 0.05 of their range's ends
}

export interface Model {
  readonly spec: ModelSpec;
  readonly dtype: DType;
  readonly layout: readonly ParamEntry[];
  readonly params: Vec;             // flat, paramLayout(spec) order; updated in place by optimizers
  readonly grads: Vec;              // same layout; backward accumulates (+=), zeroGrads clears

  /** A view of one named parameter (see paramLayout), sharing params' memory. */
  param(name: string): Vec;
  /** A view of one named parameter's gradient, sharing grads' memory. */
  grad(name: string): Vec;

  forward(batch: Batch, opts: ForwardOptions): ForwardResult;
  /** Backward through the last forward; dLogits has the logits' shape. Accumulates into grads. */
  backward(dLogits: Vec): void;
  zeroGrads(): void;

  /** ‖∂L/∂a<t>‖ of layer 0 for each t of the last backward (Σ over directions and batch, sqrt). */
  dLdaNorms(): Float64Array;
  /** Gate activation statistics of the last forward, per layer and gate. */
  gateStats(): GateStat[];

  /** A zero state for a batch of B sequences. */
  initialState(B: number): RecurrentState;
  /** One step for one sequence: reads and updates state (B = 1) in place; returns logits (C). */
  step(token: number, state: RecurrentState): Vec;
}
