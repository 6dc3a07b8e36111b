// The engine's hot math, BLAS-like, row-major, on flat Vecs with explicit offsets and leading
// dimensions. Cells and layers call `kernels.*`; setKernels() swaps in another implementation
// (the WebAssembly SIMD one for f32), and `referenceKernels` (plain TypeScript) stays the reference.
//
// Conventions (as BLAS, row-major): matrix X with leading dimension ldX has element (r, c) at
// X[xOff + r*ldX + c]. op(X) = X, or Xᵀ when its trans flag is set.
//   gemm:        C (M,N) = alpha * op(A) (M,K) · op(B) (K,N) + beta * C
//                A is stored (M,K), or (K,M) when transA; B is stored (K,N), or (N,K) when transB.
//                beta = 0 overwrites C (NaNs already in C do not survive), beta = 1 accumulates.
//   addBiasRows: C (M,N) += bias (N) broadcast over rows              (biases in forward)
//   sumRows:     y (N) += Σ_i A (M,N) row i                           (bias gradients)
//   sumSquares:  Σ x[i]² over n elements                              (gradient norms)
//   lstmPointwise*, gruPointwise*: the element-wise half of a cell step (cells/lstm.ts, cells/gru.ts
//                hold the equations and the GEMMs); whole Vecs, no offsets, B rows of H (or G*H).
// A kernel may read and write only the elements these definitions name; it never allocates.

import { sigmoid, tanh } from './cells/activations';
import type { Vec } from './tensor';

export interface Kernels {
  readonly name: string;
  gemm(
    transA: boolean, transB: boolean, M: number, N: number, K: number,
    alpha: number, A: Vec, aOff: number, lda: number,
    B: Vec, bOff: number, ldb: number,
    beta: number, C: Vec, cOff: number, ldc: number,
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

/** The plain TypeScript kernels: the reference any faster implementation is tested against. */
export const referenceKernels: Kernels = {
  name: 'typescript', gemm, addBiasRows, sumRows, sumSquares,
  lstmPointwiseForward, lstmPointwiseBackward, gruPointwiseForward, gruPointwiseBackward,
};

/** The active kernels. Engine code calls `kernels.gemm(...)`; the object is updated in place. */
export const kernels: Kernels = { ...referenceKernels };

/** Makes impl the active kernels (null restores the reference). */
export function setKernels(impl: Kernels | null): void {
  Object.assign(kernels, impl ?? referenceKernels);
}
