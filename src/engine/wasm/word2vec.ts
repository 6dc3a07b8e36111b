// word2vec's SGD update (src/engine/word2vec/sgns.ts's sgnsSgdUpdate, the reference) on the WASM
// kernel sgns_sgd: the tables and scratch rows are used in place in the arena; the batch's ids are
// copied into a scratch block, and the loss is summed here from the scores the kernel leaves.
// N examples, C input slots, S output slots, E width.

import { softplus, sgnsSgdUpdate } from '../word2vec/sgns';
import type { SgdUpdate } from '../word2vec/word2vec';
import type { Vec } from '../tensor';
import type { WasmArena } from './arena';
import type { KernelExports } from './kernels';

export function wasmSgdUpdate(arena: WasmArena, wasm: Pick<KernelExports, 'sgns_sgd'>): SgdUpdate {
  let block = -1, blockBytes = 0;
  const inArena = (...vs: Vec[]) => vs.every((v) => v instanceof Float32Array && arena.owns(v));
  return (Win, Wout, h, dh, batch, E, lr) => {
    const { N, C, S } = batch;
    if (N === 0) return 0;
    if (!inArena(Win, Wout, h, dh)) return sgnsSgdUpdate(Win, Wout, h, dh, batch, E, lr);
    const bytes = (N * C + 2 * N * S) * 4;
    if (bytes > blockBytes) {
      const p = arena.reserve(2 * bytes);   // the old block is dropped (the arena never frees)
      if (p < 0) return sgnsSgdUpdate(Win, Wout, h, dh, batch, E, lr);
      block = p; blockBytes = 2 * bytes;
    }
    const pIn = block, pOut = pIn + N * C * 4, pScores = pOut + N * S * 4;
    const memory = arena.memory.buffer;
    new Int32Array(memory, pIn, N * C).set(batch.inputs.subarray(0, N * C));
    new Int32Array(memory, pOut, N * S).set(batch.outputs.subarray(0, N * S));
    wasm.sgns_sgd(N, C, S, E, pIn, pOut, Win.byteOffset, Wout.byteOffset, h.byteOffset, dh.byteOffset, lr, pScores);
    const scores = new Float32Array(arena.memory.buffer, pScores, N * S);
    let loss = 0;
    for (let i = 0; i < N * S; i++) {
      if (batch.outputs[i] < 0) continue;
      loss += i % S === 0 ? softplus(-scores[i]) : softplus(scores[i]);
    }
    return loss;
  };
}
