// Shared by the ONNX tests: specs with defaults, seeded random engine models, comparisons.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { ModelSpec } from '../../../src/engine/spec';
import { createModel, type Model } from '../../../src/engine/model';
import { Rng } from '../../../src/engine/rng';
import type { DType } from '../../../src/engine/tensor';

export const TOLERANCE = 1e-5;
export const fixtureDir = path.join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'onnx');

export const spec = (over: Partial<ModelSpec>): ModelSpec => ({
  cell: 'rnn', vocabSize: 6, embedding: 4, hidden: 3, layers: 1, bidirectional: false, peephole: false,
  resetAfter: true, activation: 'tanh', dropout: 0, outputs: 5, head: 'softmax', manyToOne: false, ...over,
});

/** A model whose parameters are uniform in (-scale, scale), from seed. */
export function randomModel(s: ModelSpec, seed: number, dtype: DType = 'f32', scale = 0.8): Model {
  const model = createModel(s, dtype);
  const rng = new Rng(seed);
  for (let i = 0; i < model.params.length; i++) model.params[i] = rng.uniformIn(-scale, scale);
  return model;
}

export function randomTokens(seed: number, n: number, V: number): Int32Array {
  const rng = new Rng(seed, 1);
  return Int32Array.from({ length: n }, () => rng.int(V));
}

/** Largest |a - b|, after checking the lengths agree. */
export function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length, 'lengths differ');
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

/** (X, Y, C) → (Y, X, C): swaps the batch and time axes of per-step values. */
export function swapAxes(values: ArrayLike<number>, X: number, Y: number, C: number): Float32Array {
  const out = new Float32Array(X * Y * C);
  for (let x = 0; x < X; x++) for (let y = 0; y < Y; y++) for (let c = 0; c < C; c++) out[(y * X + x) * C + c] = values[(x * Y + y) * C + c];
  return out;
}

export const describeSpec = (s: ModelSpec): string =>
  `${s.cell}${s.cell === 'rnn' ? `/${s.activation}` : ''}${s.cell === 'gru' ? `/resetAfter=${s.resetAfter}` : ''}` +
  `${s.peephole ? '/peephole' : ''} L=${s.layers}${s.bidirectional ? ' bi' : ''} ${s.embedding ? `E=${s.embedding}` : 'one-hot'}` +
  `${s.manyToOne ? ' many-to-one' : ''} ${s.head}`;
