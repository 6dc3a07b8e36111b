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
  if (!transA && !transB) {
    // C[i,:] += A[i,p] * B[p,:]: rows of B streamed contiguously.
    for (let i = 0; i < M; i++) {
      const cRow = cOff + i * ldc, aRow = aOff + i * lda;
      for (let p = 0; p < K; p++) {
        const a = alpha * A[aRow + p];
        if (a === 0) continue;
        const bRow = bOff + p * ldb;
        for (let j = 0; j < N; j++) C[cRow + j] += a * B[bRow + j];
      }
    }
  } else if (!transA && transB) {
    // C[i,j] += A[i,:] · B[j,:]: two contiguous rows per dot product.
    for (let i = 0; i < M; i++) {
      const cRow = cOff + i * ldc, aRow = aOff + i * lda;
      for (let j = 0; j < N; j++) {
        const bRow = bOff + j * ldb;
        let s = 0;
        for (let p = 0; p < K; p++) s += A[aRow + p] * B[bRow + p];
        C[cRow + j] += alpha * s;
      }
    }
  } else if (transA && !transB) {
    // C[i,:] += A[p,i] * B[p,:]: the weight-gradient shape (Σ over rows p of outer products).
    for (let p = 0; p < K; p++) {
      const aRow = aOff + p * lda, bRow = bOff + p * ldb;
      for (let i = 0; i < M; i++) {
        const a = alpha * A[aRow + i];
        if (a === 0) continue;
        const cRow = cOff + i * ldc;
        for (let j = 0; j < N; j++) C[cRow + j] += a * B[bRow + j];
      }
    }
  } else {
    for (let i = 0; i < M; i++) {
      const cRow = cOff + i * ldc;
      for (let j = 0; j < N; j++) {
        const bRow = bOff + j * ldb;
        let s = 0;
        for (let p = 0; p < K; p++) s += A[aOff + p * lda + i] * B[bRow + p];
        C[cRow + j] += alpha * s;
      }
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
