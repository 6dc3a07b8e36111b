// The WASM word2vec kernel (scripts/wasm/word2vec.mjs) against its TypeScript reference
// (sgnsSgdUpdate): one update of skip-gram and CBOW batches (widths with and without a SIMD tail,
// skipped negatives, repeated rows), both variants; then whole word2vec sessions on either.
import * as assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { Rng } from '../../../src/engine/rng';
import { restoreReferenceKernels, useWasmKernels } from '../../../src/engine/wasm';
import { WasmArena } from '../../../src/engine/wasm/arena';
import { createWasmKernels, runtimeHasRelaxedSimd } from '../../../src/engine/wasm/kernels';
import { wasmSgdUpdate } from '../../../src/engine/wasm/word2vec';
import { sgnsSgdUpdate, type SgnsBatch } from '../../../src/engine/word2vec/sgns';
import { createWord2VecSession, word2vecStep } from '../../../src/engine/word2vec/word2vec';

setFlagsFromString('--experimental-wasm-relaxed-simd');

interface Case { readonly name: string; readonly E: number; readonly C: number; readonly S: number; readonly N: number; readonly V: number }
const cases: Case[] = [
  { name: 'skip-gram, E 16', E: 16, C: 1, S: 6, N: 64, V: 20 },
  { name: 'skip-gram, E 13 (a scalar tail)', E: 13, C: 1, S: 4, N: 50, V: 9 },
  { name: 'skip-gram, E 3 (no SIMD body)', E: 3, C: 1, S: 3, N: 20, V: 5 },
  { name: 'CBOW, E 20, up to 6 context words', E: 20, C: 6, S: 6, N: 40, V: 15 },
  { name: 'skip-gram, E 300, many repeated rows', E: 300, C: 1, S: 11, N: 200, V: 4 },
];

function batchOf(c: Case, rng: Rng): SgnsBatch {
  const inputs = new Int32Array(c.N * c.C), outputs = new Int32Array(c.N * c.S);
  for (let r = 0; r < c.N; r++) {
    const used = 1 + rng.int(c.C);
    for (let k = 0; k < c.C; k++) inputs[r * c.C + k] = k < used ? rng.int(c.V) : -1;
    for (let j = 0; j < c.S; j++) outputs[r * c.S + j] = j > 0 && rng.uniform() < 0.15 ? -1 : rng.int(c.V);
  }
  return { N: c.N, C: c.C, S: c.S, inputs, outputs };
}

describe('WASM word2vec kernel matches sgnsSgdUpdate', () => {
  const variants = [false, ...(runtimeHasRelaxedSimd() ? [true] : [])];
  for (const fma of variants) {
    const arena = new WasmArena();
    const update = wasmSgdUpdate(arena, createWasmKernels(arena, fma).exports);
    for (const c of cases) {
      it(`${fma ? 'fma' : 'plain'}: ${c.name}`, () => {
        const rng = new Rng(c.E * 31 + c.N);
        const init = Float32Array.from({ length: 2 * c.V * c.E }, () => rng.uniformIn(-0.5, 0.5));
        const batch = batchOf(c, rng);
        const ref = init.slice();
        const refLoss = sgnsSgdUpdate(ref.subarray(0, c.V * c.E), ref.subarray(c.V * c.E), new Float32Array(c.E), new Float32Array(c.E), batch, c.E, 0.05);
        const tables = arena.allocF32(2 * c.V * c.E)!;
        tables.set(init);
        const loss = update(tables.subarray(0, c.V * c.E), tables.subarray(c.V * c.E), arena.allocF32(c.E)!, arena.allocF32(c.E)!, batch, c.E, 0.05);
        assert.ok(Math.abs(loss - refLoss) <= 1e-5 * Math.abs(refLoss), `loss ${loss} vs ${refLoss}`);
        let worst = 0;
        for (let i = 0; i < init.length; i++) worst = Math.max(worst, Math.abs(tables[i] - ref[i]));
        assert.ok(worst < 2e-5, `largest weight difference ${worst}`);
        assert.ok(tables.some((x, i) => x !== init[i]), 'the kernel updated the tables');
      });
    }
  }
});

describe('word2vec sessions on the WASM kernels', () => {
  const corpus = Int32Array.from({ length: 4000 }, (_, i) => (i % 40 === 39 ? -1 : 3 + ((i * 7919) % 29)));
  const counts = new Float64Array(32);
  for (const id of corpus) if (id >= 0) counts[id]++;
  const run = (wasm: boolean, method: 'skipgram' | 'cbow') => {
    if (wasm) assert.ok(useWasmKernels({ threads: 1 }));
    try {
      const s = createWord2VecSession({ kind: 'word2vec', method, vocabSize: 32, embedding: 24 },
        { learningRate: 0.05, totalSteps: 10, batchPairs: 256, window: 4, negatives: 5, subsample: 0.01, seed: 3 }, corpus, counts);
      const losses = Array.from({ length: 10 }, () => word2vecStep(s).loss);
      return { losses, params: Float32Array.from(s.params) };
    } finally {
      restoreReferenceKernels();
    }
  };
  for (const method of ['skipgram', 'cbow'] as const) {
    it(`${method}: ten steps give the reference's losses and weights (float32 rounding)`, () => {
      const a = run(false, method), b = run(true, method);
      a.losses.forEach((l, i) => assert.ok(Math.abs(l - b.losses[i]) <= 1e-5 * l, `step ${i}: ${b.losses[i]} vs ${l}`));
      let worst = 0;
      for (let i = 0; i < a.params.length; i++) worst = Math.max(worst, Math.abs(a.params[i] - b.params[i]));
      assert.ok(worst < 1e-4, `largest weight difference ${worst}`);
    });
  }
});
