// The reference kernels against their definitions, written out naively: every transpose, offsets,
// padded leading dimensions, alpha and beta (beta = 0 must overwrite NaNs).

import * as assert from 'node:assert/strict';
import { kernels, referenceKernels, setKernels, type Kernels } from '../../../src/engine/kernels';
import { Rng } from '../../../src/engine/rng';

interface GemmCase { transA: boolean; transB: boolean; M: number; N: number; K: number; alpha: number; beta: number; pad: number; off: number }

const gemmCases: GemmCase[] = [];
for (const transA of [false, true]) {
  for (const transB of [false, true]) {
    gemmCases.push({ transA, transB, M: 3, N: 4, K: 5, alpha: 1, beta: 0, pad: 0, off: 0 });
    gemmCases.push({ transA, transB, M: 5, N: 2, K: 7, alpha: -0.5, beta: 1, pad: 2, off: 3 });
    gemmCases.push({ transA, transB, M: 1, N: 6, K: 1, alpha: 2, beta: 0.25, pad: 1, off: 1 });
    gemmCases.push({ transA, transB, M: 4, N: 5, K: 9, alpha: 1, beta: 1, pad: 1, off: 2 });  // even M, odd N
    gemmCases.push({ transA, transB, M: 6, N: 8, K: 4, alpha: 1, beta: 0, pad: 0, off: 0 });  // whole tiles
  }
}

function randomArray(rng: Rng, n: number): Float64Array {
  return Float64Array.from({ length: n }, () => rng.uniformIn(-1, 1));
}

describe('reference kernels', () => {
  for (const c of gemmCases) {
    it(`gemm transA=${c.transA} transB=${c.transB} ${c.M}x${c.N}x${c.K} alpha=${c.alpha} beta=${c.beta} pad=${c.pad} off=${c.off}`, () => {
      const rng = new Rng(7);
      const [aRows, aCols] = c.transA ? [c.K, c.M] : [c.M, c.K];
      const [bRows, bCols] = c.transB ? [c.N, c.K] : [c.K, c.N];
      const lda = aCols + c.pad, ldb = bCols + c.pad, ldc = c.N + c.pad;
      const A = randomArray(rng, c.off + aRows * lda), B = randomArray(rng, c.off + bRows * ldb);
      const C = randomArray(rng, c.off + c.M * ldc);
      if (c.beta === 0) C.fill(NaN, c.off);  // overwritten, not scaled
      const expected = C.slice();
      for (let i = 0; i < c.M; i++) {
        for (let j = 0; j < c.N; j++) {
          let s = 0;
          for (let p = 0; p < c.K; p++) {
            const a = c.transA ? A[c.off + p * lda + i] : A[c.off + i * lda + p];
            const b = c.transB ? B[c.off + j * ldb + p] : B[c.off + p * ldb + j];
            s += a * b;
          }
          const k = c.off + i * ldc + j;
          expected[k] = c.alpha * s + (c.beta === 0 ? 0 : c.beta * C[k]);
        }
      }
      referenceKernels.gemm(c.transA, c.transB, c.M, c.N, c.K, c.alpha, A, c.off, lda, B, c.off, ldb, c.beta, C, c.off, ldc);
      for (let k = 0; k < C.length; k++) {
        if (Number.isNaN(expected[k])) assert.ok(Number.isNaN(C[k]), `C[${k}] outside the matrix was touched`);
        else assert.ok(Math.abs(C[k] - expected[k]) < 1e-12, `C[${k}] = ${C[k]}, expected ${expected[k]}`);
      }
    });
  }

  it('addBiasRows, sumRows and sumSquares respect offsets and leading dimensions', () => {
    const C = new Float64Array([9, 0, 0, 9, 1, 1, 9, 2, 2, 9]);  // (3, 2) at offset 1, ldc 3
    referenceKernels.addBiasRows(3, 2, new Float64Array([7, 10, 20]), 1, C, 1, 3);
    assert.deepEqual([...C], [9, 10, 20, 9, 11, 21, 9, 12, 22, 9]);
    const y = new Float64Array([5, 1, 1]);
    referenceKernels.sumRows(3, 2, C, 1, 3, y, 1);
    assert.deepEqual([...y], [5, 1 + 33, 1 + 63]);
    assert.equal(referenceKernels.sumSquares(3, new Float32Array([100, 1, 2, 3]), 1), 14);
  });

  it('setKernels swaps the active implementation in place and null restores the reference', () => {
    const calls: string[] = [];
    const counting: Kernels = {
      ...referenceKernels,
      name: 'counting',
      sumSquares: (n, x, off) => { calls.push('sumSquares'); return referenceKernels.sumSquares(n, x, off); },
    };
    setKernels(counting);
    try {
      assert.equal(kernels.name, 'counting');
      assert.equal(kernels.sumSquares(2, new Float64Array([3, 4]), 0), 25);
      assert.deepEqual(calls, ['sumSquares']);
    } finally {
      setKernels(null);
    }
    assert.equal(kernels.name, 'typescript');
  });
});
