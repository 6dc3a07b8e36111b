// Skip-gram and CBOW with negative sampling (SGNS, Mikolov et al. 2013): the loss of a batch of
// examples and its gradients side by side, then word2vec's own update, which applies each
// example's gradient before it reads the next (as word2vec.c and gensim do, one thread).
//
// N = examples, C = input slots per example (skip-gram: 1, the centre word; CBOW: up to 2·window
// context words), S = 1 + K output slots (the word to predict, then K negatives), V = vocabulary,
// E = embedding width. An unused slot holds -1: a CBOW example with fewer context words, or a
// negative that drew the word to predict (word2vec skips it).
//
// Win (V, E) are the input vectors (the embedding that is kept), Wout (V, E) the output vectors
// (word2vec's syn1neg). For one example with inputs i_1..i_n and outputs o_0 (positive), o_1..o_K:
//   h   = (1/n) Σ_c Win[i_c]                           (skip-gram: n = 1, h = Win[centre])
//   s_j = Wout[o_j] · h,  y_0 = 1, y_j = 0 (j ≥ 1)
//   L   = −log σ(s_0) − Σ_{j≥1} log σ(−s_j)           (= Σ_j softplus(s_j) − y_j s_j)
//   ∂L/∂s_j = σ(s_j) − y_j
//   ∂L/∂Wout[o_j] = (σ(s_j) − y_j) h,   ∂L/∂h = Σ_j (σ(s_j) − y_j) Wout[o_j],   ∂L/∂Win[i_c] = ∂L/∂h / n
// (CBOW's 1/n is gensim's cbow_mean=1 with the true gradient; word2vec.c leaves it out.)

import type { Vec } from '../tensor';

/** One batch of examples: ids into the tables, -1 for an unused slot. */
export interface SgnsBatch {
  readonly N: number;
  readonly C: number;
  readonly S: number;
  readonly inputs: Int32Array;   // (N, C)
  readonly outputs: Int32Array;  // (N, S); column 0 the word to predict, never -1
}

/** What forward keeps for backward: h (N, E) and σ(s) (N, S) (0 at unused slots). */
export interface SgnsCache {
  readonly h: Vec;
  readonly sig: Vec;
}

/** log(1 + e^x) without overflow. */
export const softplus = (x: number): number => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));
export const sigmoid = (x: number): number => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

/** Number of used input slots of example r. */
function inputCount(batch: SgnsBatch, r: number): number {
  let n = 0;
  for (let c = 0; c < batch.C; c++) if (batch.inputs[r * batch.C + c] >= 0) n++;
  return n;
}

/** Sum of the examples' losses; fills cache.h and cache.sig. An example without inputs has h = 0. */
export function sgnsForward(cache: SgnsCache, Win: Vec, Wout: Vec, batch: SgnsBatch, E: number): number {
  const { N, C, S, inputs, outputs } = batch;
  const { h, sig } = cache;
  let loss = 0;
  for (let r = 0; r < N; r++) {
    const hr = r * E;
    h.fill(0, hr, hr + E);
    const n = inputCount(batch, r);
    for (let c = 0; c < C; c++) {
      const id = inputs[r * C + c];
      if (id < 0) continue;
      const row = id * E;
      for (let e = 0; e < E; e++) h[hr + e] += Win[row + e];
    }
    if (n > 1) for (let e = 0; e < E; e++) h[hr + e] /= n;
    for (let j = 0; j < S; j++) {
      const o = outputs[r * S + j];
      if (o < 0) { sig[r * S + j] = 0; continue; }
      const row = o * E;
      let s = 0;
      for (let e = 0; e < E; e++) s += Wout[row + e] * h[hr + e];
      sig[r * S + j] = sigmoid(s);
      loss += j === 0 ? softplus(-s) : softplus(s);
    }
  }
  return loss;
}

/** dWin (V, E) += ∂L/∂Win, dWout (V, E) += ∂L/∂Wout for the summed loss of sgnsForward. dh (E) is scratch. */
export function sgnsBackward(dWin: Vec, dWout: Vec, dh: Vec, cache: SgnsCache, Wout: Vec, batch: SgnsBatch, E: number): void {
  const { N, C, S, inputs, outputs } = batch;
  const { h, sig } = cache;
  for (let r = 0; r < N; r++) {
    const hr = r * E;
    dh.fill(0, 0, E);
    for (let j = 0; j < S; j++) {
      const o = outputs[r * S + j];
      if (o < 0) continue;
      const g = sig[r * S + j] - (j === 0 ? 1 : 0);   // ∂L/∂s_j
      const row = o * E;
      for (let e = 0; e < E; e++) {
        dh[e] += g * Wout[row + e];
        dWout[row + e] += g * h[hr + e];
      }
    }
    const n = inputCount(batch, r);
    if (n === 0) continue;
    for (let c = 0; c < C; c++) {
      const id = inputs[r * C + c];
      if (id < 0) continue;
      const row = id * E;
      for (let e = 0; e < E; e++) dWin[row + e] += dh[e] / n;
    }
  }
}

/**
 * word2vec's SGD: for each example in order, forward, backward and `W -= lr · ∂L/∂W` before the
 * next example is read; the output rows are updated as soon as each score is known (word2vec.c's
 * loop), the input rows once per example. h, dh (E) are scratch. Returns the sum of the losses,
 * each taken before its example's update.
 */
export function sgnsSgdUpdate(Win: Vec, Wout: Vec, h: Vec, dh: Vec, batch: SgnsBatch, E: number, lr: number): number {
  const { N, C, S, inputs, outputs } = batch;
  let loss = 0;
  for (let r = 0; r < N; r++) {
    const n = inputCount(batch, r);
    h.fill(0, 0, E);
    dh.fill(0, 0, E);
    for (let c = 0; c < C; c++) {
      const id = inputs[r * C + c];
      if (id < 0) continue;
      const row = id * E;
      for (let e = 0; e < E; e++) h[e] += Win[row + e];
    }
    if (n > 1) for (let e = 0; e < E; e++) h[e] /= n;
    for (let j = 0; j < S; j++) {
      const o = outputs[r * S + j];
      if (o < 0) continue;
      const row = o * E;
      let s = 0;
      for (let e = 0; e < E; e++) s += Wout[row + e] * h[e];
      loss += j === 0 ? softplus(-s) : softplus(s);
      const step = lr * (sigmoid(s) - (j === 0 ? 1 : 0));
      for (let e = 0; e < E; e++) {
        dh[e] += step * Wout[row + e];
        Wout[row + e] -= step * h[e];
      }
    }
    if (n === 0) continue;
    for (let c = 0; c < C; c++) {
      const id = inputs[r * C + c];
      if (id < 0) continue;
      const row = id * E;
      for (let e = 0; e < E; e++) Win[row + e] -= dh[e] / n;
    }
  }
  return loss;
}
