// GRU cell in ONNX/PyTorch semantics, one time step over the whole minibatch; gate order z, r, h.
//
// B = batch, H = hidden.
//   z = σ(xWzᵀ + hPrev·Rzᵀ + b)   r = σ(xWrᵀ + hPrev·Rrᵀ + b)
//   resetAfter false (notes, Cho et al.; ONNX default):  ĥ = tanh(xWhᵀ + (r⊙hPrev)·Rhᵀ + Wbh + Rbh)
//   resetAfter true  (PyTorch; ONNX linear_before_reset=1): ĥ = tanh(xWhᵀ + Wbh + r⊙(hPrev·Rhᵀ + Rbh))
//   h = (1-z)⊙ĥ + z⊙hPrev
// z gates the OLD state (ONNX and PyTorch agree). The notes' update gate is the mirror image:
// c<t> = Γu⊙c̃ + (1-Γu)⊙c<t-1>, so Γu = 1 - z, and the notes' relevance gate Γr is r.
// The input part arrives precomputed in `gates`: x·Wᵀ + Wb + Rb, except that with resetAfter the
// h block holds only x·Whᵀ + Wbh (Rbh sits inside the reset product and is added here).

import { sigmoid, tanh } from './activations';
import { kernels } from '../kernels';
import type { Vec } from '../tensor';

/**
 * h       (B, H)    out: h<t>
 * gates   (B, 3H)   in: input part of the pre-activations; out: z, r, ĥ (backward's cache)
 * extra   (B, H)    out, backward's cache: resetAfter ? hPrev·Rhᵀ + Rbh : r⊙hPrev
 * recur   (B, 3H)   scratch (resetAfter only): hPrev·Rᵀ
 * hPrev   (B, H);   R (3H, H);   Rb (3H)
 */
export function gruCellForward(
  h: Vec, gates: Vec, extra: Vec, recur: Vec, hPrev: Vec, R: Vec, Rb: Vec, resetAfter: boolean, B: number, H: number,
): void {
  const G3 = 3 * H;
  if (resetAfter) {
    kernels.gemm(false, true, B, G3, H, 1, hPrev, 0, H, R, 0, H, 0, recur, 0, G3);
    kernels.gruPointwiseForward(B, H, gates, recur, Rb, extra, h, hPrev);
    return;
  }
  // z and r first (their pre-activations need hPrev only), then the candidate reads r⊙hPrev.
  kernels.gemm(false, true, B, 2 * H, H, 1, hPrev, 0, H, R, 0, H, 1, gates, 0, G3);
  for (let b = 0; b < B; b++) {
    const g = b * G3, s = b * H;
    for (let j = 0; j < H; j++) {
      const z = sigmoid(gates[g + j]);
      const r = sigmoid(gates[g + H + j]);
      gates[g + j] = z;
      gates[g + H + j] = r;
      extra[s + j] = r * hPrev[s + j];
    }
  }
  kernels.gemm(false, true, B, H, H, 1, extra, 0, H, R, 2 * H * H, H, 1, gates, 2 * H, G3);
  for (let b = 0; b < B; b++) {
    const g = b * G3, s = b * H;
    for (let j = 0; j < H; j++) {
      const z = gates[g + j];
      const hh = tanh(gates[g + 2 * H + j]);
      gates[g + 2 * H + j] = hh;
      h[s + j] = (1 - z) * hh + z * hPrev[s + j];
    }
  }
}

/**
 * dGates  (B, 3H)  out (overwritten): dL/d(input part) of z, r, ĥ — feeds dW, dWb, dx
 * dRecur  (B, 3H)  out (overwritten, resetAfter only): dL/d(hPrev·Rᵀ + Rb) — feeds dR, dRb.
 *                  Without resetAfter it would equal dGates and is not written; dRh then pairs
 *                  dGates' h block with `extra` (r⊙hPrev) instead of hPrev.
 * dhPrev  (B, H)   += dL/dhPrev through this step
 * dh      (B, H)   dL/dh<t>;  gates, extra: the forward cache;  hPrev (B, H)
 * scratch (B, H)   (resetAfter false only) dL/d(r⊙hPrev)
 */
export function gruCellBackward(
  dGates: Vec, dRecur: Vec, dhPrev: Vec, scratch: Vec,
  dh: Vec, gates: Vec, extra: Vec, hPrev: Vec, R: Vec, resetAfter: boolean, B: number, H: number,
): void {
  const G3 = 3 * H;
  if (resetAfter) {
    kernels.gruPointwiseBackward(B, H, dGates, dRecur, dhPrev, dh, gates, extra, hPrev);
    kernels.gemm(false, false, B, H, G3, 1, dRecur, 0, G3, R, 0, H, 1, dhPrev, 0, H);
    return;
  }
  for (let b = 0; b < B; b++) {
    const g = b * G3, s = b * H;
    for (let j = 0; j < H; j++) {
      const z = gates[g + j], hh = gates[g + 2 * H + j];
      const dhv = dh[s + j];
      dGates[g + j] = dhv * (hPrev[s + j] - hh) * z * (1 - z);
      dGates[g + 2 * H + j] = dhv * (1 - z) * (1 - hh * hh);
      dhPrev[s + j] += dhv * z;
    }
  }
  // d(r⊙hPrev) = dPreH · Rh, then split into r's and hPrev's shares.
  kernels.gemm(false, false, B, H, H, 1, dGates, 2 * H, G3, R, 2 * H * H, H, 0, scratch, 0, H);
  for (let b = 0; b < B; b++) {
    const g = b * G3, s = b * H;
    for (let j = 0; j < H; j++) {
      const r = gates[g + H + j], drh = scratch[s + j];
      dGates[g + H + j] = drh * hPrev[s + j] * r * (1 - r);
      dhPrev[s + j] += drh * r;
    }
  }
  kernels.gemm(false, false, B, H, 2 * H, 1, dGates, 0, G3, R, 0, H, 1, dhPrev, 0, H);
}
