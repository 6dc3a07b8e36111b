// Losses: values against hand-computed numbers, masks, and stability at large logits.

import * as assert from 'node:assert/strict';
import { maskFromLengths, sequenceCrossEntropy, sigmoidCrossEntropy, softmaxCrossEntropy } from '../../../src/engine/loss';

const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-12, `${what}: ${a}, expected ${b}`);

describe('losses', () => {
  it('softmax CE of equal logits is log C, with gradient (1/C - onehot)/N', () => {
    const logits = new Float64Array(2 * 4), d = new Float64Array(8);
    const loss = softmaxCrossEntropy(logits, new Int32Array([1, 3]), d, 2, 4);
    close(loss, Math.log(4), 'loss');
    assert.deepEqual([...d].map((v) => +v.toFixed(12)), [0.125, -0.375, 0.125, 0.125, 0.125, 0.125, 0.125, -0.375]);
  });

  it('softmax CE: a known value, masked rows count for nothing and get zero gradient', () => {
    const logits = new Float64Array([1, 2, 3, 50, -50, 7]), d = new Float64Array(6).fill(9);
    const loss = softmaxCrossEntropy(logits, new Int32Array([0, 2]), d, 2, 3, new Uint8Array([1, 0]));
    close(loss, Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3)) - 1, 'loss');
    assert.deepEqual([...d.subarray(3)], [0, 0, 0]);
    close(d[0] + d[1] + d[2], 0, 'gradient row sum');
  });

  it('softmax CE stays finite at huge logits', () => {
    const d = new Float32Array(2);
    const loss = softmaxCrossEntropy(new Float32Array([1000, -1000]), new Int32Array([1]), d, 1, 2);
    close(loss, 2000, 'loss');
    assert.deepEqual([...d], [1, -1]);
  });

  it('sigmoid CE: mean over the outputs of unmasked rows; stable at ±100', () => {
    const logits = new Float64Array([0, 100, -100, 0, 5, 5]), d = new Float64Array(6);
    const loss = sigmoidCrossEntropy(logits, [1, 1, 1, 0, 1, 1], d, 3, 2, new Uint8Array([1, 1, 0]));
    close(loss, (Math.log(2) + 0 + 100 + Math.log(2)) / 4, 'loss');
    close(d[0], (0.5 - 1) / 4, 'd[0]');
    close(d[2], (1 / (1 + Math.exp(100)) - 1) / 4, 'd[2]');
    close(d[3], 0.5 / 4, 'd[3]');
    assert.deepEqual([...d.subarray(4)], [0, 0]);
  });

  it('sequence CE is softmax CE over (B, C)', () => {
    const logits = new Float64Array([0.5, -1, 2, 0.1]), d1 = new Float64Array(4), d2 = new Float64Array(4);
    const labels = new Int32Array([0, 1]);
    close(sequenceCrossEntropy(logits, labels, d1, 2, 2), softmaxCrossEntropy(logits, labels, d2, 2, 2), 'loss');
    assert.deepEqual([...d1], [...d2]);
  });

  it('maskFromLengths is time-major', () => {
    assert.deepEqual([...maskFromLengths(new Int32Array([3, 1]), 3, 2)], [1, 1, 1, 0, 1, 0]);
  });

  it('errors name the row and the expected range', () => {
    assert.throws(() => softmaxCrossEntropy(new Float64Array(4), new Int32Array([0, 5]), new Float64Array(4), 2, 2),
      /target 5 at row 1 is outside 0\.\.1/);
  });
});
