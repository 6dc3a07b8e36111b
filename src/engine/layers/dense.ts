// Dense head, as nn.Linear: y = x·Wᵀ + b, over N rows at once.
//
// N = rows (T*B per token, or B many-to-one), F = features (D*H), C = outputs.

import { kernels } from '../kernels';
import type { Vec } from '../tensor';

/** y (N, C) = x (N, F) · W (C, F)ᵀ + b (C). */
export function denseForward(y: Vec, x: Vec, W: Vec, b: Vec, N: number, F: number, C: number): void {
  kernels.gemm(false, true, N, C, F, 1, x, 0, F, W, 0, F, 0, y, 0, C, b, 0);
}

/** dW (C, F) += dyᵀ·x;  db (C) += Σ rows of dy;  dx (N, F) = dy·W (overwritten), unless null. */
export function denseBackward(
  dx: Vec | null, dW: Vec, db: Vec, dy: Vec, x: Vec, W: Vec, N: number, F: number, C: number,
): void {
  kernels.gemm(true, false, C, F, N, 1, dy, 0, C, x, 0, F, 1, dW, 0, F);
  kernels.sumRows(N, C, dy, 0, C, db, 0);
  if (dx) kernels.gemm(false, false, N, F, C, 1, dy, 0, C, W, 0, F, 0, dx, 0, F);
}
