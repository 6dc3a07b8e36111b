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
// A kernel may read and write only the elements these definitions name; it never allocates.

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

/** The plain TypeScript kernels: the reference any faster implementation is tested against. */
export const referenceKernels: Kernels = { name: 'typescript', gemm, addBiasRows, sumRows, sumSquares };

/** The active kernels. Engine code calls `kernels.gemm(...)`; the object is updated in place. */
export const kernels: Kernels = { ...referenceKernels };

/** Makes impl the active kernels (null restores the reference). */
export function setKernels(impl: Kernels | null): void {
  Object.assign(kernels, impl ?? referenceKernels);
}
