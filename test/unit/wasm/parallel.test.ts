// Two threads against one: a GEMM split across the helper thread, and whole training steps of a
// tiny model, give bit-identical results (each element of C is computed by the same code in the
// same order on either thread).
import * as assert from 'node:assert/strict';
import { createTrainingSession, trainStep } from '../../../src/engine/train-step';
import type { ModelSpec } from '../../../src/engine/spec';
import { WasmArena } from '../../../src/engine/wasm/arena';
import { createWasmKernels } from '../../../src/engine/wasm/kernels';
import { restoreReferenceKernels, useWasmKernels } from '../../../src/engine/wasm';

const filled = (v: Float32Array, seed: number): Float32Array => {
  let s = seed >>> 0;
  for (let i = 0; i < v.length; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; v[i] = s / 2 ** 31 - 1; }
  return v;
};

describe('WASM kernels on two threads', function () {
  this.timeout(20_000); // each case starts a helper thread
  const shapes: [boolean, boolean, number, number, number][] = [
    [false, true, 32, 512, 128], [false, false, 70, 100, 300], [true, false, 200, 64, 96], [true, true, 40, 48, 260],
  ];
  for (const [transA, transB, M, N, K] of shapes) {
    it(`gemm transA=${transA} transB=${transB} ${M}×${N}×${K}: split equals one thread exactly`, () => {
      const arena = new WasmArena();
      const one = createWasmKernels(arena, false), two = createWasmKernels(arena, false);
      assert.ok(two.useSecondThread(1), 'worker_threads available'); // split every GEMM, however small
      try {
        const lda = transA ? M : K, ldb = transB ? K : N;
        const A = filled(arena.allocF32(M * K)!, 1), B = filled(arena.allocF32(K * N)!, 2);
        const C1 = filled(arena.allocF32(M * N)!, 3), C2 = arena.allocF32(M * N)!;
        C2.set(C1);
        one.gemm(transA, transB, M, N, K, 0.5, A, 0, lda, B, 0, ldb, 1, C1, 0, N);
        two.gemm(transA, transB, M, N, K, 0.5, A, 0, lda, B, 0, ldb, 1, C2, 0, N);
        assert.equal(two.team?.splits, 1, 'the GEMM was split');
        assert.deepEqual(C2, C1);
        // beta = 0 with a bias: written (and the bias added) in the first K block, on either thread
        const bias = filled(arena.allocF32(N)!, 4);
        one.gemm(transA, transB, M, N, K, 0.5, A, 0, lda, B, 0, ldb, 0, C1, 0, N, bias, 0);
        two.gemm(transA, transB, M, N, K, 0.5, A, 0, lda, B, 0, ldb, 0, C2, 0, N, bias, 0);
        assert.deepEqual(C2, C1);
      } finally {
        two.stopSecondThread();
      }
    });
  }

  it('training steps of a small GRU give the same losses and weights on one and two threads', function () {
    this.timeout(30_000); // starts a thread; the machine may be busy
    const spec: ModelSpec = {
      cell: 'gru', vocabSize: 20, embedding: 16, hidden: 48, layers: 2, bidirectional: false, peephole: false,
      resetAfter: true, activation: 'tanh', dropout: 0, outputs: 20, head: 'softmax', manyToOne: false,
    };
    const T = 16, B = 32;
    const tokens = new Int32Array(T * B).map((_, i) => (i * 7 + 3) % 20);
    const targets = new Int32Array(T * B).map((_, i) => (i * 11 + 5) % 20);
    const train = (threads: 1 | 2) => {
      const engine = useWasmKernels({ fma: false, threads: 1 });
      assert.ok(engine);
      if (threads === 2) assert.ok(engine.kernels.useSecondThread(1));
      try {
        const session = createTrainingSession(spec, { optimizer: { kind: 'adam' }, schedule: { kind: 'constant', baseLr: 0.01 }, seed: 3 });
        const losses = Array.from({ length: 4 }, () => trainStep(session, { tokens, T, B }, { kind: 'softmax', targets }, true).loss);
        return { losses, params: Float32Array.from(session.model.params), splits: engine.kernels.team?.splits ?? 0 };
      } finally {
        restoreReferenceKernels();
      }
    };
    const one = train(1), two = train(2);
    assert.equal(one.splits, 0);
    assert.ok(two.splits > 0, 'some GEMMs ran on both threads');
    assert.deepEqual(two.losses, one.losses);
    assert.deepEqual(two.params, one.params);
  });
});
