// One attention step over a batch of decoder rows, forward and backward side by side, and the
// per-source precomputation of the keys. The equations (and why the keys are precomputed) are in
// model.ts's header; this file is their arithmetic.
//
// Tx = source steps, Bm = sources in the memory, B = decoder rows (each reads memory row rowOf[b]),
// F = D*H encoder output width, Hd = decoder state width (= F), A = additive attention width (= Hd).
// memory (Tx, Bm, F) time-major, as the encoder's top layer writes it; keys (Tx, Bm, A) additive,
// (Tx, Bm, Hd) general, the memory itself for dot. Scores and weights are (B, Tx) rows.

import { tanh } from '../cells/activations';
import { kernels } from '../kernels';
import type { Vec } from '../tensor';
import type { AttentionKind } from './spec';

/** Parameters (or their gradients) of the attention: views into the flat buffer; null when the kind has none. */
export interface AttentionWeights {
  readonly Ws: Vec | null;   // (A, Hd) additive
  readonly Wh: Vec | null;   // (A, F)  additive
  readonly v: Vec | null;    // (A)     additive
  readonly Wa: Vec | null;   // (Hd, F) general
}

/** The source side of attention, shared by every decoder row reading it. */
export interface AttentionMemory {
  readonly Tx: number;
  readonly Bm: number;
  readonly memory: Vec;            // (Tx, Bm, F)
  readonly keys: Vec;              // (Tx, Bm, K): additive A, general Hd; dot: the memory (K = F)
  readonly lengths: Int32Array;    // (Bm) real source steps, each in 1..Tx; weights past them are 0
}

/** Width of a key: A for additive, Hd for general, F for dot (the memory itself). */
export function keyWidth(kind: AttentionKind, F: number, Hd: number, A: number): number {
  return kind === 'additive' ? A : kind === 'general' ? Hd : F;
}

/**
 * Keys of every source step, once per source: additive K = H·Whᵀ (Tx*Bm, A); general K = H·Waᵀ
 * (Tx*Bm, Hd). dot and none have no keys to compute (dot reads the memory).
 */
export function attentionKeysForward(kind: AttentionKind, keys: Vec, memory: Vec, w: AttentionWeights, rows: number, F: number, K: number): void {
  if (kind === 'additive') kernels.gemm(false, true, rows, K, F, 1, memory, 0, F, w.Wh!, 0, F, 0, keys, 0, K);
  else if (kind === 'general') kernels.gemm(false, true, rows, K, F, 1, memory, 0, F, w.Wa!, 0, F, 0, keys, 0, K);
}

/** Its backward: dW (K, F) += dKeysᵀ·H; dMemory (Tx*Bm, F) += dKeys·W. */
export function attentionKeysBackward(kind: AttentionKind, dMemory: Vec, g: AttentionWeights, dKeys: Vec, memory: Vec, w: AttentionWeights, rows: number, F: number, K: number): void {
  if (kind !== 'additive' && kind !== 'general') return;
  const W = kind === 'additive' ? w.Wh! : w.Wa!, dW = kind === 'additive' ? g.Wh! : g.Wa!;
  kernels.gemm(true, false, K, F, rows, 1, dKeys, 0, K, memory, 0, F, 1, dW, 0, F);
  kernels.gemm(false, false, rows, F, K, 1, dKeys, 0, K, W, 0, F, 1, dMemory, 0, F);
}

/**
 * alpha (B, Tx)  out: attention weights, each row a distribution over its source's real steps
 * context (B, F) out: Σ_j alpha_j h_j
 * query (B, A)   out (additive only, backward's cache): sPrev·Wsᵀ
 * sPrev (B, Hd)  the decoder state the scores read;  rowOf (B) memory row of each decoder row
 */
export function attentionForward(
  kind: AttentionKind, alpha: Vec, context: Vec, query: Vec, sPrev: Vec, mem: AttentionMemory, rowOf: Int32Array,
  w: AttentionWeights, B: number, F: number, Hd: number, A: number,
): void {
  const { Tx, Bm, memory, keys, lengths } = mem;
  const K = keyWidth(kind, F, Hd, A);
  if (kind === 'additive') kernels.gemm(false, true, B, A, Hd, 1, sPrev, 0, Hd, w.Ws!, 0, Hd, 0, query, 0, A);
  context.fill(0, 0, B * F);
  for (let b = 0; b < B; b++) {
    const m = rowOf[b], len = lengths[m], a = b * Tx;
    let max = -Infinity;
    for (let j = 0; j < len; j++) {
      const k = (j * Bm + m) * K;
      let e = 0;
      if (kind === 'additive') {
        const q = b * A, v = w.v!;
        for (let i = 0; i < A; i++) e += v[i] * tanh(query[q + i] + keys[k + i]);
      } else {
        const s = b * Hd;
        for (let i = 0; i < K; i++) e += sPrev[s + i] * keys[k + i];
      }
      alpha[a + j] = e;
      if (e > max) max = e;
    }
    let sum = 0;
    for (let j = 0; j < len; j++) sum += alpha[a + j] = Math.exp(alpha[a + j] - max);
    for (let j = 0; j < len; j++) alpha[a + j] /= sum;
    for (let j = len; j < Tx; j++) alpha[a + j] = 0;
    const c = b * F;
    for (let j = 0; j < len; j++) {
      const weight = alpha[a + j], h = (j * Bm + m) * F;
      for (let f = 0; f < F; f++) context[c + f] += weight * memory[h + f];
    }
  }
}

/**
 * Backward of one step, reading dContext (B, F). Accumulates (+=): dsPrev (B, Hd), dMemory
 * (Tx, Bm, F), dKeys (Tx, Bm, K) (additive, general; dot's keys are the memory, so dMemory),
 * g.Ws, g.v. scratch: dQuery (B, A) and dScores (B, Tx), overwritten.
 */
export function attentionBackward(
  kind: AttentionKind, dsPrev: Vec, dMemory: Vec, dKeys: Vec, g: AttentionWeights, dQuery: Vec, dScores: Vec,
  dContext: Vec, alpha: Vec, query: Vec, sPrev: Vec, mem: AttentionMemory, rowOf: Int32Array,
  w: AttentionWeights, B: number, F: number, Hd: number, A: number,
): void {
  const { Tx, Bm, memory, keys, lengths } = mem;
  const K = keyWidth(kind, F, Hd, A);
  const dK = kind === 'dot' ? dMemory : dKeys;
  if (kind === 'additive') dQuery.fill(0, 0, B * A);
  for (let b = 0; b < B; b++) {
    const m = rowOf[b], len = lengths[m], a = b * Tx, c = b * F;
    // dalpha_j = dc·h_j and dh_j += alpha_j dc; then the softmax: de_j = alpha_j (dalpha_j - Σ_k alpha_k dalpha_k).
    let weighted = 0;
    for (let j = 0; j < len; j++) {
      const h = (j * Bm + m) * F, weight = alpha[a + j];
      let da = 0;
      for (let f = 0; f < F; f++) {
        da += dContext[c + f] * memory[h + f];
        dMemory[h + f] += weight * dContext[c + f];
      }
      dScores[a + j] = da;
      weighted += weight * da;
    }
    for (let j = 0; j < len; j++) {
      const de = alpha[a + j] * (dScores[a + j] - weighted);
      const k = (j * Bm + m) * K;
      if (kind === 'additive') {
        // e = v·u, u = tanh(q + k): dv += de u, d(q + k) = de v ⊙ (1 - u²).
        const q = b * A, v = w.v!, dv = g.v!;
        for (let i = 0; i < A; i++) {
          const u = tanh(query[q + i] + keys[k + i]);
          dv[i] += de * u;
          const dPre = de * v[i] * (1 - u * u);
          dQuery[q + i] += dPre;
          dK[k + i] += dPre;
        }
      } else {
        // e = s·k: ds += de k, dk += de s.
        const s = b * Hd;
        for (let i = 0; i < K; i++) {
          dsPrev[s + i] += de * keys[k + i];
          dK[k + i] += de * sPrev[s + i];
        }
      }
    }
  }
  if (kind === 'additive') {
    kernels.gemm(true, false, A, Hd, B, 1, dQuery, 0, A, sPrev, 0, Hd, 1, g.Ws!, 0, Hd);
    kernels.gemm(false, false, B, Hd, A, 1, dQuery, 0, A, w.Ws!, 0, Hd, 1, dsPrev, 0, Hd);
  }
}
