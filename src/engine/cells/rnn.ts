// Vanilla RNN cell, one time step over the whole minibatch (the notes' a<t> = g(Waa·a<t-1> + Wax·x<t> + ba)).
//
// B = batch, H = hidden. The input part Wax·x<t> + ba (ONNX: x·Wᵀ + Wb + Rb) is computed for all
// steps at once by the layer and arrives in `gates`; the cell adds the recurrent part a<t-1>·Rᵀ.

import { tanh } from './activations';
import { kernels } from '../kernels';
import type { Vec } from '../tensor';
import type { Activation } from '../spec';

/**
 * a      (B, H)  out: a<t>
 * gates  (B, H)  in: input part of the pre-activation; out: a<t> again (backward's cache)
 * aPrev  (B, H)  a<t-1>
 * R      (H, H)  recurrent weights Waa (ONNX R of this direction)
 */
export function rnnCellForward(a: Vec, gates: Vec, aPrev: Vec, R: Vec, B: number, H: number, activation: Activation): void {
  kernels.gemm(false, true, B, H, H, 1, aPrev, 0, H, R, 0, H, 1, gates, 0, H);
  const n = B * H;
  if (activation === 'tanh') {
    for (let i = 0; i < n; i++) a[i] = gates[i] = tanh(gates[i]);
  } else {
    for (let i = 0; i < n; i++) a[i] = gates[i] = gates[i] > 0 ? gates[i] : 0;
  }
}

/**
 * dGates (B, H)  out (overwritten): dL/d(pre-activation), feeds dW, dR, dWb, dRb and dx
 * daPrev (B, H)  += dL/da<t-1> through this step
 * da     (B, H)  dL/da<t> (from the output and from step t+1)
 * gates  (B, H)  the forward cache: a<t>
 */
export function rnnCellBackward(
  dGates: Vec, daPrev: Vec, da: Vec, gates: Vec, R: Vec, B: number, H: number, activation: Activation,
): void {
  const n = B * H;
  if (activation === 'tanh') {
    for (let i = 0; i < n; i++) dGates[i] = da[i] * (1 - gates[i] * gates[i]);
  } else {
    for (let i = 0; i < n; i++) dGates[i] = gates[i] > 0 ? da[i] : 0;
  }
  kernels.gemm(false, false, B, H, H, 1, dGates, 0, H, R, 0, H, 1, daPrev, 0, H);
}
