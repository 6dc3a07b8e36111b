// Losses over the head's logits; each returns the mean loss and writes dL/dlogits for backward.
//
// N = rows (T*B per token, time-major; B for many-to-one), C = classes / binary outputs.
// mask (N): 1 = count this row, 0 = padding (no loss, zero gradient); null counts every row.

import { kernels, softmaxCrossEntropyRow } from './kernels';
import type { Vec } from './tensor';

/** (T, B) mask from per-sequence lengths: 1 at t < lengths[b]. */
export function maskFromLengths(lengths: Int32Array, T: number, B: number): Uint8Array {
  const mask = new Uint8Array(T * B);
  for (let b = 0; b < B; b++) for (let t = 0; t < Math.min(lengths[b], T); t++) mask[t * B + b] = 1;
  return mask;
}

/**
 * Softmax cross-entropy per row, mean over unmasked rows (PyTorch's cross_entropy, reduction mean).
 * logits (N, C); targets (N) class ids in 0..C-1; dLogits (N, C) overwritten: (softmax - onehot) / count.
 */
export function softmaxCrossEntropy(logits: Vec, targets: Int32Array, dLogits: Vec, N: number, C: number, mask: Uint8Array | null = null): number {
  if (targets.length < N) throw new Error(`softmaxCrossEntropy: ${targets.length} targets, expected N = ${N}`);
  let count = 0;
  for (let r = 0; r < N; r++) if (!mask || mask[r]) count++;
  for (let r = 0; r < N; r++) {
    const target = targets[r];
    if ((!mask || mask[r]) && !(target >= 0 && target < C)) throw new Error(`softmaxCrossEntropy: target ${target} at row ${r} is outside 0..${C - 1}`);
  }
  if (!mask) return N ? kernels.softmaxCrossEntropyRows(N, C, logits, targets, dLogits, count) / count : 0;
  let total = 0;
  for (let r = 0; r < N; r++) {
    const o = r * C;
    if (!mask[r]) {
      dLogits.fill(0, o, o + C);
      continue;
    }
    total += softmaxCrossEntropyRow(C, logits, targets[r], dLogits, o, count);
  }
  return count ? total / count : 0;
}

/**
 * Sigmoid (binary) cross-entropy per output, mean over the C outputs of unmasked rows (PyTorch's
 * binary_cross_entropy_with_logits, reduction mean). logits (N, C); targets (N, C) in {0, 1};
 * dLogits (N, C) overwritten: (σ(logit) - target) / (count * C).
 */
export function sigmoidCrossEntropy(
  logits: Vec, targets: ArrayLike<number>, dLogits: Vec, N: number, C: number, mask: Uint8Array | null = null,
): number {
  if (targets.length < N * C) throw new Error(`sigmoidCrossEntropy: ${targets.length} targets, expected N*C = ${N * C}`);
  let count = 0;
  for (let r = 0; r < N; r++) if (!mask || mask[r]) count++;
  const scale = count ? 1 / (count * C) : 0;
  let total = 0;
  for (let r = 0; r < N; r++) {
    const o = r * C;
    if (mask && !mask[r]) {
      dLogits.fill(0, o, o + C);
      continue;
    }
    for (let k = 0; k < C; k++) {
      const x = logits[o + k], y = targets[o + k];
      // log(1 + e^x) - x*y, written so that neither branch overflows.
      total += Math.max(x, 0) - x * y + Math.log1p(Math.exp(-Math.abs(x)));
      dLogits[o + k] = (1 / (1 + Math.exp(-x)) - y) * scale;
    }
  }
  return total * scale;
}

/** Many-to-one softmax cross-entropy: logits (B, C) from the final states, labels (B). */
export function sequenceCrossEntropy(logits: Vec, labels: Int32Array, dLogits: Vec, B: number, C: number): number {
  return softmaxCrossEntropy(logits, labels, dLogits, B, C, null);
}
