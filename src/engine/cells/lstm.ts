// LSTM cell in ONNX semantics, one time step over the whole minibatch; gate order i, o, f, c.
//
// B = batch, H = hidden. With P = [Pi; Po; Pf] (peepholes), i and f see c<t-1>, o sees the new c<t>:
//   i = σ(xWiᵀ + hRiᵀ + Pi⊙c<t-1> + b)   f = σ(xWfᵀ + hRfᵀ + Pf⊙c<t-1> + b)   c̃ = tanh(xWcᵀ + hRcᵀ + b)
//   c<t> = f⊙c<t-1> + i⊙c̃                o = σ(xWoᵀ + hRoᵀ + Po⊙c<t> + b)     h<t> = o⊙tanh(c<t>)
// The notes' Γu, Γf, Γo are i, f, o. The input part (x·Wᵀ + Wb + Rb) arrives precomputed in `gates`.

import { kernels } from '../kernels';
import type { Vec } from '../tensor';

/**
 * h, c     (B, H)    out: h<t>, c<t>
 * gates    (B, 4H)   in: input part of the pre-activations; out: i, o, f, c̃ (backward's cache)
 * tanhC    (B, H)    out: tanh(c<t>) (backward's cache)
 * hPrev, cPrev (B, H)
 * R        (4H, H)   recurrent weights;  P (3H) peepholes [Pi; Po; Pf], or null
 */
export function lstmCellForward(
  h: Vec, c: Vec, gates: Vec, tanhC: Vec, hPrev: Vec, cPrev: Vec, R: Vec, P: Vec | null, B: number, H: number,
): void {
  const G4 = 4 * H;
  kernels.gemm(false, true, B, G4, H, 1, hPrev, 0, H, R, 0, H, 1, gates, 0, G4);
  kernels.lstmPointwiseForward(B, H, gates, cPrev, P, c, tanhC, h);
}

/**
 * dGates        (B, 4H)  out (overwritten): dL/d(pre-activations) of i, o, f, c̃
 * dhPrev, dcPrev (B, H)  += gradients flowing to step t-1
 * dP            (3H)     += peephole gradients (when P is set)
 * dh, dc        (B, H)   dL/dh<t> and dL/dc<t> arriving from the output and from step t+1
 * gates, tanhC           the forward cache of this step;  cPrev, c (B, H) c<t-1>, c<t>
 */
export function lstmCellBackward(
  dGates: Vec, dhPrev: Vec, dcPrev: Vec, dP: Vec | null,
  dh: Vec, dc: Vec, gates: Vec, tanhC: Vec, cPrev: Vec, c: Vec,
  R: Vec, P: Vec | null, B: number, H: number,
): void {
  const G4 = 4 * H;
  kernels.lstmPointwiseBackward(B, H, dGates, dcPrev, dP, dh, dc, gates, tanhC, cPrev, c, P);
  kernels.gemm(false, false, B, H, G4, 1, dGates, 0, G4, R, 0, H, 1, dhPrev, 0, H);
}
