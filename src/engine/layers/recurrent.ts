// A recurrent layer: one cell kind unrolled over T steps in one or two directions (direction 1 runs
// right to left), outputs concatenated per step. Weights in ONNX layout, one view per direction.
//
// T = time steps, B = batch, I = input size, H = hidden, G = gates, D = directions, V = vocabulary.
// Time-major: the input projection of all T steps is one (T*B, I)x(I, G*H) GEMM; each step is one
// (B, H)x(H, G*H) GEMM; the weight gradients are again one GEMM each over all T*B rows.
//
// Padding (valid[t*B + b] = 0 at t >= length): a padded step leaves the state unchanged (it is
// carried from the previous step). So the forward direction's final state is the state at the
// sequence's own last step, and the backward direction starts at that step from the initial state.
// In backward, a padded step passes dh straight to the previous step and contributes no gradient.

import { kernels } from '../kernels';
import { allocVec, type DType, type Vec } from '../tensor';
import { directions, gateCount, layerInputSize, type ModelSpec } from '../spec';
import { rnnCellBackward, rnnCellForward } from '../cells/rnn';
import { gruCellBackward, gruCellForward } from '../cells/gru';
import { lstmCellBackward, lstmCellForward } from '../cells/lstm';

/** One direction's parameters (or gradients): views into the flat buffer. */
export interface DirectionWeights {
  readonly W: Vec;          // (G*H, I)
  readonly R: Vec;          // (G*H, H)
  readonly Wb: Vec;         // (G*H)
  readonly Rb: Vec;         // (G*H)
  readonly P: Vec | null;   // (3H) lstm peepholes [Pi; Po; Pf]
}

/** One layer's activations over the last forward window, copied (for display, e.g. LSTMVis-style). */
export interface LayerActivations {
  readonly layer: number;
  readonly T: number;
  readonly B: number;
  readonly D: number;
  readonly H: number;
  readonly gates: readonly string[];  // gate names in ONNX order (G of them)
  readonly hidden: Float32Array;      // (T, B, D*H) a<t>, directions concatenated (after dropout when training)
  readonly gateValues: Float32Array;  // (T, B, D, G*H) gate activations (after σ / tanh)
  readonly cell: Float32Array | null; // (T, B, D*H) lstm c<t>
}

/** Gate names in ONNX order, as gateStats reports them. */
export const gateNames = { rnn: ['a'], gru: ['z', 'r', 'h'], lstm: ['i', 'o', 'f', 'c'] } as const;

/**
 * Buffers of one direction for a batch of B and up to `capacity` steps, plus per-step views (made
 * once, reused). Time-major layout makes a shorter window a prefix of every buffer.
 */
class DirectionBuffers {
  readonly gates: Vec;          // (T, B, G*H) input part of the pre-activations, then activations
  readonly extra: Vec;          // (T, B, H)   gru: Rh·hPrev + Rbh or r⊙hPrev; lstm: tanh(c)
  readonly hs: Vec;             // (T+1, B, H) states; see hAfter/hBefore
  readonly cs: Vec | null;      // (T+1, B, H) lstm cell states
  readonly dGates: Vec;         // (T, B, G*H)
  readonly dRecur: Vec | null;  // (T, B, G*H) gru resetAfter: gradient of the recurrent projection
  readonly gatesAt: Vec[] = []; readonly extraAt: Vec[] = [];
  readonly hAfter: Vec[] = []; readonly hBefore: Vec[] = [];
  readonly cAfter: Vec[] = []; readonly cBefore: Vec[] = [];
  readonly dGatesAt: Vec[] = []; readonly dRecurAt: Vec[] = [];
  /** Offset in hs (and cs) of the states before steps 0..T-1, as one (T*B, H) block. */
  readonly prevOffset: number;
  private readonly stateSize: number;

  constructor(dtype: DType, spec: ModelSpec, private readonly direction: number, T: number, B: number) {
    const H = spec.hidden, GH = gateCount(spec.cell) * H;
    const lstm = spec.cell === 'lstm';
    this.gates = allocVec(dtype, T * B * GH);
    this.extra = allocVec(dtype, spec.cell === 'rnn' ? 0 : T * B * H);
    this.hs = allocVec(dtype, (T + 1) * B * H);
    this.cs = lstm ? allocVec(dtype, (T + 1) * B * H) : null;
    this.dGates = allocVec(dtype, T * B * GH);
    this.dRecur = spec.cell === 'gru' && spec.resetAfter ? allocVec(dtype, T * B * GH) : null;
    // Forward direction: hs[0] = initial, hs[t+1] = after step t. Backward direction: hs[T] =
    // initial, hs[t] = after step t. Either way the states before steps 0..T-1 form one (T*B, H)
    // block in time order, which the dR GEMM reads.
    const before = direction === 0 ? 0 : 1, after = direction === 0 ? 1 : 0;
    this.stateSize = B * H;
    this.prevOffset = before * B * H;
    const view = (v: Vec, t: number, width: number) => v.subarray(t * B * width, (t + 1) * B * width);
    for (let t = 0; t < T; t++) {
      this.gatesAt.push(view(this.gates, t, GH));
      this.dGatesAt.push(view(this.dGates, t, GH));
      this.extraAt.push(spec.cell === 'rnn' ? this.extra : view(this.extra, t, H));
      this.dRecurAt.push(this.dRecur ? view(this.dRecur, t, GH) : this.dGatesAt[t]);
      this.hAfter.push(view(this.hs, t + after, H));
      this.hBefore.push(view(this.hs, t + before, H));
      if (this.cs) {
        this.cAfter.push(view(this.cs, t + after, H));
        this.cBefore.push(view(this.cs, t + before, H));
      }
    }
  }

  /** Offset in hs (and cs) of the initial state for a window of T steps. */
  initOffset(T: number): number { return (this.direction === 0 ? 0 : T) * this.stateSize; }
  /** Offset in hs (and cs) of the final state for a window of T steps. */
  finalOffset(T: number): number { return (this.direction === 0 ? T : 0) * this.stateSize; }
}

/** A layer's buffers for a batch of B and windows of up to `capacity` steps; T is the current window. */
export class LayerWorkspace {
  readonly dirs: DirectionBuffers[] = [];
  readonly out: Vec;            // (T, B, D*H) outputs, directions concatenated
  readonly dOut: Vec;           // (T, B, D*H) dL/dout, written by the layer above or the head
  readonly recur: Vec;          // (B, G*H) scratch
  readonly scratch: Vec;        // (B, H) scratch
  readonly dhA: Vec; readonly dhB: Vec; readonly dcA: Vec; readonly dcB: Vec;  // (B, H) ping-pong
  T: number;
  constructor(dtype: DType, spec: ModelSpec, readonly capacity: number, readonly B: number) {
    const T = (this.T = capacity);
    const D = directions(spec), H = spec.hidden, GH = gateCount(spec.cell) * H;
    for (let d = 0; d < D; d++) this.dirs.push(new DirectionBuffers(dtype, spec, d, T, B));
    this.out = allocVec(dtype, T * B * D * H);
    this.dOut = allocVec(dtype, T * B * D * H);
    this.recur = allocVec(dtype, B * GH);
    this.scratch = allocVec(dtype, B * H);
    this.dhA = allocVec(dtype, B * H); this.dhB = allocVec(dtype, B * H);
    this.dcA = allocVec(dtype, B * H); this.dcB = allocVec(dtype, B * H);
  }
}

export interface GateSummary {
  readonly gate: string;
  readonly mean: number;
  readonly saturated: number;
}

export class RecurrentLayer {
  private readonly D: number;
  private readonly H: number;
  private readonly G: number;
  private readonly I: number;
  private readonly inputBias: Vec[];   // per direction (G*H): what the input projection adds
  /** Layer 0 over an embedding: its table (V, I) and gradient; see projectsTable. */
  private embedding: { readonly table: Vec; readonly grad: Vec; readonly V: number } | null = null;
  private tableRows: Vec | null = null; // (V, G*H) the table's projection (forward), its gradient rows (backward)
  private biasSums: Vec | null = null;  // (G*H) Σ over rows of dGates, for dWb and dRb

  constructor(
    private readonly spec: ModelSpec,
    readonly index: number,
    private readonly weights: readonly DirectionWeights[],
    private readonly grads: readonly DirectionWeights[],
    private readonly dtype: DType,
  ) {
    this.D = directions(spec);
    this.H = spec.hidden;
    this.G = gateCount(spec.cell);
    this.I = layerInputSize(spec, index);
    this.inputBias = weights.map(() => allocVec(dtype, this.G * this.H));
  }

  /**
   * Makes layer 0 read its input rows as rows of an embedding table (V, I) picked by the tokens, with
   * the table's gradient (V, I) to accumulate into. Then, when the vocabulary is smaller than the
   * window's T*B rows, the input projection is computed once per table row and gathered, and the
   * backward sums dGates by token first: three (T*B)-row GEMMs become V-row ones (projectsTable).
   */
  useEmbedding(table: Vec, grad: Vec, V: number): void {
    this.embedding = { table, grad, V };
  }

  /** True when a pass over `rows` input rows goes through the table (V < rows): the model then neither embeds nor back-propagates into embedded rows. */
  projectsTable(rows: number): boolean {
    return this.embedding !== null && this.embedding.V < rows;
  }

  private biasSumBuffer(): Vec {
    return (this.biasSums ??= allocVec(this.dtype, this.G * this.H));
  }

  private tableBuffer(): Vec {
    return (this.tableRows ??= allocVec(this.dtype, this.embedding!.V * this.G * this.H));
  }

  createWorkspace(T: number, B: number): LayerWorkspace {
    return new LayerWorkspace(this.dtype, this.spec, T, B);
  }

  /**
   * x       (T*B, I) input rows, or null for one-hot input (then tokens (T*B) pick columns of W)
   * valid   (T*B) 1 = real step, 0 = padding; null = no padding
   * initH, initC  (L, D, B, H) initial states of all layers (this layer's slice is read), or null
   */
  forward(ws: LayerWorkspace, x: Vec | null, tokens: Int32Array, valid: Uint8Array | null, initH: Vec | null, initC: Vec | null): void {
    const { T, B } = ws;
    const { D, H, I, spec } = this;
    const GH = this.G * H, rows = T * B, DH = D * H;
    for (let d = 0; d < D; d++) {
      const buf = ws.dirs[d], w = this.weights[d], bias = this.inputBias[d];
      this.fillInputBias(bias, w);
      if (this.projectsTable(rows)) {
        // x rows are table rows: project the V rows of the table (bias included), then pick rows by token.
        const e = this.embedding!, P = this.tableBuffer();
        kernels.gemm(false, true, e.V, GH, I, 1, e.table, 0, I, w.W, 0, I, 0, P, 0, GH, bias, 0);
        kernels.gatherRows(rows, GH, P, tokens, buf.gates);
      } else {
        if (x) {
          kernels.gemm(false, true, rows, GH, I, 1, x, 0, I, w.W, 0, I, 0, buf.gates, 0, GH, bias, 0);
        } else {
          // One-hot input: x·Wᵀ is column `token` of W (GH, V).
          for (let r = 0; r < rows; r++) {
            const tok = tokens[r], g = r * GH;
            for (let k = 0; k < GH; k++) buf.gates[g + k] = w.W[k * I + tok];
          }
          kernels.addBiasRows(rows, GH, bias, 0, buf.gates, 0, GH);
        }
      }

      const stateOff = (this.index * D + d) * B * H, init = buf.initOffset(T);
      for (let k = 0; k < B * H; k++) {
        buf.hs[init + k] = initH ? initH[stateOff + k] : 0;
        if (buf.cs) buf.cs[init + k] = initC ? initC[stateOff + k] : 0;
      }

      if (this.wholeWindow(valid, w)) {
        if (spec.cell === 'lstm') kernels.lstmSequenceForward(T, B, H, d === 1, buf.gates, buf.hs, buf.cs!, buf.extra, w.R, ws.out, d * H, DH);
        else kernels.gruSequenceForward(T, B, H, d === 1, buf.gates, buf.hs, buf.extra, ws.recur, w.R, w.Rb, ws.out, d * H, DH);
        continue;
      }
      for (let s = 0; s < T; s++) {
        const t = d === 0 ? s : T - 1 - s;
        const h = buf.hAfter[t], hPrev = buf.hBefore[t];
        switch (spec.cell) {
          case 'rnn':
            rnnCellForward(h, buf.gatesAt[t], hPrev, w.R, B, H, spec.activation);
            break;
          case 'gru':
            gruCellForward(h, buf.gatesAt[t], buf.extraAt[t], ws.recur, hPrev, w.R, w.Rb, spec.resetAfter, B, H);
            break;
          case 'lstm':
            lstmCellForward(h, buf.cAfter[t], buf.gatesAt[t], buf.extraAt[t], hPrev, buf.cBefore[t], w.R, w.P, B, H);
            break;
        }
        if (valid) {
          for (let b = 0; b < B; b++) {
            if (valid[t * B + b]) continue;
            for (let j = 0; j < H; j++) h[b * H + j] = hPrev[b * H + j];
            if (buf.cs) {
              const c = buf.cAfter[t], cPrev = buf.cBefore[t];
              for (let j = 0; j < H; j++) c[b * H + j] = cPrev[b * H + j];
            }
          }
        }
        for (let b = 0; b < B; b++) {
          const o = (t * B + b) * DH + d * H;
          for (let j = 0; j < H; j++) ws.out[o + j] = h[b * H + j];
        }
      }
    }
  }

  /** Copies this layer's final states into h, c (L, D, B, H). */
  writeFinalState(ws: LayerWorkspace, h: Vec, c: Vec | null): void {
    const { D, H } = this, B = ws.B;
    for (let d = 0; d < D; d++) {
      const buf = ws.dirs[d], stateOff = (this.index * D + d) * B * H, final = buf.finalOffset(ws.T);
      for (let k = 0; k < B * H; k++) {
        h[stateOff + k] = buf.hs[final + k];
        if (c && buf.cs) c[stateOff + k] = buf.cs[final + k];
      }
    }
  }

  /** Final hidden states, directions concatenated, into feats (B, D*H) (the many-to-one features). */
  readFinalFeatures(ws: LayerWorkspace, feats: Vec): void {
    const { D, H } = this, B = ws.B;
    for (let d = 0; d < D; d++) {
      const buf = ws.dirs[d], final = buf.finalOffset(ws.T);
      for (let b = 0; b < B; b++) {
        for (let j = 0; j < H; j++) feats[b * D * H + d * H + j] = buf.hs[final + b * H + j];
      }
    }
  }

  /**
   * Backward through the last forward on ws, reading ws.dOut (T, B, D*H).
   * x, tokens  the forward's input;  dX (T*B, I) overwritten with dL/dx, or null when not needed
   * dFinal     (B, D*H) dL/d(final hidden states), or null
   * dLdaSq     (T) += Σ over directions and batch of (dL/da<t>)², or null
   * dFinalC    (B, D*H) lstm: dL/d(final cell states), or null (a seq2seq decoder starts from them)
   */
  backward(
    ws: LayerWorkspace, x: Vec | null, tokens: Int32Array, dX: Vec | null,
    valid: Uint8Array | null, dFinal: Vec | null, dLdaSq: Float64Array | null, dFinalC: Vec | null = null,
  ): void {
    const { T, B } = ws;
    const { D, H, I, spec } = this;
    const GH = this.G * H, rows = T * B, DH = D * H;
    for (let d = 0; d < D; d++) {
      const buf = ws.dirs[d], w = this.weights[d], g = this.grads[d];
      let dh = ws.dhA, dhPrev = ws.dhB, dc = ws.dcA, dcPrev = ws.dcB;
      for (let b = 0; b < B; b++) {
        for (let j = 0; j < H; j++) dh[b * H + j] = dFinal ? dFinal[b * DH + d * H + j] : 0;
      }
      for (let b = 0; b < B; b++) {
        for (let j = 0; j < H; j++) dc[b * H + j] = dFinalC ? dFinalC[b * DH + d * H + j] : 0;
      }
      if (this.wholeWindow(valid, w)) {
        if (spec.cell === 'lstm') kernels.lstmSequenceBackward(T, B, H, d === 1, ws.dOut, d * H, DH, buf.dGates, buf.gates, buf.extra, buf.cs!, w.R, dh, dhPrev, dc, dcPrev, dLdaSq);
        else kernels.gruSequenceBackward(T, B, H, d === 1, ws.dOut, d * H, DH, buf.dGates, buf.dRecur!, buf.gates, buf.extra, buf.hs, w.R, dh, dhPrev, dLdaSq);
      } else for (let s = T - 1; s >= 0; s--) {
        const t = d === 0 ? s : T - 1 - s;
        for (let b = 0; b < B; b++) {
          const o = (t * B + b) * DH + d * H;
          for (let j = 0; j < H; j++) dh[b * H + j] += ws.dOut[o + j];
        }
        if (dLdaSq) dLdaSq[t] += kernels.sumSquares(B * H, dh, 0);
        dhPrev.fill(0);
        dcPrev.fill(0);
        if (valid) {
          for (let b = 0; b < B; b++) {
            if (valid[t * B + b]) continue;
            for (let j = b * H; j < (b + 1) * H; j++) {
              dhPrev[j] = dh[j]; dh[j] = 0;
              dcPrev[j] = dc[j]; dc[j] = 0;
            }
          }
        }
        switch (spec.cell) {
          case 'rnn':
            rnnCellBackward(buf.dGatesAt[t], dhPrev, dh, buf.gatesAt[t], w.R, B, H, spec.activation);
            break;
          case 'gru':
            gruCellBackward(buf.dGatesAt[t], buf.dRecurAt[t], dhPrev, ws.scratch, dh, buf.gatesAt[t], buf.extraAt[t],
              buf.hBefore[t], w.R, spec.resetAfter, B, H);
            break;
          case 'lstm':
            lstmCellBackward(buf.dGatesAt[t], dhPrev, dcPrev, g.P, dh, dc, buf.gatesAt[t], buf.extraAt[t],
              buf.cBefore[t], buf.cAfter[t], w.R, w.P, B, H);
            break;
        }
        const dhUsed = dh, dcUsed = dc;
        dh = dhPrev; dhPrev = dhUsed;
        dc = dcPrev; dcPrev = dcUsed;
      }
      // dh now holds dL/d(initial state): dropped, no gradient flows into a carried state.

      const table = this.projectsTable(rows) ? this.embedding! : null;
      const dTable = table ? this.tableBuffer() : null;
      if (table && dTable) {
        // Σ of dGates over the rows of each token, then dW = that·table and dTable = that·W (no dX).
        dTable.fill(0);
        kernels.scatterAddRows(rows, GH, buf.dGates, tokens, dTable);
        kernels.gemm(true, false, GH, I, table.V, 1, dTable, 0, GH, table.table, 0, I, 1, g.W, 0, I);
      } else if (x) {
        kernels.gemm(true, false, GH, I, rows, 1, buf.dGates, 0, GH, x, 0, I, 1, g.W, 0, I);
      } else {
        for (let r = 0; r < rows; r++) {
          const tok = tokens[r], gr = r * GH;
          for (let k = 0; k < GH; k++) g.W[k * I + tok] += buf.dGates[gr + k];
        }
      }
      // dWb = Σ dGates over the rows (the table's V rows hold the same sum); dRb is the same sum
      // unless gru resetAfter has a dRecur of its own.
      const biasSum = this.biasSumBuffer();
      biasSum.fill(0);
      if (table && dTable) kernels.sumRows(table.V, GH, dTable, 0, GH, biasSum, 0);
      else kernels.sumRows(rows, GH, buf.dGates, 0, GH, biasSum, 0);
      kernels.sumRows(1, GH, biasSum, 0, GH, g.Wb, 0);
      if (spec.cell === 'gru' && !spec.resetAfter) {
        // z, r rows of R multiply hPrev; the h rows multiply r⊙hPrev (kept in extra).
        kernels.gemm(true, false, 2 * H, H, rows, 1, buf.dGates, 0, GH, buf.hs, buf.prevOffset, H, 1, g.R, 0, H);
        kernels.gemm(true, false, H, H, rows, 1, buf.dGates, 2 * H, GH, buf.extra, 0, H, 1, g.R, 2 * H * H, H);
        kernels.sumRows(1, GH, biasSum, 0, GH, g.Rb, 0);
      } else {
        const dRecur = buf.dRecur ?? buf.dGates;
        kernels.gemm(true, false, GH, H, rows, 1, dRecur, 0, GH, buf.hs, buf.prevOffset, H, 1, g.R, 0, H);
        if (buf.dRecur) kernels.sumRows(rows, GH, dRecur, 0, GH, g.Rb, 0);
        else kernels.sumRows(1, GH, biasSum, 0, GH, g.Rb, 0);
      }
      if (table && dTable) kernels.gemm(false, false, table.V, I, GH, 1, dTable, 0, GH, w.W, 0, I, 1, table.grad, 0, I);
      else if (dX) kernels.gemm(false, false, rows, I, GH, 1, buf.dGates, 0, GH, w.W, 0, I, d === 0 ? 0 : 1, dX, 0, I);
    }
  }

  /** Copies of this layer's outputs, gate values and lstm cells over the last forward on ws. */
  activations(ws: LayerWorkspace): LayerActivations {
    const { T, B } = ws;
    const { D, H, G, spec } = this;
    const GH = G * H;
    const gateValues = new Float32Array(T * B * D * GH);
    const cell = spec.cell === 'lstm' ? new Float32Array(T * B * D * H) : null;
    for (let d = 0; d < D; d++) {
      const buf = ws.dirs[d];
      for (let r = 0; r < T * B; r++) {
        for (let k = 0; k < GH; k++) gateValues[(r * D + d) * GH + k] = buf.gates[r * GH + k];
        if (cell) {
          const c = buf.cAfter[Math.floor(r / B)], b = r % B;
          for (let j = 0; j < H; j++) cell[r * D * H + d * H + j] = c[b * H + j];
        }
      }
    }
    return { layer: this.index, T, B, D, H, gates: gateNames[spec.cell], hidden: Float32Array.from(ws.out.subarray(0, T * B * D * H)), gateValues, cell };
  }

  /** Mean activation and saturated share per gate over valid steps, all directions. */
  gateStats(ws: LayerWorkspace, valid: Uint8Array | null): GateSummary[] {
    const { T, B } = ws;
    const { D, H, G, spec } = this;
    const names = gateNames[spec.cell];
    const sums = new Float64Array(G), saturated = new Float64Array(G);
    let count = 0;
    for (let d = 0; d < D; d++) {
      const gates = ws.dirs[d].gates;
      for (let r = 0; r < T * B; r++) {
        if (valid && !valid[r]) continue;
        count += H;
        for (let k = 0; k < G; k++) {
          const sigmoidGate = spec.cell !== 'rnn' && k < G - 1;  // the last block is the tanh candidate
          for (let j = 0; j < H; j++) {
            const v = gates[r * G * H + k * H + j];
            sums[k] += v;
            const sat = sigmoidGate ? v < 0.05 || v > 0.95
              : spec.cell === 'rnn' && spec.activation === 'relu' ? v === 0 : Math.abs(v) > 0.95;
            if (sat) saturated[k] += 1;
          }
        }
      }
    }
    return names.map((gate, k) => ({ gate, mean: count ? sums[k] / count : 0, saturated: count ? saturated[k] / count : 0 }));
  }

  /** True when a direction's window goes through one sequence kernel (no padding, LSTM without peepholes, GRU resetAfter). */
  private wholeWindow(valid: Uint8Array | null, w: DirectionWeights): boolean {
    return !valid && ((this.spec.cell === 'lstm' && !w.P) || (this.spec.cell === 'gru' && this.spec.resetAfter));
  }

  private fillInputBias(bias: Vec, w: DirectionWeights): void {
    inputBias(this.spec, w.Wb, w.Rb, bias);
  }
}

/** Per-direction views of one layer's W (D, G*H, I), R (D, G*H, H), B (D, 2*G*H) and P (D, 3*H) or null. */
export function directionViews(W: Vec, R: Vec, Bias: Vec, P: Vec | null, D: number, GH: number, H: number, I: number): DirectionWeights[] {
  const views: DirectionWeights[] = [];
  for (let d = 0; d < D; d++) {
    views.push({
      W: W.subarray(d * GH * I, (d + 1) * GH * I),
      R: R.subarray(d * GH * H, (d + 1) * GH * H),
      Wb: Bias.subarray(2 * d * GH, (2 * d + 1) * GH),
      Rb: Bias.subarray((2 * d + 1) * GH, (2 * d + 2) * GH),
      P: P ? P.subarray(d * 3 * H, (d + 1) * 3 * H) : null,
    });
  }
  return views;
}

/** What the input projection adds (G*H): Wb + Rb, except that with gru resetAfter Rbh stays inside the reset product (added by the cell). */
export function inputBias(spec: ModelSpec, Wb: Vec, Rb: Vec, bias: Vec): void {
  const H = spec.hidden, GH = gateCount(spec.cell) * H;
  const skipFrom = spec.cell === 'gru' && spec.resetAfter ? 2 * H : GH;
  for (let k = 0; k < GH; k++) bias[k] = Wb[k] + (k < skipFrom ? Rb[k] : 0);
}
