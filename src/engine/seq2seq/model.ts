// Sequence to sequence with attention: an encoder of stacked (optionally bidirectional) recurrent
// layers, and a one-cell decoder that attends over the encoder's outputs. Training forward and
// backward over a padded batch (teacher forcing with a ratio), and the two inference halves that
// greedy and beam search call (encode once per source, then one decoder step at a time).
// This header is the one place the model's equations are written down (the PyTorch export mirrors it).
//
// Tx, Ty = source and target steps, B = batch, Vs, Vt = vocabularies, E = embedding (0 = one-hot),
// H = encoder hidden per direction, D = directions, L = encoder layers, F = D*H, Hd = F, A = Hd,
// G = gates, Id = (E or Vt) + F, O = Hd + F ("+ F" terms vanish when attention is none).
//
// Encoder (the engine's RecurrentLayer, any cell, as an lm/tag model's layers):
//   x_j = Es[x_j] (or one-hot),  layer l reads layer l-1's outputs,  h_j = [h→_j ; h←_j]  (F)
//   padding: steps j ≥ len are skipped (state carried), so h→'s final state is at len-1 and h←
//   starts there, exactly as ONNX RNN ops with sequence_lens.
// Decoder initial state: s_0 = [h→_final ; h←_final] of the TOP layer (lstm: c_0 likewise). Hd = F
//   makes this a copy, with no bridge weights, for any D; lower layers reach the decoder through the
//   top one. (Bahdanau's tanh(W h←_1) bridge would add a matrix and nothing the decoder cannot learn.)
// Decoder step t = 1..Ty, reading s_{t-1} and the previous token y_{t-1} (y_0 = the start token):
//   scores   e_tj = score(s_{t-1}, h_j) for j < len (masked: alpha = 0 beyond the source's length)
//              additive (Bahdanau):  vᵀ tanh(Ws s_{t-1} + Wh h_j)
//              dot (Luong):          s_{t-1} · h_j
//              general (Luong):      s_{t-1}ᵀ Wa h_j
//   weights  alpha_t = softmax_j(e_tj)                  context  c_t = Σ_j alpha_tj h_j   (F)
//   cell     s_t = cell([Ey[y_{t-1}] ; c_t], s_{t-1})   (the context is part of the cell's input)
//   output   logits_t = Wo [s_t ; c_t] + bo              (and of the output layer's)
//   none:    no scores and no context: s_t = cell(Ey[y_{t-1}], s_{t-1}), logits_t = Wo s_t + bo;
//            the source reaches the decoder only through s_0 (Sutskever et al. 2014).
//   All four kinds share this step order (Bahdanau's: attend with s_{t-1}, then step the cell);
//   dot and general are Luong's score functions in it.
// Keys, once per source: Wh h_j (additive) and Wa h_j (general) do not depend on t, so the encoder
//   side computes them for all j in one GEMM and every decoder step (and every beam hypothesis)
//   reads them; a step costs O(Tx·A) for the scores instead of O(Tx·A·F).
// Teacher forcing: at t ≥ 2 the input y_{t-1} is the true token with probability teacherForcing,
//   else the model's own argmax at t-1 (drawn per step and sequence; no gradient flows through the
//   choice). Loss: mean softmax cross-entropy over real target steps (<eos> included, padding not).
//
// Weights in ONNX layout (spec.ts): decoder.W (1, G*Hd, Id) is one ONNX GRU/LSTM/RNN W whose input
// is the concatenation [token; context], so decoder.onnx steps the cell with the standard op.

import { kernels } from '../kernels';
import { allocVec, dtypeOf, vecFrom, type DType, type Vec } from '../tensor';
import { gateCount, layerInputSize, type ModelSpec, type ParamEntry } from '../spec';
import { LayerWorkspace, RecurrentLayer, directionViews, type DirectionWeights } from '../layers/recurrent';
import { embeddingBackward, embeddingForward } from '../layers/embedding';
import { denseBackward, denseForward } from '../layers/dense';
import { dropoutBackward, dropoutForward } from '../layers/dropout';
import { rnnCellBackward, rnnCellForward } from '../cells/rnn';
import { gruCellBackward, gruCellForward } from '../cells/gru';
import { lstmCellBackward, lstmCellForward } from '../cells/lstm';
import type { UniformSource } from '../model';
import {
  attentionBackward, attentionForward, attentionKeysBackward, attentionKeysForward, keyWidth,
  type AttentionMemory, type AttentionWeights,
} from './attention';
import {
  attentionSize, contextSize, decoderHidden, decoderInputSize, decoderTokenSize, encoderDirections, encoderSpec,
  headInputSize, memorySize, seq2seqLayout, seq2seqParamCount, ATTENTION_KINDS, type Seq2SeqSpec,
} from './spec';

/** A padded, time-major batch of source/target pairs. */
export interface Seq2SeqBatch {
  readonly source: Int32Array;        // (Tx, B) source ids; anything (PAD) at j ≥ sourceLengths[b]
  readonly Tx: number;
  readonly B: number;
  readonly sourceLengths: Int32Array; // (B) each in 1..Tx
  readonly target: Int32Array;        // (Ty, B) the tokens to predict y_1..y_T, <eos> last; PAD after
  readonly Ty: number;
  readonly targetLengths: Int32Array; // (B) each in 1..Ty, counting the <eos>
}

export interface Seq2SeqForwardOptions {
  readonly train: boolean;            // encoder dropout only when true
  readonly startToken: number;        // y_0, the decoder's first input (RNN Lab uses <eos>)
  readonly teacherForcing?: number;   // share of steps t ≥ 2 fed the true previous token; default 1
  readonly forced?: Uint8Array;       // (Ty, B) the choice made explicitly (1 = true token); overrides teacherForcing
  readonly teacherRng?: UniformSource; // draws for teacherForcing < 1
  readonly rng?: UniformSource;       // dropout (train and spec.dropout > 0 with L > 1)
}

export interface Seq2SeqForwardResult {
  /** (Ty, B, Vt). Owned by the model: valid until the next forward. */
  readonly logits: Vec;
  /** Scratch of the logits' shape for the loss's dL/dlogits, then passed to backward. */
  readonly dLogits: Vec;
  /** (Ty, B): 1 on real target steps. */
  readonly mask: Uint8Array;
  /** (Ty, B, Tx) attention weights alpha_t (rows of padded sources are 0 past their length); empty for none. */
  readonly attention: Vec;
  /** (Ty, B) the tokens the decoder read (start, then true or predicted). */
  readonly inputs: Int32Array;
}

/** A decoder state for K rows (hypotheses or sequences): s (K, Hd), lstm c (K, Hd). */
export interface DecoderState {
  readonly K: number;
  readonly h: Vec;
  readonly c: Vec | null;
}

/** The encoded sources (copies, owned by the caller): memory, keys, lengths and each source's s_0. */
export interface EncodedSources extends AttentionMemory {
  readonly state: DecoderState;       // (Bm rows) s_0 of each source
}

export interface DecoderStepResult {
  readonly logits: Vec;               // (K, Vt)
  readonly attention: Vec;            // (K, Tx); empty for none
  readonly state: DecoderState;       // after the step (fresh buffers)
}

export interface Seq2SeqModel {
  readonly spec: Seq2SeqSpec;
  readonly dtype: DType;
  readonly layout: readonly ParamEntry[];
  readonly params: Vec;               // flat, seq2seqLayout(spec) order
  readonly grads: Vec;                // same layout; backward accumulates (+=)
  param(name: string): Vec;
  grad(name: string): Vec;
  zeroGrads(): void;

  forward(batch: Seq2SeqBatch, opts: Seq2SeqForwardOptions): Seq2SeqForwardResult;
  /** Backward through the last forward; dLogits (Ty, B, Vt). Accumulates into grads. */
  backward(dLogits: Vec): void;
  /** ‖∂L/∂a<t>‖ of encoder layer 0 over the source steps of the last backward. */
  dLdaNorms(): Float64Array;

  /** Runs the encoder on (Tx, B) sources (no dropout) and returns copies of what decoding needs. */
  encode(source: Int32Array, Tx: number, B: number, lengths: Int32Array): EncodedSources;
  /** One decoder step for K rows, row k reading source rowOf[k] and feeding token prev[k]. */
  decodeStep(sources: EncodedSources, rowOf: Int32Array, prev: Int32Array, state: DecoderState): DecoderStepResult;
}

export function createSeq2SeqModel(spec: Seq2SeqSpec, dtype: DType = 'f32'): Seq2SeqModel {
  validateSeq2SeqSpec(spec);
  return new AttentionSeq2Seq(spec, dtype);
}

const positiveInt = (v: number) => Number.isInteger(v) && v > 0;

export function validateSeq2SeqSpec(spec: Seq2SeqSpec): void {
  const fail = (field: string, expected: string, got: unknown) => {
    throw new Error(`createSeq2SeqModel: spec.${field} must be ${expected}, got ${JSON.stringify(got)}`);
  };
  if (spec.kind !== 'seq2seq') fail('kind', '"seq2seq"', spec.kind);
  if (spec.cell !== 'rnn' && spec.cell !== 'gru' && spec.cell !== 'lstm') fail('cell', '"rnn", "gru" or "lstm"', spec.cell);
  if (!ATTENTION_KINDS.includes(spec.attention)) fail('attention', ATTENTION_KINDS.map((k) => `"${k}"`).join(', '), spec.attention);
  for (const field of ['sourceVocab', 'targetVocab', 'hidden', 'layers'] as const) {
    if (!positiveInt(spec[field])) fail(field, 'a positive integer', spec[field]);
  }
  if (!Number.isInteger(spec.embedding) || spec.embedding < 0) fail('embedding', 'an integer >= 0 (0 = one-hot)', spec.embedding);
  if (!(spec.dropout >= 0 && spec.dropout < 1)) fail('dropout', 'in [0, 1)', spec.dropout);
}

/** The decoder cell's weights (one direction) and, for the inference path, nothing else. */
interface CellViews { readonly w: DirectionWeights; readonly g: DirectionWeights }

/** Per-step buffers of the decoder, as views (training: step t of the workspace; inference: one step). */
interface StepViews {
  readonly B: number;
  readonly sPrev: Vec; readonly cPrev: Vec | null;    // (B, Hd)
  readonly s: Vec; readonly c: Vec | null;            // (B, Hd)
  readonly gates: Vec;                                // (B, G*Hd)
  readonly extra: Vec;                                // (B, Hd) gru / lstm cache
  readonly x: Vec | null;                             // (B, Id) [Ey[y]; c] when E > 0
  readonly context: Vec;                              // (B, F)
  readonly alpha: Vec;                                // (B, Tx)
  readonly query: Vec;                                // (B, A)
  readonly feats: Vec;                                // (B, O) [s; c]
  readonly tokens: Int32Array;                        // (B) the inputs y_{t-1}
}

/** Everything a training batch of B needs for up to (TxCap, TyCap) steps; prefixes serve shorter batches. */
class Workspace {
  Tx = 0; Ty = 0;
  readonly source: Int32Array;          // (Tx*B)
  readonly valid: Uint8Array;           // (Tx*B)
  hasPadding = false;
  readonly lengths: Int32Array;         // (B)
  readonly embedded: Vec | null;        // (Tx*B, E)
  readonly dEmbedded: Vec | null;
  readonly layers: LayerWorkspace[];
  readonly dropMasks: (Vec | null)[];
  readonly dropped: boolean[];
  readonly keys: Vec;                   // (Tx*B, K) additive/general
  readonly dKeys: Vec;
  readonly S: Vec;                      // (Ty+1, B, Hd) decoder states, S[0] = s_0
  readonly Cc: Vec | null;              // (Ty+1, B, Hd) lstm cells
  readonly gates: Vec;                  // (Ty, B, G*Hd)
  readonly extra: Vec;                  // (Ty, B, Hd)
  readonly X: Vec | null;               // (Ty, B, Id) when E > 0
  readonly context: Vec;                // (Ty, B, F)
  readonly alpha: Vec;                  // (Ty, B, Tx)
  readonly query: Vec;                  // (Ty, B, A)
  readonly feats: Vec;                  // (Ty, B, O)
  readonly logits: Vec;                 // (Ty, B, Vt)
  readonly dLogits: Vec;
  readonly inputs: Int32Array;          // (Ty, B)
  readonly forced: Uint8Array;          // (Ty, B)
  readonly mask: Uint8Array;            // (Ty, B)
  readonly dFeats: Vec;                 // (Ty, B, O)
  readonly dGates: Vec;                 // (Ty, B, G*Hd)
  readonly dRecur: Vec | null;          // (Ty, B, G*Hd) gru resetAfter
  readonly dsA: Vec; readonly dsB: Vec; readonly dcA: Vec; readonly dcB: Vec;  // (B, Hd)
  readonly dX: Vec;                     // (B, Id)
  readonly dContext: Vec;               // (B, F)
  readonly dQuery: Vec;                 // (B, A)
  readonly dScores: Vec;                // (B, Tx)
  readonly recur: Vec;                  // (B, G*Hd) gru scratch
  readonly cellScratch: Vec;            // (B, Hd)
  readonly dLdaSq: Float64Array;        // (Tx)
  perStepHead = false;

  constructor(spec: Seq2SeqSpec, dtype: DType, encoder: readonly RecurrentLayer[], readonly TxCap: number, readonly TyCap: number, readonly B: number) {
    const enc = encoderSpec(spec);
    const rowsX = TxCap * B, rowsY = TyCap * B;
    const E = spec.embedding, F = memorySize(spec), Hd = decoderHidden(spec), A = attentionSize(spec);
    const GH = gateCount(spec.cell) * Hd, Id = decoderInputSize(spec), O = headInputSize(spec), Vt = spec.targetVocab;
    const K = spec.attention === 'additive' || spec.attention === 'general' ? keyWidth(spec.attention, F, Hd, A) : 0;
    const lstm = spec.cell === 'lstm';
    this.source = new Int32Array(rowsX);
    this.valid = new Uint8Array(rowsX);
    this.lengths = new Int32Array(B);
    this.embedded = E > 0 ? allocVec(dtype, rowsX * E) : null;
    this.dEmbedded = E > 0 ? allocVec(dtype, rowsX * E) : null;
    this.layers = encoder.map((layer) => layer.createWorkspace(TxCap, B));
    this.dropMasks = encoder.map((_, l) => (enc.dropout > 0 && l < enc.layers - 1 ? allocVec(dtype, rowsX * F) : null));
    this.dropped = encoder.map(() => false);
    this.keys = allocVec(dtype, rowsX * K);
    this.dKeys = allocVec(dtype, rowsX * K);
    this.S = allocVec(dtype, (TyCap + 1) * B * Hd);
    this.Cc = lstm ? allocVec(dtype, (TyCap + 1) * B * Hd) : null;
    this.gates = allocVec(dtype, rowsY * GH);
    this.extra = allocVec(dtype, rowsY * Hd);
    this.X = E > 0 ? allocVec(dtype, rowsY * Id) : null;
    this.context = allocVec(dtype, rowsY * F);
    this.alpha = allocVec(dtype, spec.attention === 'none' ? 0 : rowsY * TxCap);
    this.query = allocVec(dtype, spec.attention === 'additive' ? rowsY * A : 0);
    this.feats = allocVec(dtype, rowsY * O);
    this.logits = allocVec(dtype, rowsY * Vt);
    this.dLogits = allocVec(dtype, rowsY * Vt);
    this.inputs = new Int32Array(rowsY);
    this.forced = new Uint8Array(rowsY);
    this.mask = new Uint8Array(rowsY);
    this.dFeats = allocVec(dtype, rowsY * O);
    this.dGates = allocVec(dtype, rowsY * GH);
    this.dRecur = spec.cell === 'gru' && spec.resetAfter ? allocVec(dtype, rowsY * GH) : null;
    this.dsA = allocVec(dtype, B * Hd); this.dsB = allocVec(dtype, B * Hd);
    this.dcA = allocVec(dtype, B * Hd); this.dcB = allocVec(dtype, B * Hd);
    this.dX = allocVec(dtype, B * Id);
    this.dContext = allocVec(dtype, B * F);
    this.dQuery = allocVec(dtype, spec.attention === 'additive' ? B * A : 0);
    this.dScores = allocVec(dtype, B * TxCap);
    this.recur = allocVec(dtype, B * GH);
    this.cellScratch = allocVec(dtype, B * Hd);
    this.dLdaSq = new Float64Array(TxCap);
  }

  setShape(Tx: number, Ty: number): void {
    this.Tx = Tx;
    this.Ty = Ty;
    for (const layer of this.layers) layer.T = Tx;
  }
}

/** One step's buffers for K inference rows, reused across steps of the same K. */
class StepWorkspace {
  readonly views: StepViews;
  readonly sPrev: Vec; readonly cPrev: Vec | null;
  constructor(spec: Seq2SeqSpec, dtype: DType, readonly K: number, readonly TxCap: number) {
    const E = spec.embedding, F = memorySize(spec), Hd = decoderHidden(spec), A = attentionSize(spec);
    const GH = gateCount(spec.cell) * Hd, Id = decoderInputSize(spec), O = headInputSize(spec);
    const lstm = spec.cell === 'lstm';
    this.sPrev = allocVec(dtype, K * Hd);
    this.cPrev = lstm ? allocVec(dtype, K * Hd) : null;
    this.views = {
      B: K, sPrev: this.sPrev, cPrev: this.cPrev,
      s: allocVec(dtype, K * Hd), c: lstm ? allocVec(dtype, K * Hd) : null,
      gates: allocVec(dtype, K * GH), extra: allocVec(dtype, K * Hd),
      x: E > 0 ? allocVec(dtype, K * Id) : null, context: allocVec(dtype, K * F),
      alpha: allocVec(dtype, spec.attention === 'none' ? 0 : K * TxCap), query: allocVec(dtype, spec.attention === 'additive' ? K * A : 0),
      feats: allocVec(dtype, K * O), tokens: new Int32Array(K),
    };
  }
}

const MAX_CACHED_BATCH_SIZES = 4;

class AttentionSeq2Seq implements Seq2SeqModel {
  readonly layout: readonly ParamEntry[];
  readonly params: Vec;
  readonly grads: Vec;
  private readonly byName = new Map<string, ParamEntry>();
  private readonly encoder: RecurrentLayer[] = [];
  private readonly enc: ModelSpec;
  private readonly cell: CellViews;
  private readonly att: AttentionWeights;
  private readonly dAtt: AttentionWeights;
  private readonly inputBias: Vec;     // (G*Hd) what the decoder's input projection adds
  private readonly workspaces = new Map<number, Workspace>();
  private readonly stepWorkspaces = new Map<number, StepWorkspace>();
  private last: Workspace | null = null;
  private lastDLda = new Float64Array(0);
  private readonly F: number; private readonly Hd: number; private readonly A: number; private readonly K: number;
  private readonly E: number; private readonly Id: number; private readonly O: number; private readonly GH: number;
  private readonly Vt: number; private readonly Ctx: number;

  constructor(readonly spec: Seq2SeqSpec, readonly dtype: DType) {
    this.layout = seq2seqLayout(spec);
    for (const entry of this.layout) this.byName.set(entry.name, entry);
    this.params = allocVec(dtype, seq2seqParamCount(spec));
    this.grads = allocVec(dtype, seq2seqParamCount(spec));
    this.enc = encoderSpec(spec);
    this.F = memorySize(spec); this.Hd = decoderHidden(spec); this.A = attentionSize(spec);
    this.K = spec.attention === 'none' ? 0 : keyWidth(spec.attention, this.F, this.Hd, this.A);
    this.E = spec.embedding; this.Id = decoderInputSize(spec); this.O = headInputSize(spec);
    this.GH = gateCount(spec.cell) * this.Hd; this.Vt = spec.targetVocab; this.Ctx = contextSize(spec);
    const D = encoderDirections(spec), H = spec.hidden, encGH = gateCount(spec.cell) * H;
    const peep = spec.cell === 'lstm' && spec.peephole;
    for (let l = 0; l < spec.layers; l++) {
      const I = layerInputSize(this.enc, l);
      const views = (buffer: Vec) => directionViews(this.view(buffer, `encoder.layer${l}.W`), this.view(buffer, `encoder.layer${l}.R`),
        this.view(buffer, `encoder.layer${l}.B`), peep ? this.view(buffer, `encoder.layer${l}.P`) : null, D, encGH, H, I);
      this.encoder.push(new RecurrentLayer(this.enc, l, views(this.params), views(this.grads), dtype));
    }
    const cellViews = (buffer: Vec) => directionViews(this.view(buffer, 'decoder.W'), this.view(buffer, 'decoder.R'),
      this.view(buffer, 'decoder.B'), peep ? this.view(buffer, 'decoder.P') : null, 1, this.GH, this.Hd, this.Id)[0];
    this.cell = { w: cellViews(this.params), g: cellViews(this.grads) };
    const attViews = (buffer: Vec): AttentionWeights => ({
      Ws: spec.attention === 'additive' ? this.view(buffer, 'attention.Ws') : null,
      Wh: spec.attention === 'additive' ? this.view(buffer, 'attention.Wh') : null,
      v: spec.attention === 'additive' ? this.view(buffer, 'attention.v') : null,
      Wa: spec.attention === 'general' ? this.view(buffer, 'attention.Wa') : null,
    });
    this.att = attViews(this.params);
    this.dAtt = attViews(this.grads);
    this.inputBias = allocVec(dtype, this.GH);
  }

  param(name: string): Vec { return this.view(this.params, name); }
  grad(name: string): Vec { return this.view(this.grads, name); }
  zeroGrads(): void { this.grads.fill(0); }
  dLdaNorms(): Float64Array { return this.lastDLda.slice(); }

  forward(batch: Seq2SeqBatch, opts: Seq2SeqForwardOptions): Seq2SeqForwardResult {
    const { Tx, Ty, B } = batch;
    if (!positiveInt(Tx) || !positiveInt(Ty) || !positiveInt(B)) throw new Error(`seq2seq forward: Tx, Ty and B must be positive integers, got Tx=${Tx}, Ty=${Ty}, B=${B}`);
    if (batch.target.length !== Ty * B) throw new Error(`seq2seq forward: target has ${batch.target.length} ids, expected Ty*B = ${Ty * B} (time-major)`);
    if (batch.targetLengths.length !== B) throw new Error(`seq2seq forward: targetLengths has ${batch.targetLengths.length} entries, expected B = ${B}`);
    const ws = this.workspace(Tx, Ty, B);
    this.runEncoder(ws, batch.source, batch.sourceLengths, opts.train, opts.rng);
    const Vt = this.Vt;
    for (let r = 0; r < Ty * B; r++) {
      const y = batch.target[r];
      if (!(y >= 0 && y < Vt)) throw new Error(`seq2seq forward: target ${y} at t=${Math.floor(r / B)}, b=${r % B} is outside the target vocabulary 0..${Vt - 1}`);
    }
    ws.mask.fill(0, 0, Ty * B);
    for (let b = 0; b < B; b++) {
      const len = batch.targetLengths[b];
      if (!(Number.isInteger(len) && len >= 1 && len <= Ty)) throw new Error(`seq2seq forward: targetLengths[${b}] = ${len}, expected 1..${Ty}`);
      for (let t = 0; t < len; t++) ws.mask[t * B + b] = 1;
    }
    this.chooseForcing(ws, opts);
    this.runDecoder(ws, batch.target, opts.startToken);
    this.last = ws;
    const rows = Ty * B;
    return {
      logits: ws.logits.subarray(0, rows * Vt), dLogits: ws.dLogits.subarray(0, rows * Vt), mask: ws.mask.subarray(0, rows),
      attention: ws.alpha.subarray(0, this.spec.attention === 'none' ? 0 : rows * Tx), inputs: ws.inputs.subarray(0, rows),
    };
  }

  backward(dLogits: Vec): void {
    const ws = this.last;
    if (!ws) throw new Error('seq2seq backward: no forward to go back through; call forward first');
    const { Tx, Ty, B } = ws;
    const { F, Hd, A, K, E, Id, O, GH, Vt, Ctx, spec } = this;
    const rowsY = Ty * B, rowsX = Tx * B;
    if (dLogits.length !== rowsY * Vt) throw new Error(`seq2seq backward: dLogits has ${dLogits.length} values, expected ${rowsY * Vt} (the last forward's logits)`);
    const { w } = this.cell;
    const top = ws.layers[spec.layers - 1];
    denseBackward(ws.dFeats, this.grad('head.W'), this.grad('head.b'), dLogits, ws.feats, this.param('head.W'), rowsY, O, Vt);
    top.dOut.fill(0, 0, rowsX * F);
    ws.dKeys.fill(0, 0, rowsX * K);
    const mem = this.memoryOf(ws);
    const rowOf = identityRows(B);
    let ds = ws.dsA, dsPrev = ws.dsB, dc = ws.dcA, dcPrev = ws.dcB;
    ds.fill(0); dc.fill(0);
    for (let t = Ty - 1; t >= 0; t--) {
      const v = this.trainViews(ws, t);
      const fo = t * B * O;
      for (let b = 0; b < B; b++) {
        for (let i = 0; i < Hd; i++) ds[b * Hd + i] += ws.dFeats[fo + b * O + i];
        for (let f = 0; f < Ctx; f++) ws.dContext[b * F + f] = ws.dFeats[fo + b * O + Hd + f];
      }
      dsPrev.fill(0); dcPrev.fill(0);
      const dGates = ws.dGates.subarray(t * B * GH, (t + 1) * B * GH);
      const dRecur = ws.dRecur ? ws.dRecur.subarray(t * B * GH, (t + 1) * B * GH) : dGates;
      this.cellBackward(dGates, dRecur, dsPrev, dcPrev, ds, dc, v, ws.cellScratch);
      if (Ctx > 0) {
        // The context's share of the cell input: dx = dGates·W, columns E.. (or Vt.. for one-hot).
        const tokenWidth = decoderTokenSize(spec);
        if (E > 0) {
          kernels.gemm(false, false, B, Id, GH, 1, dGates, 0, GH, w.W, 0, Id, 0, ws.dX, 0, Id);
          for (let b = 0; b < B; b++) for (let f = 0; f < F; f++) ws.dContext[b * F + f] += ws.dX[b * Id + E + f];
        } else {
          kernels.gemm(false, false, B, F, GH, 1, dGates, 0, GH, w.W, tokenWidth, Id, 1, ws.dContext, 0, F);
        }
        attentionBackward(spec.attention, dsPrev, top.dOut, ws.dKeys, this.dAtt, ws.dQuery, ws.dScores, ws.dContext,
          v.alpha, v.query, v.sPrev, mem, rowOf, this.att, B, F, Hd, A);
      } else if (E > 0) {
        kernels.gemm(false, false, B, Id, GH, 1, dGates, 0, GH, w.W, 0, Id, 0, ws.dX, 0, Id);
      }
      if (E > 0) {
        // The token's share: its embedding row += the first E columns of dx.
        const dTable = this.grad('decoder.embedding');
        for (let b = 0; b < B; b++) {
          const dst = v.tokens[b] * E, src = b * Id;
          for (let i = 0; i < E; i++) dTable[dst + i] += ws.dX[src + i];
        }
      }
      const dsUsed = ds, dcUsed = dc;
      ds = dsPrev; dsPrev = dsUsed;
      dc = dcPrev; dcPrev = dcUsed;
    }
    this.cellWeightGrads(ws, rowsY);
    attentionKeysBackward(spec.attention, top.dOut, this.dAtt, ws.dKeys, top.out, this.att, rowsX, F, K);
    this.encoderBackward(ws, ds, spec.cell === 'lstm' ? dc : null);
  }

  encode(source: Int32Array, Tx: number, B: number, lengths: Int32Array): EncodedSources {
    if (!positiveInt(Tx) || !positiveInt(B)) throw new Error(`seq2seq encode: Tx and B must be positive integers, got Tx=${Tx}, B=${B}`);
    const ws = this.workspace(Tx, 1, B);
    this.runEncoder(ws, source, lengths, false, undefined);
    const { F, Hd, K, dtype } = this;
    const top = ws.layers[this.spec.layers - 1];
    const copy = (v: Vec, n: number): Vec => vecFrom(dtype, v.subarray(0, n));
    const memory = copy(top.out, Tx * B * F);
    return {
      Tx, Bm: B, memory, keys: this.spec.attention === 'dot' ? memory : copy(ws.keys, Tx * B * K), lengths: ws.lengths.slice(0, B),
      state: { K: B, h: copy(ws.S, B * Hd), c: ws.Cc ? copy(ws.Cc, B * Hd) : null },
    };
  }

  decodeStep(sources: EncodedSources, rowOf: Int32Array, prev: Int32Array, state: DecoderState): DecoderStepResult {
    const K = state.K, { Hd, Vt, Tx } = { Hd: this.Hd, Vt: this.Vt, Tx: sources.Tx };
    if (rowOf.length !== K || prev.length !== K) throw new Error(`seq2seq decodeStep: rowOf and prev must have K = ${K} entries, got ${rowOf.length} and ${prev.length}`);
    for (let k = 0; k < K; k++) {
      if (!(rowOf[k] >= 0 && rowOf[k] < sources.Bm)) throw new Error(`seq2seq decodeStep: rowOf[${k}] = ${rowOf[k]} is not a source row 0..${sources.Bm - 1}`);
      if (!(prev[k] >= 0 && prev[k] < Vt)) throw new Error(`seq2seq decodeStep: token ${prev[k]} is outside the target vocabulary 0..${Vt - 1}`);
    }
    let sw = this.stepWorkspaces.get(K);
    if (!sw || sw.TxCap < Tx) {
      sw = new StepWorkspace(this.spec, this.dtype, K, Tx);
      if (this.stepWorkspaces.size >= MAX_CACHED_BATCH_SIZES) this.stepWorkspaces.delete(this.stepWorkspaces.keys().next().value as number);
      this.stepWorkspaces.set(K, sw);
    }
    const v = sw.views;
    sw.sPrev.set(state.h.subarray(0, K * Hd));
    if (sw.cPrev && state.c) sw.cPrev.set(state.c.subarray(0, K * Hd));
    v.tokens.set(prev);
    this.stepForward(v, sources, rowOf);
    const logits = allocVec(this.dtype, K * Vt);
    denseForward(logits, v.feats, this.param('head.W'), this.param('head.b'), K, this.O, Vt);
    return {
      logits,
      attention: vecFrom(this.dtype, v.alpha.subarray(0, this.spec.attention === 'none' ? 0 : K * Tx)),
      state: { K, h: vecFrom(this.dtype, v.s), c: v.c ? vecFrom(this.dtype, v.c) : null },
    };
  }

  /** Encoder over the sources into ws (embedding, layers, dropout between them), keys and s_0 = S[0]. */
  private runEncoder(ws: Workspace, source: Int32Array, lengths: Int32Array, train: boolean, rng: UniformSource | undefined): void {
    const { Tx, B } = ws;
    const { spec, F, Hd, K } = this;
    const rows = Tx * B, Vs = spec.sourceVocab, L = spec.layers;
    if (source.length !== rows) throw new Error(`seq2seq: source has ${source.length} ids, expected Tx*B = ${rows} (time-major)`);
    if (lengths.length !== B) throw new Error(`seq2seq: source lengths has ${lengths.length} entries, expected B = ${B}`);
    ws.valid.fill(1, 0, rows);
    ws.hasPadding = false;
    for (let b = 0; b < B; b++) {
      const len = lengths[b];
      if (!(Number.isInteger(len) && len >= 1 && len <= Tx)) throw new Error(`seq2seq: source lengths[${b}] = ${len}, expected 1..${Tx}`);
      ws.lengths[b] = len;
      for (let j = len; j < Tx; j++) ws.valid[j * B + b] = 0;
      if (len < Tx) ws.hasPadding = true;
    }
    for (let r = 0; r < rows; r++) {
      // Padding ids are never read by a real step; any id outside the vocabulary there is mapped to 0.
      const tok = source[r];
      if (ws.valid[r] && !(tok >= 0 && tok < Vs)) throw new Error(`seq2seq: source token ${tok} at j=${Math.floor(r / B)}, b=${r % B} is outside the source vocabulary 0..${Vs - 1}`);
      ws.source[r] = tok >= 0 && tok < Vs ? tok : 0;
    }
    const valid = ws.hasPadding ? ws.valid.subarray(0, rows) : null;
    const dropout = train && spec.dropout > 0 && L > 1;
    if (dropout && !rng) throw new Error('seq2seq forward: training with dropout needs opts.rng');
    if (ws.embedded) embeddingForward(ws.embedded, this.param('encoder.embedding'), ws.source, rows, spec.embedding);
    for (let l = 0; l < L; l++) {
      const lws = ws.layers[l];
      const x = l === 0 ? ws.embedded : ws.layers[l - 1].out;
      this.encoder[l].forward(lws, x, ws.source, valid, null, null);
      const mask = ws.dropMasks[l];
      ws.dropped[l] = dropout && mask !== null;
      if (ws.dropped[l] && mask && rng) dropoutForward(lws.out, mask, rows * F, spec.dropout, rng);
    }
    const top = ws.layers[L - 1];
    if (spec.attention === 'additive' || spec.attention === 'general') attentionKeysForward(spec.attention, ws.keys, top.out, this.att, rows, F, K);
    // s_0 = [h→_final ; h←_final] of the top layer (c_0 likewise).
    const H = spec.hidden, D = encoderDirections(spec);
    for (let d = 0; d < D; d++) {
      const buf = top.dirs[d], final = buf.finalOffset(Tx);
      for (let b = 0; b < B; b++) {
        for (let j = 0; j < H; j++) {
          ws.S[b * Hd + d * H + j] = buf.hs[final + b * H + j];
          if (ws.Cc && buf.cs) ws.Cc[b * Hd + d * H + j] = buf.cs[final + b * H + j];
        }
      }
    }
  }

  /** Which decoder inputs (t ≥ 1) are the true previous token: explicit, drawn, or all. */
  private chooseForcing(ws: Workspace, opts: Seq2SeqForwardOptions): void {
    const { Ty, B } = ws, rows = Ty * B;
    const ratio = opts.teacherForcing ?? 1;
    if (opts.forced) {
      if (opts.forced.length !== rows) throw new Error(`seq2seq forward: forced has ${opts.forced.length} entries, expected Ty*B = ${rows}`);
      ws.forced.set(opts.forced.subarray(0, rows));
    } else if (ratio >= 1) {
      ws.forced.fill(1, 0, rows);
    } else {
      if (!(ratio >= 0)) throw new Error(`seq2seq forward: teacherForcing must be in [0, 1], got ${ratio}`);
      if (!opts.teacherRng) throw new Error('seq2seq forward: teacherForcing < 1 needs opts.teacherRng');
      for (let r = 0; r < rows; r++) ws.forced[r] = r < B || opts.teacherRng.uniform() < ratio ? 1 : 0;
    }
    ws.forced.fill(1, 0, B);  // step 1 reads the start token either way
    ws.perStepHead = false;
    for (let r = B; r < rows; r++) if (!ws.forced[r]) { ws.perStepHead = true; break; }
  }

  private runDecoder(ws: Workspace, target: Int32Array, startToken: number): void {
    const { Ty, B } = ws;
    const { O, Vt } = this;
    if (!(startToken >= 0 && startToken < Vt)) throw new Error(`seq2seq forward: startToken ${startToken} is outside the target vocabulary 0..${Vt - 1}`);
    const mem = this.memoryOf(ws);
    const rowOf = identityRows(B);
    const headW = this.param('head.W'), headB = this.param('head.b');
    for (let t = 0; t < Ty; t++) {
      const v = this.trainViews(ws, t);
      for (let b = 0; b < B; b++) {
        const r = t * B + b;
        v.tokens[b] = t === 0 ? startToken : ws.forced[r] ? target[r - B] : argmaxRow(ws.logits, (r - B) * Vt, Vt);
      }
      this.stepForward(v, mem, rowOf);
      if (ws.perStepHead) denseForward(ws.logits.subarray(t * B * Vt, (t + 1) * B * Vt), v.feats, headW, headB, B, O, Vt);
    }
    if (!ws.perStepHead) denseForward(ws.logits, ws.feats, headW, headB, Ty * B, O, Vt);
  }

  /** attend with sPrev, feed [Ey[y]; c] to the cell, and write the head's input [s; c]. */
  private stepForward(v: StepViews, mem: AttentionMemory, rowOf: Int32Array): void {
    const { spec, F, Hd, A, E, Id, GH, O, Ctx } = this;
    const B = v.B, w = this.cell.w;
    if (Ctx > 0) attentionForward(spec.attention, v.alpha, v.context, v.query, v.sPrev, mem, rowOf, this.att, B, F, Hd, A);
    this.fillInputBias();
    if (E > 0) {
      const x = v.x!;
      const table = this.param('decoder.embedding');
      for (let b = 0; b < B; b++) {
        const src = v.tokens[b] * E, dst = b * Id;
        for (let i = 0; i < E; i++) x[dst + i] = table[src + i];
        for (let f = 0; f < Ctx; f++) x[dst + E + f] = v.context[b * F + f];
      }
      kernels.gemm(false, true, B, GH, Id, 1, x, 0, Id, w.W, 0, Id, 0, v.gates, 0, GH);
    } else {
      // One-hot token: its share of x·Wᵀ is column y of W; the context's share is one GEMM.
      const Vt = this.Vt;
      for (let b = 0; b < B; b++) {
        const tok = v.tokens[b], g = b * GH;
        for (let k = 0; k < GH; k++) v.gates[g + k] = w.W[k * Id + tok];
      }
      if (Ctx > 0) kernels.gemm(false, true, B, GH, F, 1, v.context, 0, F, w.W, Vt, Id, 1, v.gates, 0, GH);
    }
    kernels.addBiasRows(B, GH, this.inputBias, 0, v.gates, 0, GH);
    switch (spec.cell) {
      case 'rnn': rnnCellForward(v.s, v.gates, v.sPrev, w.R, B, Hd, spec.activation); break;
      case 'gru': gruCellForward(v.s, v.gates, v.extra, this.recurScratch(B), v.sPrev, w.R, w.Rb, spec.resetAfter, B, Hd); break;
      case 'lstm': lstmCellForward(v.s, v.c!, v.gates, v.extra, v.sPrev, v.cPrev!, w.R, w.P, B, Hd); break;
    }
    for (let b = 0; b < B; b++) {
      for (let i = 0; i < Hd; i++) v.feats[b * O + i] = v.s[b * Hd + i];
      for (let f = 0; f < Ctx; f++) v.feats[b * O + Hd + f] = v.context[b * F + f];
    }
  }

  /** Cell backward of one step: dGates (and dRecur), dsPrev/dcPrev +=, from ds/dc. */
  private cellBackward(dGates: Vec, dRecur: Vec, dsPrev: Vec, dcPrev: Vec, ds: Vec, dc: Vec, v: StepViews, scratch: Vec): void {
    const { spec, Hd } = this, { w, g } = this.cell, B = v.B;
    switch (spec.cell) {
      case 'rnn': rnnCellBackward(dGates, dsPrev, ds, v.gates, w.R, B, Hd, spec.activation); break;
      case 'gru': gruCellBackward(dGates, dRecur, dsPrev, scratch, ds, v.gates, v.extra, v.sPrev, w.R, spec.resetAfter, B, Hd); break;
      case 'lstm': lstmCellBackward(dGates, dsPrev, dcPrev, g.P, ds, dc, v.gates, v.extra, v.cPrev!, v.c!, w.R, w.P, B, Hd); break;
    }
  }

  /** dW, dWb, dR, dRb of the decoder cell over all Ty*B rows at once (as RecurrentLayer does per layer). */
  private cellWeightGrads(ws: Workspace, rows: number): void {
    const { spec, Hd, E, Id, GH, F, Ctx, Vt } = this, { g } = this.cell;
    if (E > 0) {
      kernels.gemm(true, false, GH, Id, rows, 1, ws.dGates, 0, GH, ws.X!, 0, Id, 1, g.W, 0, Id);
    } else {
      for (let r = 0; r < rows; r++) {
        const tok = ws.inputs[r], gr = r * GH;
        for (let k = 0; k < GH; k++) g.W[k * Id + tok] += ws.dGates[gr + k];
      }
      if (Ctx > 0) kernels.gemm(true, false, GH, F, rows, 1, ws.dGates, 0, GH, ws.context, 0, F, 1, g.W, Vt, Id);
    }
    kernels.sumRows(rows, GH, ws.dGates, 0, GH, g.Wb, 0);
    if (spec.cell === 'gru' && !spec.resetAfter) {
      kernels.gemm(true, false, 2 * Hd, Hd, rows, 1, ws.dGates, 0, GH, ws.S, 0, Hd, 1, g.R, 0, Hd);
      kernels.gemm(true, false, Hd, Hd, rows, 1, ws.dGates, 2 * Hd, GH, ws.extra, 0, Hd, 1, g.R, 2 * Hd * Hd, Hd);
      kernels.sumRows(rows, GH, ws.dGates, 0, GH, g.Rb, 0);
    } else {
      const dRecur = ws.dRecur ?? ws.dGates;
      kernels.gemm(true, false, GH, Hd, rows, 1, dRecur, 0, GH, ws.S, 0, Hd, 1, g.R, 0, Hd);
      kernels.sumRows(rows, GH, dRecur, 0, GH, g.Rb, 0);
    }
  }

  /** Encoder backward: the top layer reads dMemory (its dOut) and dL/ds_0 (dc_0) as its final-state gradients. */
  private encoderBackward(ws: Workspace, dS0: Vec, dC0: Vec | null): void {
    const { spec, F } = this, L = spec.layers, rows = ws.Tx * ws.B;
    ws.dLdaSq.fill(0);
    const valid = ws.hasPadding ? ws.valid.subarray(0, rows) : null;
    for (let l = L - 1; l >= 0; l--) {
      const lws = ws.layers[l], mask = ws.dropMasks[l];
      if (ws.dropped[l] && mask) dropoutBackward(lws.dOut, mask, rows * F);
      const x = l === 0 ? ws.embedded : ws.layers[l - 1].out;
      const dX = l === 0 ? ws.dEmbedded : ws.layers[l - 1].dOut;
      const isTop = l === L - 1;
      this.encoder[l].backward(lws, x, ws.source, dX, valid, isTop ? dS0 : null, l === 0 ? ws.dLdaSq : null, isTop ? dC0 : null);
    }
    if (ws.dEmbedded) embeddingBackward(this.grad('encoder.embedding'), ws.dEmbedded, ws.source, rows, spec.embedding);
    if (this.lastDLda.length !== ws.Tx) this.lastDLda = new Float64Array(ws.Tx);
    for (let j = 0; j < ws.Tx; j++) this.lastDLda[j] = Math.sqrt(ws.dLdaSq[j]);
  }

  private memoryOf(ws: Workspace): AttentionMemory {
    const top = ws.layers[this.spec.layers - 1];
    return { Tx: ws.Tx, Bm: ws.B, memory: top.out, keys: this.spec.attention === 'dot' ? top.out : ws.keys, lengths: ws.lengths };
  }

  /** Step t's views into the training workspace. */
  private trainViews(ws: Workspace, t: number): StepViews {
    const { B, Tx } = ws;
    const { Hd, GH, Id, F, A, O } = this;
    const at = (v: Vec, width: number, k = t) => v.subarray(k * B * width, (k + 1) * B * width);
    return {
      B, sPrev: at(ws.S, Hd), cPrev: ws.Cc ? at(ws.Cc, Hd) : null, s: at(ws.S, Hd, t + 1), c: ws.Cc ? at(ws.Cc, Hd, t + 1) : null,
      gates: at(ws.gates, GH), extra: at(ws.extra, Hd), x: ws.X ? at(ws.X, Id) : null, context: at(ws.context, F),
      alpha: ws.alpha.length ? ws.alpha.subarray(t * B * Tx, (t + 1) * B * Tx) : ws.alpha,
      query: ws.query.length ? at(ws.query, A) : ws.query, feats: at(ws.feats, O), tokens: ws.inputs.subarray(t * B, (t + 1) * B),
    };
  }

  private scratchRecur: Vec | null = null;
  private recurScratch(B: number): Vec {
    if (!this.scratchRecur || this.scratchRecur.length < B * this.GH) this.scratchRecur = allocVec(this.dtype, B * this.GH);
    return this.scratchRecur;
  }

  /** Wb + Rb, except that with gru resetAfter Rbh stays inside the reset product (added by the cell). */
  private fillInputBias(): void {
    const { w } = this.cell, GH = this.GH;
    const skipFrom = this.spec.cell === 'gru' && this.spec.resetAfter ? 2 * this.Hd : GH;
    for (let k = 0; k < GH; k++) this.inputBias[k] = w.Wb[k] + (k < skipFrom ? w.Rb[k] : 0);
  }

  /** The workspace for batches of B, grown when Tx or Ty exceeds its capacity; LRU over batch sizes. */
  private workspace(Tx: number, Ty: number, B: number): Workspace {
    let ws = this.workspaces.get(B);
    if (ws) this.workspaces.delete(B);
    if (!ws || ws.TxCap < Tx || ws.TyCap < Ty) {
      ws = new Workspace(this.spec, this.dtype, this.encoder, Math.max(Tx, ws?.TxCap ?? 0), Math.max(Ty, ws?.TyCap ?? 0), B);
      if (this.workspaces.size >= MAX_CACHED_BATCH_SIZES) this.workspaces.delete(this.workspaces.keys().next().value as number);
    }
    this.workspaces.set(B, ws);
    ws.setShape(Tx, Ty);
    return ws;
  }

  private view(buffer: Vec, name: string): Vec {
    const entry = this.byName.get(name);
    if (!entry) throw new Error(`seq2seq model: no parameter "${name}"; expected one of ${this.layout.map((e) => e.name).join(', ')}`);
    return buffer.subarray(entry.offset, entry.offset + entry.size);
  }
}

const identityCache = new Map<number, Int32Array>();
function identityRows(B: number): Int32Array {
  let rows = identityCache.get(B);
  if (!rows) identityCache.set(B, rows = Int32Array.from({ length: B }, (_, b) => b));
  return rows;
}

function argmaxRow(v: Vec, offset: number, n: number): number {
  let best = 0;
  for (let k = 1; k < n; k++) if (v[offset + k] > v[offset + best]) best = k;
  return best;
}

/** A copy of a decoder state with the given rows (beam search reorders and expands hypotheses). */
export function selectStateRows(state: DecoderState, rows: ArrayLike<number>, Hd: number): DecoderState {
  const K = rows.length, dtype = dtypeOf(state.h);
  const h = allocVec(dtype, K * Hd), c = state.c ? allocVec(dtype, K * Hd) : null;
  for (let k = 0; k < K; k++) {
    const from = rows[k] * Hd;
    h.set(state.h.subarray(from, from + Hd), k * Hd);
    if (c && state.c) c.set(state.c.subarray(from, from + Hd), k * Hd);
  }
  return { K, h, c };
}
