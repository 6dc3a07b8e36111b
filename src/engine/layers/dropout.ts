// Inverted dropout between stacked layers (training only): kept values are scaled by 1/(1-p), so
// inference needs no rescaling. The mask is kept for backward.
//
// N = number of values.

import type { Vec } from '../tensor';

/** Anything with a uniform draw in [0, 1): the engine's Rng (src/engine/rng.ts) fits. */
export interface UniformSource {
  uniform(): number;
}

/** x (N) *= mask (N), where mask is drawn now: 0 with probability p, else 1/(1-p). */
export function dropoutForward(x: Vec, mask: Vec, N: number, p: number, rng: UniformSource): void {
  const keep = 1 / (1 - p);
  for (let i = 0; i < N; i++) {
    const m = rng.uniform() < p ? 0 : keep;
    mask[i] = m;
    x[i] *= m;
  }
}

/** dx (N) *= mask (N): the gradient reaches only the kept values, scaled as they were. */
export function dropoutBackward(dx: Vec, mask: Vec, N: number): void {
  for (let i = 0; i < N; i++) dx[i] *= mask[i];
}
