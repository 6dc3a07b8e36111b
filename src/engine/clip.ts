// Gradient clipping over the flat gradient buffer (N), in place, as torch.nn.utils does:
//   by global norm: n = ‖g‖₂; if n > maxNorm, g *= maxNorm / (n + 1e-6)   (clip_grad_norm_)
//   by value:       g = clamp(g, -v, v)                                     (clip_grad_value_)
// plus a counter of how often clipping changed the gradients (the exploding-gradient signal).

import { kernels } from './kernels';
import type { Vec } from './tensor';

export interface ClipResult {
  /** ‖g‖₂ before clipping (reported whether or not it clipped). */
  readonly norm: number;
  readonly clipped: boolean;
}

/** √Σ g² accumulated in float64, over [offset, offset + length) of g (default: all of it). */
export function l2Norm(g: Vec, offset = 0, length = g.length - offset): number {
  return Math.sqrt(kernels.sumSquares(length, g, offset));
}

/** Scales g so that its global norm is at most maxNorm; a non-finite norm is reported, not applied. norm: ‖g‖ when the caller has it. */
export function clipGradNorm(g: Vec, maxNorm: number, norm = l2Norm(g)): ClipResult {
  if (!(maxNorm > 0)) throw new Error(`clipGradNorm: maxNorm must be > 0, got ${maxNorm}`);
  if (!Number.isFinite(norm) || norm <= maxNorm) return { norm, clipped: false };
  const scale = maxNorm / (norm + 1e-6);
  for (let i = 0; i < g.length; i++) g[i] *= scale;
  return { norm, clipped: true };
}

/** Clamps every gradient to [-limit, limit]; clipped = some value was changed. Also reports the norm before. */
export function clipGradValue(g: Vec, limit: number): ClipResult {
  if (!(limit > 0)) throw new Error(`clipGradValue: limit must be > 0, got ${limit}`);
  const norm = l2Norm(g);
  let clipped = false;
  for (let i = 0; i < g.length; i++) {
    if (g[i] > limit) { g[i] = limit; clipped = true; }
    else if (g[i] < -limit) { g[i] = -limit; clipped = true; }
  }
  return { norm, clipped };
}

/** Counts clipping over a run: how many steps, how many clipped, and the share that clipped. */
export class ClipCounter {
  steps = 0;
  clipped = 0;

  record(result: ClipResult): void {
    this.steps++;
    if (result.clipped) this.clipped++;
  }

  get rate(): number {
    return this.steps === 0 ? 0 : this.clipped / this.steps;
  }
}
