// Shared by the engine tests: a spec with defaults, random parameters and batches from a seed.

import type { ModelSpec } from '../../../src/engine/spec';
import { createModel, type Model } from '../../../src/engine/model';
import { Rng } from '../../../src/engine/rng';
import type { DType } from '../../../src/engine/tensor';

export const baseSpec: ModelSpec = {
  cell: 'rnn', vocabSize: 5, embedding: 0, hidden: 3, layers: 1, bidirectional: false, peephole: false,
  resetAfter: true, activation: 'tanh', dropout: 0, outputs: 4, head: 'softmax', manyToOne: false,
};

export const makeSpec = (over: Partial<ModelSpec>): ModelSpec => ({ ...baseSpec, ...over });

/** A model whose every parameter is uniform in (-scale, scale), from seed. */
export function randomModel(spec: ModelSpec, dtype: DType, seed: number, scale = 0.6): Model {
  const model = createModel(spec, dtype);
  const rng = new Rng(seed);
  for (let i = 0; i < model.params.length; i++) model.params[i] = rng.uniformIn(-scale, scale);
  return model;
}

export function randomTokens(rng: Rng, n: number, V: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.int(V);
  return out;
}
