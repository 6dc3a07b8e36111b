// Weights (N, K) in the 8-row panels gemv_p8 reads (scripts/wasm/gemv-packed.mjs): row blocks of 8
// (N8 = N rounded up to 8, padding rows zero), each K4/4 chunks of 8 rows × 4 columns (K4 = K
// rounded up to 4, padding columns zero). Batch-1 products: the stepper (stepper.ts) and the
// sequence kernels' one-row windows (kernels.ts).

/** Batch-1 products of at least this many multiply-adds are split between the two threads (when the helper runs): on a quiet 2-core machine model B (GRU 2×256) sampled 26K tok/s split at 1<<16 or 1<<17 against 13K on one thread; model A (LSTM 128, 65K per product) ran 122K on one thread, 89-100K split. */
export const STEP_SPLIT_MIN_MACS = 1 << 17;

export const up8 = (n: number): number => Math.ceil(n / 8) * 8;

/** Floats of W (N, K) packed for gemv_p8. */
export const packedSize = (N: number, K: number): number => up8(N) * Math.ceil(K / 4) * 4;

/** W (N, K) row-major into gemv_p8's panels (see scripts/wasm/gemv-packed.mjs); the padding stays zero. */
export function packRows8(W: Float32Array, N: number, K: number, dst: Float32Array): void {
  const chunks = Math.ceil(K / 4);
  for (let n = 0; n < N; n++) {
    const panel = (n >> 3) * chunks * 32 + (n & 7) * 4, row = n * K;
    for (let k = 0; k < K; k++) dst[panel + (k >> 2) * 32 + (k & 3)] = W[row + k];
  }
}

