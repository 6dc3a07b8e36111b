// The engine's hot math, BLAS-like, row-major, on flat Vecs with explicit offsets and leading
// dimensions. Cells and layers call `kernels.*`; setKernels() swaps in another implementation
// (the WebAssembly SIMD one for f32), and `referenceKernels` (plain TypeScript) stays the reference.
//
// Conventions (as BLAS, row-major): matrix X with leading dimension ldX has element (r, c) at
// X[xOff + r*ldX + c]. op(X) = X, or Xᵀ when its trans flag is set.
//   gemm:        C (M,N) = alpha * op(A) (M,K) · op(B) (K,N) + beta * C
//                A is stored (M,K), or (K,M) when transA; B is stored (K,N), or (N,K) when transB.
//                beta = 0 overwrites C (NaNs already in C do not survive), beta = 1 accumulates;
//                with bias (N) at biasOff, + bias broadcast over the rows (as addBiasRows after it).
//   addBiasRows: C (M,N) += bias (N) broadcast over rows              (biases in forward)
//   sumRows:     y (N) += Σ_i A (M,N) row i                           (bias gradients)
//   sumSquares:  Σ x[i]² over n elements                              (gradient norms)
//   lstmPointwise*, gruPointwise*: the element-wise half of a cell step (cells/lstm.ts, cells/gru.ts
//                hold the equations and the GEMMs); whole Vecs, no offsets, B rows of H (or G*H).
//   softmaxCrossEntropyRows: the loss and dL/dlogits of a softmax head, unmasked rows (loss.ts)
//   gatherRows, scatterAddRows: rows picked by index (an embedding's forward and backward)
//   adamUpdate:  the optimizer's element-wise update (optim.ts)
//   lstmSequence*, gruSequence*: a recurrent layer's whole window in one direction (T steps of the
//                recurrent GEMM and the pointwise half), for LSTM without peepholes and GRU with
//                resetAfter, without padding; the reference is the per-step loop (sequenceKernels).
// A kernel may read and write only the elements these definitions name; it never allocates.

import { sigmoid, tanh } from './cells/activations';
import type { Vec } from './tensor';

export interface Kernels {
  readonly name: string;
  gemm(
    transA: boolean, transB: boolean, M: number, N: number, K: number,
    alpha: number, A: Vec, aOff: number, lda: number,
    B: Vec, bOff: number, ldb: number,
    beta: number, C: Vec, cOff: number, ldc: number, bias?: Vec | null, biasOff?: number,
  ): void;
  addBiasRows(M: number, N: number, bias: Vec, biasOff: number, C: Vec, cOff: number, ldc: number): void;
  sumRows(M: number, N: number, A: Vec, aOff: number, lda: number, y: Vec, yOff: number): void;
  sumSquares(n: number, x: Vec, xOff: number): number;
  /**
   * LSTM step after the GEMMs. gates (B, 4H): pre-activations in, i, o, f, c̃ out; cPrev (B, H);
   * P (3H) peepholes [Pi; Po; Pf] or null; out c, tanhC, h (B, H).
   */
  lstmPointwiseForward(B: number, H: number, gates: Vec, cPrev: Vec, P: Vec | null, c: Vec, tanhC: Vec, h: Vec): void;
  /**
   * Its backward. dGates (B, 4H) overwritten; dcPrev (B, H) +=; dP (3H) += when P is set;
   * dh, dc (B, H) arriving; gates, tanhC, cPrev, c the forward's.
   */
  lstmPointwiseBackward(B: number, H: number, dGates: Vec, dcPrev: Vec, dP: Vec | null, dh: Vec, dc: Vec,
    gates: Vec, tanhC: Vec, cPrev: Vec, c: Vec, P: Vec | null): void;
  /**
   * GRU step (resetAfter) after the GEMM. gates (B, 3H): input part in, z, r, ĥ out; recur (B, 3H)
   * = hPrev·Rᵀ; Rb (3H), its h block read; out extra (B, H) = hPrev·Rhᵀ + Rbh, h (B, H).
   */
  gruPointwiseForward(B: number, H: number, gates: Vec, recur: Vec, Rb: Vec, extra: Vec, h: Vec, hPrev: Vec): void;
  /** Its backward. dGates, dRecur (B, 3H) overwritten; dhPrev (B, H) +=; dh (B, H); gates, extra, hPrev the forward's. */
  gruPointwiseBackward(B: number, H: number, dGates: Vec, dRecur: Vec, dhPrev: Vec, dh: Vec, gates: Vec, extra: Vec, hPrev: Vec): void;
  /**
   * An LSTM layer's window in one direction (no peepholes, no padding): for each step t (T-1 down to
   * 0 when reverse) gates_t += hBefore_t·Rᵀ, lstmPointwiseForward, and out's row block t = h_t.
   * gates (T, B, 4H): input part in, i, o, f, c̃ out. hs, cs (T+1, B, H): the state before step t is
   * block t (reverse: t+1), after it block t+1 (reverse: t); the initial state is already in place.
   * tanhC (T, B, H) out. R (4H, H). out: row r of (T*B) at out[outOff + r*ldo], H values written.
   */
  lstmSequenceForward(T: number, B: number, H: number, reverse: boolean, gates: Vec, hs: Vec, cs: Vec, tanhC: Vec,
    R: Vec, out: Vec, outOff: number, ldo: number): void;
  /**
   * Its backward, steps in the opposite order. dOut: row r of (T*B) at dOut[outOff + r*ldo] (H
   * values). dGates (T, B, 4H) out (overwritten). dh, dc (B, H) in: dL/dh and dL/dc of the final
   * state (zeros when none); they and dhPrev, dcPrev (B, H) are scratch. dLdaSq (T) += Σ dh_t²
   * (dh_t after adding dOut's row block t), unless null. gates, tanhC, hs, cs: the forward's.
   */
  lstmSequenceBackward(T: number, B: number, H: number, reverse: boolean, dOut: Vec, outOff: number, ldo: number,
    dGates: Vec, gates: Vec, tanhC: Vec, cs: Vec, R: Vec, dh: Vec, dhPrev: Vec, dc: Vec, dcPrev: Vec, dLdaSq: Float64Array | null): void;
  /**
   * A GRU layer's window (resetAfter, no padding): per step recur = hBefore·Rᵀ (scratch (B, 3H)),
   * gruPointwiseForward, out's row block t = h_t. gates (T, B, 3H), hs (T+1, B, H) as for LSTM,
   * extra (T, B, H) out; R (3H, H), Rb (3H).
   */
  gruSequenceForward(T: number, B: number, H: number, reverse: boolean, gates: Vec, hs: Vec, extra: Vec, recur: Vec,
    R: Vec, Rb: Vec, out: Vec, outOff: number, ldo: number): void;
  /**
   * Its backward: dGates, dRecur (T, B, 3H) out (overwritten); dh (B, H) in: dL/dh of the final
   * state, scratch with dhPrev; dLdaSq as for LSTM.
   */
  gruSequenceBackward(T: number, B: number, H: number, reverse: boolean, dOut: Vec, outOff: number, ldo: number,
    dGates: Vec, dRecur: Vec, gates: Vec, extra: Vec, hs: Vec, R: Vec, dh: Vec, dhPrev: Vec, dLdaSq: Float64Array | null): void;
  /**
   * Softmax cross-entropy of N rows, every row counted (loss.ts checks the targets and handles
   * masks): logits (N, C); targets (N) in 0..C-1; dLogits (N, C) overwritten with
   * (softmax - onehot) / count. Returns Σ over rows of -log softmax(row)[target].
   */
  softmaxCrossEntropyRows(N: number, C: number, logits: Vec, targets: Int32Array, dLogits: Vec, count: number): number;
  /** out (M, N) row r = table (·, N) row idx[r]. */
  gatherRows(M: number, N: number, table: Vec, idx: Int32Array, out: Vec): void;
  /** table (·, N) row idx[r] += src (M, N) row r, in order of r. */
  scatterAddRows(M: number, N: number, src: Vec, idx: Int32Array, table: Vec): void;
  /** Adam's update of n parameters (optim.ts; no amsgrad): p, m, v (n) updated in place from g (n). */
  adamUpdate(n: number, p: Vec, g: Vec, m: Vec, v: Vec, h: AdamHyper): void;
}

/** Adam's constants for one update: β1, β2, eps, lr/(1-β1ᵗ), √(1-β2ᵗ), L2 decay, AdamW's shrink factor. */
export interface AdamHyper {
  readonly beta1: number; readonly beta2: number; readonly eps: number;
  readonly stepSize: number; readonly bias2Sqrt: number; readonly l2: number; readonly shrink: number;
}

type SequenceKernels = Pick<Kernels, 'lstmSequenceForward' | 'lstmSequenceBackward' | 'gruSequenceForward' | 'gruSequenceBackward'>;
/** The kernels of one step, which the sequence kernels' reference loop is made of. */
export type StepKernels = Omit<Kernels, keyof SequenceKernels>;

/**
 * The sequence kernels as a loop over steps of k's gemm and pointwise kernels: the reference (with
 * the reference kernels) and the fallback of faster implementations.
 */
export function sequenceKernels(k: StepKernels): SequenceKernels {
  /** Block indices of step s: [t, before, after]. */
  const step = (T: number, s: number, reverse: boolean): [number, number, number] => {
    const t = reverse ? T - 1 - s : s;
    return reverse ? [t, t + 1, t] : [t, t, t + 1];
  };
  const block = (v: Vec, i: number, width: number) => v.subarray(i * width, (i + 1) * width);
  const writeOut = (h: Vec, out: Vec, outOff: number, ldo: number, t: number, B: number, H: number) => {
    for (let b = 0; b < B; b++) for (let j = 0; j < H; j++) out[outOff + (t * B + b) * ldo + j] = h[b * H + j];
  };
  const addOutputGrad = (dh: Vec, dOut: Vec, outOff: number, ldo: number, t: number, B: number, H: number, dLdaSq: Float64Array | null) => {
    for (let b = 0; b < B; b++) for (let j = 0; j < H; j++) dh[b * H + j] += dOut[outOff + (t * B + b) * ldo + j];
    if (dLdaSq) dLdaSq[t] += k.sumSquares(B * H, dh, 0);
  };
  return {
    lstmSequenceForward(T, B, H, reverse, gates, hs, cs, tanhC, R, out, outOff, ldo) {
      const G4 = 4 * H, BH = B * H;
      for (let s = 0; s < T; s++) {
        const [t, before, after] = step(T, s, reverse);
        const g = block(gates, t, B * G4), h = block(hs, after, BH);
        k.gemm(false, true, B, G4, H, 1, hs, before * BH, H, R, 0, H, 1, g, 0, G4);
        k.lstmPointwiseForward(B, H, g, block(cs, before, BH), null, block(cs, after, BH), block(tanhC, t, BH), h);
        writeOut(h, out, outOff, ldo, t, B, H);
      }
    },
    lstmSequenceBackward(T, B, H, reverse, dOut, outOff, ldo, dGates, gates, tanhC, cs, R, dh, dhPrev, dc, dcPrev, dLdaSq) {
      const G4 = 4 * H, BH = B * H;
      for (let s = T - 1; s >= 0; s--) {
        const [t, before, after] = step(T, s, reverse);
        addOutputGrad(dh, dOut, outOff, ldo, t, B, H, dLdaSq);
        dhPrev.fill(0);
        dcPrev.fill(0);
        const dg = block(dGates, t, B * G4);
        k.lstmPointwiseBackward(B, H, dg, dcPrev, null, dh, dc, block(gates, t, B * G4), block(tanhC, t, BH), block(cs, before, BH), block(cs, after, BH), null);
        k.gemm(false, false, B, H, G4, 1, dg, 0, G4, R, 0, H, 1, dhPrev, 0, H);
        [dh, dhPrev] = [dhPrev, dh];
        [dc, dcPrev] = [dcPrev, dc];
      }
    },
    gruSequenceForward(T, B, H, reverse, gates, hs, extra, recur, R, Rb, out, outOff, ldo) {
      const G3 = 3 * H, BH = B * H;
      for (let s = 0; s < T; s++) {
        const [t, before, after] = step(T, s, reverse);
        const hPrev = block(hs, before, BH), h = block(hs, after, BH);
        k.gemm(false, true, B, G3, H, 1, hPrev, 0, H, R, 0, H, 0, recur, 0, G3);
        k.gruPointwiseForward(B, H, block(gates, t, B * G3), recur, Rb, block(extra, t, BH), h, hPrev);
        writeOut(h, out, outOff, ldo, t, B, H);
      }
    },
    gruSequenceBackward(T, B, H, reverse, dOut, outOff, ldo, dGates, dRecur, gates, extra, hs, R, dh, dhPrev, dLdaSq) {
      const G3 = 3 * H, BH = B * H;
      for (let s = T - 1; s >= 0; s--) {
        const [t, before] = step(T, s, reverse);
        addOutputGrad(dh, dOut, outOff, ldo, t, B, H, dLdaSq);
        dhPrev.fill(0);
        const dr = block(dRecur, t, B * G3);
        k.gruPointwiseBackward(B, H, block(dGates, t, B * G3), dr, dhPrev, dh, block(gates, t, B * G3), block(extra, t, BH), block(hs, before, BH));
        k.gemm(false, false, B, H, G3, 1, dr, 0, G3, R, 0, H, 1, dhPrev, 0, H);
        [dh, dhPrev] = [dhPrev, dh];
      }
    },
  };
}

function scaleC(M: number, N: number, beta: number, C: Vec, cOff: number, ldc: number): void {
  if (beta === 1) return;
  for (let i = 0; i < M; i++) {
    const row = cOff + i * ldc;
    if (beta === 0) C.fill(0, row, row + N);
    else for (let j = 0; j < N; j++) C[row + j] *= beta;
  }
}

function gemm(
  transA: boolean, transB: boolean, M: number, N: number, K: number,
  alpha: number, A: Vec, aOff: number, lda: number,
  B: Vec, bOff: number, ldb: number,
  beta: number, C: Vec, cOff: number, ldc: number, bias: Vec | null = null, biasOff = 0,
): void {
  gemmNoBias(transA, transB, M, N, K, alpha, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc);
  if (bias) addBiasRows(M, N, bias, biasOff, C, cOff, ldc);
}

function gemmNoBias(
  transA: boolean, transB: boolean, M: number, N: number, K: number,
  alpha: number, A: Vec, aOff: number, lda: number,
  B: Vec, bOff: number, ldb: number,
  beta: number, C: Vec, cOff: number, ldc: number,
): void {
  scaleC(M, N, beta, C, cOff, ldc);
  if (alpha === 0 || K === 0) return;
  if (transB) {
    // op(B) rows are contiguous: dot products, in 2x2 tiles of C so each load feeds two products.
    const aStep = transA ? lda : 1, aRowStep = transA ? 1 : lda;  // A(i, p) = A[aOff + i*aRowStep + p*aStep]
    let i = 0;
    for (; i + 1 < M; i += 2) {
      const a0 = aOff + i * aRowStep, a1 = a0 + aRowStep;
      const c0 = cOff + i * ldc, c1 = c0 + ldc;
      let j = 0;
      for (; j + 1 < N; j += 2) {
        const b0 = bOff + j * ldb, b1 = b0 + ldb;
        let s00 = 0, s01 = 0, s10 = 0, s11 = 0;
        for (let p = 0; p < K; p++) {
          const x0 = A[a0 + p * aStep], x1 = A[a1 + p * aStep], y0 = B[b0 + p], y1 = B[b1 + p];
          s00 += x0 * y0; s01 += x0 * y1; s10 += x1 * y0; s11 += x1 * y1;
        }
        C[c0 + j] += alpha * s00; C[c0 + j + 1] += alpha * s01;
        C[c1 + j] += alpha * s10; C[c1 + j + 1] += alpha * s11;
      }
      if (j < N) {
        const b0 = bOff + j * ldb;
        let s0 = 0, s1 = 0;
        for (let p = 0; p < K; p++) { const y = B[b0 + p]; s0 += A[a0 + p * aStep] * y; s1 += A[a1 + p * aStep] * y; }
        C[c0 + j] += alpha * s0; C[c1 + j] += alpha * s1;
      }
    }
    if (i < M) {
      const a0 = aOff + i * aRowStep, c0 = cOff + i * ldc;
      for (let j = 0; j < N; j++) {
        const b0 = bOff + j * ldb;
        let s = 0;
        for (let p = 0; p < K; p++) s += A[a0 + p * aStep] * B[b0 + p];
        C[c0 + j] += alpha * s;
      }
    }
    return;
  }
  // op(B) is (K, N) row-major: C[i,:] += Σ_p A(i,p) * B[p,:], four p at a time so each C element
  // is loaded and stored once per four multiply-adds.
  const aStep = transA ? lda : 1, aRowStep = transA ? 1 : lda;
  for (let i = 0; i < M; i++) {
    const a0 = aOff + i * aRowStep, c0 = cOff + i * ldc;
    let p = 0;
    for (; p + 3 < K; p += 4) {
      const x0 = alpha * A[a0 + p * aStep], x1 = alpha * A[a0 + (p + 1) * aStep];
      const x2 = alpha * A[a0 + (p + 2) * aStep], x3 = alpha * A[a0 + (p + 3) * aStep];
      if (x0 === 0 && x1 === 0 && x2 === 0 && x3 === 0) continue;
      const b0 = bOff + p * ldb, b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb;
      for (let j = 0; j < N; j++) C[c0 + j] += x0 * B[b0 + j] + x1 * B[b1 + j] + x2 * B[b2 + j] + x3 * B[b3 + j];
    }
    for (; p < K; p++) {
      const x = alpha * A[a0 + p * aStep];
      if (x === 0) continue;
      const b0 = bOff + p * ldb;
      for (let j = 0; j < N; j++) C[c0 + j] += x * B[b0 + j];
    }
  }
}

function addBiasRows(M: number, N: number, bias: Vec, biasOff: number, C: Vec, cOff: number, ldc: number): void {
  for (let i = 0; i < M; i++) {
    const row = cOff + i * ldc;
    for (let j = 0; j < N; j++) C[row + j] += bias[biasOff + j];
  }
}

function sumRows(M: number, N: number, A: Vec, aOff: number, lda: number, y: Vec, yOff: number): void {
  for (let i = 0; i < M; i++) {
    const row = aOff + i * lda;
    for (let j = 0; j < N; j++) y[yOff + j] += A[row + j];
  }
}

function sumSquares(n: number, x: Vec, xOff: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) {
    const v = x[xOff + i];
    s += v * v;
  }
  return s;
}

function lstmPointwiseForward(B: number, H: number, gates: Vec, cPrev: Vec, P: Vec | null, c: Vec, tanhC: Vec, h: Vec): void {
  const G4 = 4 * H;
  for (let b = 0; b < B; b++) {
    const g = b * G4, s = b * H;
    for (let j = 0; j < H; j++) {
      const cp = cPrev[s + j];
      const i = sigmoid(gates[g + j] + (P ? P[j] * cp : 0));
      const f = sigmoid(gates[g + 2 * H + j] + (P ? P[2 * H + j] * cp : 0));
      const cc = tanh(gates[g + 3 * H + j]);
      const cNew = f * cp + i * cc;
      const o = sigmoid(gates[g + H + j] + (P ? P[H + j] * cNew : 0));
      const tc = tanh(cNew);
      gates[g + j] = i;
      gates[g + H + j] = o;
      gates[g + 2 * H + j] = f;
      gates[g + 3 * H + j] = cc;
      c[s + j] = cNew;
      tanhC[s + j] = tc;
      h[s + j] = o * tc;
    }
  }
}

function lstmPointwiseBackward(B: number, H: number, dGates: Vec, dcPrev: Vec, dP: Vec | null, dh: Vec, dc: Vec,
  gates: Vec, tanhC: Vec, cPrev: Vec, c: Vec, P: Vec | null): void {
  const G4 = 4 * H;
  for (let b = 0; b < B; b++) {
    const g = b * G4, s = b * H;
    for (let j = 0; j < H; j++) {
      const i = gates[g + j], o = gates[g + H + j], f = gates[g + 2 * H + j], cc = gates[g + 3 * H + j];
      const tc = tanhC[s + j], cp = cPrev[s + j];
      const dhv = dh[s + j];
      const dPreO = dhv * tc * o * (1 - o);
      // c<t> reaches the loss through h (via tanh), through step t+1, and through o's peephole.
      let dcTotal = dc[s + j] + dhv * o * (1 - tc * tc);
      if (P) dcTotal += dPreO * P[H + j];
      const dPreI = dcTotal * cc * i * (1 - i);
      const dPreF = dcTotal * cp * f * (1 - f);
      const dPreC = dcTotal * i * (1 - cc * cc);
      dGates[g + j] = dPreI;
      dGates[g + H + j] = dPreO;
      dGates[g + 2 * H + j] = dPreF;
      dGates[g + 3 * H + j] = dPreC;
      let dcp = dcTotal * f;
      if (P) {
        dcp += dPreI * P[j] + dPreF * P[2 * H + j];
        if (dP) {
          dP[j] += dPreI * cp;
          dP[H + j] += dPreO * c[s + j];
          dP[2 * H + j] += dPreF * cp;
        }
      }
      dcPrev[s + j] += dcp;
    }
  }
}

function gruPointwiseForward(B: number, H: number, gates: Vec, recur: Vec, Rb: Vec, extra: Vec, h: Vec, hPrev: Vec): void {
  const G3 = 3 * H;
  for (let b = 0; b < B; b++) {
    const g = b * G3, s = b * H;
    for (let j = 0; j < H; j++) {
      const z = sigmoid(gates[g + j] + recur[g + j]);
      const r = sigmoid(gates[g + H + j] + recur[g + H + j]);
      const hr = recur[g + 2 * H + j] + Rb[2 * H + j];
      const hh = tanh(gates[g + 2 * H + j] + r * hr);
      gates[g + j] = z;
      gates[g + H + j] = r;
      gates[g + 2 * H + j] = hh;
      extra[s + j] = hr;
      h[s + j] = (1 - z) * hh + z * hPrev[s + j];
    }
  }
}

function gruPointwiseBackward(B: number, H: number, dGates: Vec, dRecur: Vec, dhPrev: Vec, dh: Vec, gates: Vec, extra: Vec, hPrev: Vec): void {
  const G3 = 3 * H;
  for (let b = 0; b < B; b++) {
    const g = b * G3, s = b * H;
    for (let j = 0; j < H; j++) {
      const z = gates[g + j], r = gates[g + H + j], hh = gates[g + 2 * H + j];
      const dhv = dh[s + j], hp = hPrev[s + j];
      const dPreH = dhv * (1 - z) * (1 - hh * hh);
      const dPreZ = dhv * (hp - hh) * z * (1 - z);
      const dPreR = dPreH * extra[s + j] * r * (1 - r);
      dGates[g + j] = dRecur[g + j] = dPreZ;
      dGates[g + H + j] = dRecur[g + H + j] = dPreR;
      dGates[g + 2 * H + j] = dPreH;
      dRecur[g + 2 * H + j] = dPreH * r;
      dhPrev[s + j] += dhv * z;
    }
  }
}

/** One row of softmax cross-entropy at offset o (see softmaxCrossEntropyRows); returns its loss. */
export function softmaxCrossEntropyRow(C: number, logits: Vec, target: number, dLogits: Vec, o: number, count: number): number {
  let max = -Infinity;
  for (let k = 0; k < C; k++) if (logits[o + k] > max) max = logits[o + k];
  // One exp per logit: e^(x - max) parked in dLogits, then scaled to softmax / count.
  let sum = 0;
  for (let k = 0; k < C; k++) sum += dLogits[o + k] = Math.exp(logits[o + k] - max);
  const scale = 1 / (sum * count);
  for (let k = 0; k < C; k++) dLogits[o + k] *= scale;
  dLogits[o + target] -= 1 / count;
  return Math.log(sum) + max - logits[o + target];
}

function softmaxCrossEntropyRows(N: number, C: number, logits: Vec, targets: Int32Array, dLogits: Vec, count: number): number {
  let total = 0;
  for (let r = 0; r < N; r++) total += softmaxCrossEntropyRow(C, logits, targets[r], dLogits, r * C, count);
  return total;
}

function gatherRows(M: number, N: number, table: Vec, idx: Int32Array, out: Vec): void {
  for (let r = 0; r < M; r++) {
    const src = idx[r] * N, dst = r * N;
    for (let j = 0; j < N; j++) out[dst + j] = table[src + j];
  }
}

function scatterAddRows(M: number, N: number, src: Vec, idx: Int32Array, table: Vec): void {
  for (let r = 0; r < M; r++) {
    const dst = idx[r] * N, s = r * N;
    for (let j = 0; j < N; j++) table[dst + j] += src[s + j];
  }
}

function adamUpdate(n: number, p: Vec, g: Vec, m: Vec, v: Vec, h: AdamHyper): void {
  const { beta1, beta2, eps, stepSize, bias2Sqrt, l2, shrink } = h;
  for (let i = 0; i < n; i++) {
    if (shrink !== 1) p[i] *= shrink;
    const gi = g[i] + l2 * p[i];
    m[i] = beta1 * m[i] + (1 - beta1) * gi;
    v[i] = beta2 * v[i] + (1 - beta2) * gi * gi;
    p[i] -= (stepSize * m[i]) / (Math.sqrt(v[i]) / bias2Sqrt + eps);
  }
}

/** The plain TypeScript kernels: the reference any faster implementation is tested against. */
const stepKernels: StepKernels = {
  name: 'typescript', gemm, addBiasRows, sumRows, sumSquares, softmaxCrossEntropyRows, gatherRows, scatterAddRows, adamUpdate,
  lstmPointwiseForward, lstmPointwiseBackward, gruPointwiseForward, gruPointwiseBackward,
};
export const referenceKernels: Kernels = { ...stepKernels, ...sequenceKernels(stepKernels) };

/** The active kernels. Engine code calls `kernels.gemm(...)`; the object is updated in place. */
export const kernels: Kernels = { ...referenceKernels };

/** Makes impl the active kernels (null restores the reference). */
export function setKernels(impl: Kernels | null): void {
  Object.assign(kernels, impl ?? referenceKernels);
}
