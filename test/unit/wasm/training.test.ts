// Whole training steps on the WASM kernels against the TypeScript reference: the same small LSTM
// and GRU (and an LSTM with peepholes, which keeps the reference pointwise loop), the same batches;
// losses and weights agree to float32 rounding (FMA and the SIMD exp make the last bits differ).
import * as assert from 'node:assert/strict';
import { createTrainingSession, trainStep } from '../../../src/engine/train-step';
import type { ModelSpec } from '../../../src/engine/spec';
import { restoreReferenceKernels, useWasmKernels } from '../../../src/engine/wasm';

const base: ModelSpec = {
  cell: 'lstm', vocabSize: 24, embedding: 16, hidden: 32, layers: 1, bidirectional: false, peephole: false,
  resetAfter: true, activation: 'tanh', dropout: 0, outputs: 24, head: 'softmax', manyToOne: false,
};
const cases: { name: string; spec: ModelSpec }[] = [
  { name: 'LSTM', spec: base },
  { name: 'LSTM with peepholes', spec: { ...base, peephole: true } },
  { name: '2-layer GRU (resetAfter)', spec: { ...base, cell: 'gru', layers: 2 } },
  { name: 'GRU (resetAfter false)', spec: { ...base, cell: 'gru', resetAfter: false } },
];

function train(spec: ModelSpec, wasm: boolean): { losses: number[]; params: Float32Array } {
  if (wasm) assert.ok(useWasmKernels({ threads: 1 }));
  try {
    const T = 12, B = 16;
    const tokens = new Int32Array(T * B).map((_, i) => (i * 7 + 3) % 24);
    const targets = new Int32Array(T * B).map((_, i) => (i * 5 + 1) % 24);
    const session = createTrainingSession(spec, { optimizer: { kind: 'adam' }, schedule: { kind: 'constant', baseLr: 0.01 }, seed: 5 });
    const losses = Array.from({ length: 5 }, () => trainStep(session, { tokens, T, B }, { kind: 'softmax', targets }, true).loss);
    return { losses, params: Float32Array.from(session.model.params) };
  } finally {
    restoreReferenceKernels();
  }
}

describe('training on the WASM kernels matches the TypeScript reference', () => {
  for (const c of cases) {
    it(`${c.name}: five Adam steps, losses within 1e-5 relative, weights within 1e-4`, () => {
      const ref = train(c.spec, false), got = train(c.spec, true);
      ref.losses.forEach((l, i) => assert.ok(Math.abs(got.losses[i] - l) <= 1e-5 * Math.abs(l), `step ${i}: wasm ${got.losses[i]}, reference ${l}`));
      let worst = 0;
      for (let i = 0; i < ref.params.length; i++) worst = Math.max(worst, Math.abs(got.params[i] - ref.params[i]));
      assert.ok(worst <= 1e-4, `largest weight difference ${worst}`);
    });
  }
});
