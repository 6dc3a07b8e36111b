// The model: embedding or one-hot input, L recurrent layers (each one or two directions), a dense
// head; forward over a time-major minibatch, backward accumulating into one flat grads buffer.
//
// T = time steps of the window, B = batch, V = vocabulary, E = embedding size, H = hidden size,
// D = directions, G = gates, C = head outputs, L = layers. Buffers are time-major: (T, B, ·).

import { directions, featureSize, gateCount, layerInputSize, paramCount, paramLayout, type ModelSpec, type ParamEntry } from './spec';
import { allocVec, type DType, type Vec } from './tensor';
import { LayerWorkspace, RecurrentLayer, directionViews, type DirectionWeights, type LayerActivations } from './layers/recurrent';
import { embeddingBackward, embeddingForward } from './layers/embedding';
import { denseBackward, denseForward } from './layers/dense';
import { dropoutBackward, dropoutForward, type UniformSource } from './layers/dropout';

// Defined beside the layers that use them (so layers/ never imports this file); re-exported for callers.
export type { LayerActivations, UniformSource };

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
  /** (T, B): 1 = real step, 0 = padding (from batch.lengths); null when the batch has no lengths. */
  readonly mask: Uint8Array | null;
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
  /** Hidden states, gate values (and lstm cells) of every layer over the last forward, copied. */
  activations(): LayerActivations[];

  /** A zero state for a batch of B sequences. */
  initialState(B: number): RecurrentState;
  /** One step for one sequence: reads and updates state (B = 1) in place; returns logits (C). */
  step(token: number, state: RecurrentState): Vec;
}

/** Builds a model with zero parameters (initialise them with init.ts); dtype f32 to train, f64 to check. */
export function createModel(spec: ModelSpec, dtype: DType = 'f32'): Model {
  validateSpec(spec);
  return new RecurrentModel(spec, dtype);
}

/**
 * A copy of a state (models reuse their state buffers, so keep a copy): into `into`'s buffers when
 * it has the same shape, else into fresh ones of from's type. Fresh ones are plain typed arrays, not
 * allocVec's: states are copied at every evaluation and checkpoint, and the WebAssembly arena never
 * frees (forward copies an initial state into its own buffers, so kernels never need it there).
 */
export function copyState(from: RecurrentState, into?: RecurrentState | null): RecurrentState {
  if (into && into.B === from.B && into.h.length === from.h.length && (into.c === null) === (from.c === null)) {
    into.h.set(from.h);
    if (into.c && from.c) into.c.set(from.c);
    return into;
  }
  return { B: from.B, h: from.h.slice(), c: from.c ? from.c.slice() : null };
}

const positiveInt = (v: number) => Number.isInteger(v) && v > 0;

function validateSpec(spec: ModelSpec): void {
  const fail = (field: string, expected: string, got: unknown) => {
    throw new Error(`createModel: spec.${field} must be ${expected}, got ${JSON.stringify(got)}`);
  };
  if (spec.cell !== 'rnn' && spec.cell !== 'gru' && spec.cell !== 'lstm') fail('cell', '"rnn", "gru" or "lstm"', spec.cell);
  if (spec.activation !== 'tanh' && spec.activation !== 'relu') fail('activation', '"tanh" or "relu"', spec.activation);
  if (spec.head !== 'softmax' && spec.head !== 'sigmoid') fail('head', '"softmax" or "sigmoid"', spec.head);
  for (const field of ['vocabSize', 'hidden', 'layers', 'outputs'] as const) {
    if (!positiveInt(spec[field])) fail(field, 'a positive integer', spec[field]);
  }
  if (!Number.isInteger(spec.embedding) || spec.embedding < 0) fail('embedding', 'an integer >= 0 (0 = one-hot)', spec.embedding);
  if (!(spec.dropout >= 0 && spec.dropout < 1)) fail('dropout', 'in [0, 1)', spec.dropout);
}

/**
 * Every buffer a batch of B needs for windows of up to `capacity` steps, allocated once and reused;
 * a window of T <= capacity uses a prefix of each (time-major), so variable-length batches reuse it.
 */
class Workspace {
  T = 0;
  rows = 0;
  readonly tokens: Int32Array;            // (T*B) copy of the batch's tokens
  readonly valid: Uint8Array;             // (T*B)
  hasPadding = false;
  readonly embedded: Vec | null;          // (T*B, E)
  readonly dEmbedded: Vec | null;         // (T*B, E)
  readonly layers: LayerWorkspace[];
  readonly dropMasks: (Vec | null)[];     // per layer (T*B*D*H), for layers below the top one
  readonly dropped: boolean[];
  readonly feats: Vec;                    // (B, D*H) many-to-one features
  readonly dFeats: Vec;                   // (B, D*H)
  private readonly logitsBuffer: Vec;     // (capacity*B, C) or (B, C)
  private readonly dLogitsBuffer: Vec;
  readonly final: RecurrentState;         // (L, D, B, H)
  readonly dLdaSq: Float64Array;          // (capacity)
  readonly result: { logits: Vec; dLogits: Vec; readonly state: RecurrentState; readonly mask: Uint8Array | null };
  private validView: Uint8Array;

  constructor(private readonly spec: ModelSpec, dtype: DType, layers: readonly RecurrentLayer[], readonly capacity: number, readonly B: number) {
    const T = capacity, rows = T * B;
    const DH = featureSize(spec), E = spec.embedding, L = spec.layers;
    const stateSize = L * directions(spec) * B * spec.hidden;
    this.tokens = new Int32Array(rows);
    this.valid = new Uint8Array(rows);
    this.embedded = E > 0 ? allocVec(dtype, rows * E) : null;
    this.dEmbedded = E > 0 ? allocVec(dtype, rows * E) : null;
    this.layers = layers.map((layer) => layer.createWorkspace(T, B));
    this.dropMasks = layers.map((_, l) => (spec.dropout > 0 && l < L - 1 ? allocVec(dtype, rows * DH) : null));
    this.dropped = layers.map(() => false);
    this.feats = allocVec(dtype, spec.manyToOne ? B * DH : 0);
    this.dFeats = allocVec(dtype, spec.manyToOne ? B * DH : 0);
    this.logitsBuffer = allocVec(dtype, (spec.manyToOne ? B : rows) * spec.outputs);
    this.dLogitsBuffer = allocVec(dtype, this.logitsBuffer.length);
    this.final = { B, h: allocVec(dtype, stateSize), c: spec.cell === 'lstm' ? allocVec(dtype, stateSize) : null };
    this.dLdaSq = new Float64Array(T);
    this.validView = this.valid;
    const self = this;
    this.result = {
      logits: this.logitsBuffer, dLogits: this.dLogitsBuffer, state: this.final,
      get mask() { return self.hasPadding ? self.validView : null; },
    };
    this.setWindow(T);
  }

  get logits(): Vec { return this.result.logits; }

  /** Makes the next pass use T (<= capacity) steps: prefixes of every buffer. */
  setWindow(T: number): void {
    if (T === this.T) return;
    this.T = T;
    this.rows = T * this.B;
    for (const layer of this.layers) layer.T = T;
    const logitRows = this.spec.manyToOne ? this.B : this.rows;
    this.result.logits = this.logitsBuffer.subarray(0, logitRows * this.spec.outputs);
    this.result.dLogits = this.dLogitsBuffer.subarray(0, logitRows * this.spec.outputs);
    this.validView = this.valid.subarray(0, this.rows);
  }
}

const MAX_CACHED_BATCH_SIZES = 4;

class RecurrentModel implements Model {
  readonly layout: readonly ParamEntry[];
  readonly params: Vec;
  readonly grads: Vec;
  private readonly byName = new Map<string, ParamEntry>();
  private readonly layers: RecurrentLayer[] = [];
  private readonly workspaces = new Map<number, Workspace>();  // by batch size
  private last: Workspace | null = null;
  private stepWorkspace: Workspace | null = null;
  private lastDLda = new Float64Array(0);
  private readonly D: number;
  private readonly DH: number;

  constructor(readonly spec: ModelSpec, readonly dtype: DType) {
    this.layout = paramLayout(spec);
    for (const entry of this.layout) this.byName.set(entry.name, entry);
    this.params = allocVec(dtype, paramCount(spec));
    this.grads = allocVec(dtype, paramCount(spec));
    this.D = directions(spec);
    this.DH = featureSize(spec);
    for (let l = 0; l < spec.layers; l++) {
      this.layers.push(new RecurrentLayer(spec, l, this.directionViews(this.params, l), this.directionViews(this.grads, l), dtype));
    }
    if (spec.embedding > 0) this.layers[0].useEmbedding(this.param('embedding'), this.grad('embedding'), spec.vocabSize);
  }

  param(name: string): Vec { return this.view(this.params, name); }
  grad(name: string): Vec { return this.view(this.grads, name); }

  zeroGrads(): void { this.grads.fill(0); }

  initialState(B: number): RecurrentState {
    if (!positiveInt(B)) throw new Error(`initialState: B must be a positive integer, got ${B}`);
    const size = this.spec.layers * this.D * B * this.spec.hidden;
    return { B, h: allocVec(this.dtype, size), c: this.spec.cell === 'lstm' ? allocVec(this.dtype, size) : null };
  }

  forward(batch: Batch, opts: ForwardOptions): ForwardResult {
    const { T, B } = batch;
    if (!positiveInt(T) || !positiveInt(B)) throw new Error(`forward: T and B must be positive integers, got T=${T}, B=${B}`);
    if (batch.tokens.length !== T * B) throw new Error(`forward: tokens has ${batch.tokens.length} ids, expected T*B = ${T * B} (time-major)`);
    const ws = this.workspace(T, B);
    this.run(ws, batch.tokens, batch.lengths ?? null, opts);
    this.last = ws;
    return ws.result;
  }

  backward(dLogits: Vec): void {
    const ws = this.last;
    if (!ws) throw new Error('backward: no forward to go back through; call forward first');
    if (dLogits.length !== ws.logits.length) {
      throw new Error(`backward: dLogits has ${dLogits.length} values, expected ${ws.logits.length} (the last forward's logits)`);
    }
    const { spec, DH } = this;
    const L = spec.layers, C = spec.outputs, top = ws.layers[L - 1];
    const headW = this.param('head.W'), dHeadW = this.grad('head.W'), dHeadB = this.grad('head.b');
    let dFinal: Vec | null = null;
    if (spec.manyToOne) {
      denseBackward(ws.dFeats, dHeadW, dHeadB, dLogits, ws.feats, headW, ws.B, DH, C);
      top.dOut.fill(0);
      dFinal = ws.dFeats;
    } else {
      denseBackward(top.dOut, dHeadW, dHeadB, dLogits, top.out, headW, ws.rows, DH, C);
    }
    ws.dLdaSq.fill(0);
    const valid = ws.hasPadding ? ws.result.mask : null;
    for (let l = L - 1; l >= 0; l--) {
      const lws = ws.layers[l], mask = ws.dropMasks[l];
      if (ws.dropped[l] && mask) dropoutBackward(lws.dOut, mask, ws.rows * DH);
      const x = l === 0 ? ws.embedded : ws.layers[l - 1].out;
      const dX = l === 0 ? ws.dEmbedded : ws.layers[l - 1].dOut;
      this.layers[l].backward(lws, x, ws.tokens, dX, valid, l === L - 1 ? dFinal : null, l === 0 ? ws.dLdaSq : null);
    }
    // Through the table (projectsTable), layer 0 has already added the embedding's gradient.
    if (ws.dEmbedded && !this.layers[0].projectsTable(ws.rows)) embeddingBackward(this.grad('embedding'), ws.dEmbedded, ws.tokens, ws.rows, spec.embedding);
    if (this.lastDLda.length !== ws.T) this.lastDLda = new Float64Array(ws.T);  // once per window length
    for (let t = 0; t < ws.T; t++) this.lastDLda[t] = Math.sqrt(ws.dLdaSq[t]);
  }

  dLdaNorms(): Float64Array { return this.lastDLda.slice(); }

  gateStats(): GateStat[] {
    const ws = this.last;
    if (!ws) return [];
    const valid = ws.hasPadding ? ws.result.mask : null;
    return this.layers.flatMap((layer, l) => layer.gateStats(ws.layers[l], valid).map((g) => ({ layer: l, ...g })));
  }

  activations(): LayerActivations[] {
    const ws = this.last;
    if (!ws) return [];
    return this.layers.map((layer, l) => layer.activations(ws.layers[l]));
  }

  step(token: number, state: RecurrentState): Vec {
    if (state.B !== 1) throw new Error(`step: state is for a batch of ${state.B}, expected 1 (from initialState(1))`);
    const ws = (this.stepWorkspace ??= new Workspace(this.spec, this.dtype, this.layers, 1, 1));
    ws.tokens[0] = token;
    this.run(ws, ws.tokens, null, { train: false, state });
    state.h.set(ws.final.h);
    if (state.c && ws.final.c) state.c.set(ws.final.c);
    return ws.logits;
  }

  /** The forward pass on ws (tokens may be ws.tokens itself). */
  private run(ws: Workspace, tokens: Int32Array, lengths: Int32Array | null, opts: ForwardOptions): void {
    const { spec, DH } = this;
    const { T, B, rows } = ws;
    const V = spec.vocabSize, L = spec.layers;
    for (let r = 0; r < rows; r++) {
      const tok = tokens[r];
      if (!(tok >= 0 && tok < V)) {
        throw new Error(`forward: token ${tok} at t=${Math.floor(r / B)}, b=${r % B} is outside the vocabulary 0..${V - 1}`);
      }
      ws.tokens[r] = tok;
    }
    ws.hasPadding = false;
    ws.valid.fill(1, 0, rows);
    if (lengths) {
      if (lengths.length !== B) throw new Error(`forward: lengths has ${lengths.length} entries, expected B = ${B}`);
      for (let b = 0; b < B; b++) {
        const len = lengths[b];
        if (!(Number.isInteger(len) && len >= 1 && len <= T)) throw new Error(`forward: lengths[${b}] = ${len}, expected 1..${T}`);
        for (let t = len; t < T; t++) ws.valid[t * B + b] = 0;
        if (len < T) ws.hasPadding = true;
      }
    }
    const state = opts.state;
    if (state) {
      const size = L * this.D * B * spec.hidden;
      if (state.B !== B || state.h.length !== size || (spec.cell === 'lstm' && (!state.c || state.c.length !== size))) {
        throw new Error(`forward: initial state does not fit: expected B=${B} and h${spec.cell === 'lstm' ? ', c' : ''} of (L, D, B, H) = ${size} values`);
      }
    }
    const dropout = opts.train && spec.dropout > 0;
    if (dropout && L > 1 && !opts.rng) throw new Error('forward: training with dropout needs opts.rng');

    if (ws.embedded && !this.layers[0].projectsTable(rows)) embeddingForward(ws.embedded, this.param('embedding'), ws.tokens, rows, spec.embedding);
    const valid = ws.hasPadding ? ws.result.mask : null;
    for (let l = 0; l < L; l++) {
      const lws = ws.layers[l];
      const x = l === 0 ? ws.embedded : ws.layers[l - 1].out;
      this.layers[l].forward(lws, x, ws.tokens, valid, state ? state.h : null, state ? state.c : null);
      this.layers[l].writeFinalState(lws, ws.final.h, ws.final.c);
      const mask = ws.dropMasks[l];
      ws.dropped[l] = dropout && mask !== null && !!opts.rng;
      if (ws.dropped[l] && mask && opts.rng) dropoutForward(lws.out, mask, rows * DH, spec.dropout, opts.rng);
    }
    const top = ws.layers[L - 1];
    const headW = this.param('head.W'), headB = this.param('head.b');
    if (spec.manyToOne) {
      this.layers[L - 1].readFinalFeatures(top, ws.feats);
      denseForward(ws.logits, ws.feats, headW, headB, B, DH, spec.outputs);
    } else {
      denseForward(ws.logits, top.out, headW, headB, rows, DH, spec.outputs);
    }
  }

  /** The workspace for batches of B, grown when T exceeds its capacity; LRU over batch sizes. */
  private workspace(T: number, B: number): Workspace {
    let ws = this.workspaces.get(B);
    if (ws) this.workspaces.delete(B);  // re-inserted below: the Map's order is least recently used first
    if (!ws || ws.capacity < T) {
      ws = new Workspace(this.spec, this.dtype, this.layers, T, B);
      if (this.workspaces.size >= MAX_CACHED_BATCH_SIZES) this.workspaces.delete(this.workspaces.keys().next().value as number);
    }
    this.workspaces.set(B, ws);
    ws.setWindow(T);
    return ws;
  }

  private view(buffer: Vec, name: string): Vec {
    const entry = this.byName.get(name);
    if (!entry) throw new Error(`model: no parameter "${name}"; expected one of ${this.layout.map((e) => e.name).join(', ')}`);
    return buffer.subarray(entry.offset, entry.offset + entry.size);
  }

  /** Per-direction views of layer l's W (D,GH,I), R (D,GH,H), B (D,2GH), P (D,3H) in buffer. */
  private directionViews(buffer: Vec, l: number): DirectionWeights[] {
    const { spec, D } = this;
    const H = spec.hidden, GH = gateCount(spec.cell) * H, I = layerInputSize(spec, l);
    const W = this.view(buffer, `layer${l}.W`), R = this.view(buffer, `layer${l}.R`), Bias = this.view(buffer, `layer${l}.B`);
    const P = spec.cell === 'lstm' && spec.peephole ? this.view(buffer, `layer${l}.P`) : null;
    return directionViews(W, R, Bias, P, D, GH, H, I);
  }
}
