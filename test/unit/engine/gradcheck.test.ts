// Finite-difference gradient checks in float64: every cell and option, each loss, masks, carried state.
// One helper, a table of cases; every parameter of a tiny model is checked (central differences).

import * as assert from 'node:assert/strict';
import type { ModelSpec } from '../../../src/engine/spec';
import { paramLayout } from '../../../src/engine/spec';
import type { Model, RecurrentState } from '../../../src/engine/model';
import { sequenceCrossEntropy, sigmoidCrossEntropy, softmaxCrossEntropy } from '../../../src/engine/loss';
import { Rng } from '../../../src/engine/rng';
import { makeSpec, randomModel, randomTokens } from './helpers';

type LossKind = 'softmax' | 'sigmoid' | 'sequence';

interface Case {
  readonly name: string;
  readonly spec: Partial<ModelSpec>;
  readonly loss?: LossKind;               // default: softmax per token
  readonly lengths?: readonly number[];   // B = lengths.length when set
  readonly carried?: boolean;             // start from a random state (truncated BPTT)
  readonly train?: boolean;               // dropout on (same mask every evaluation)
}

const T = 4, B = 3;
const STEP = 1e-5;
const FLOOR = 1e-3;  // gradients below this are judged on absolute error (FLOOR * tolerance)

const cases: Case[] = [
  { name: 'rnn tanh, one-hot', spec: { cell: 'rnn' } },
  { name: 'rnn relu, embedding', spec: { cell: 'rnn', activation: 'relu', embedding: 3 } },
  { name: 'rnn tanh, bidirectional, lengths', spec: { cell: 'rnn', bidirectional: true }, lengths: [4, 2, 3] },
  { name: 'rnn, 2 layers, many-to-one', spec: { cell: 'rnn', layers: 2, manyToOne: true }, loss: 'sequence' },
  { name: 'gru resetAfter', spec: { cell: 'gru', resetAfter: true } },
  { name: 'gru reset before (notes)', spec: { cell: 'gru', resetAfter: false } },
  { name: 'gru reset before, bidirectional, 2 layers, lengths', spec: { cell: 'gru', resetAfter: false, bidirectional: true, layers: 2 }, lengths: [2, 4, 1] },
  { name: 'gru resetAfter, embedding, carried state', spec: { cell: 'gru', embedding: 2 }, carried: true },
  { name: 'gru bidirectional, many-to-one, lengths', spec: { cell: 'gru', bidirectional: true, manyToOne: true }, loss: 'sequence', lengths: [3, 1, 4] },
  { name: 'lstm', spec: { cell: 'lstm' } },
  { name: 'lstm peephole', spec: { cell: 'lstm', peephole: true } },
  { name: 'lstm peephole, bidirectional, 2 layers, embedding, lengths', spec: { cell: 'lstm', peephole: true, bidirectional: true, layers: 2, embedding: 3 }, lengths: [4, 3, 1] },
  { name: 'lstm, 2 layers, dropout', spec: { cell: 'lstm', layers: 2, dropout: 0.4 }, train: true },
  { name: 'lstm peephole, carried state', spec: { cell: 'lstm', peephole: true }, carried: true },
  { name: 'lstm, sigmoid head, lengths', spec: { cell: 'lstm', head: 'sigmoid' }, loss: 'sigmoid', lengths: [4, 2, 3] },
  { name: 'rnn relu, sigmoid head, bidirectional', spec: { cell: 'rnn', activation: 'relu', head: 'sigmoid', bidirectional: true }, loss: 'sigmoid' },
  { name: 'lstm peephole, bidirectional, many-to-one, lengths', spec: { cell: 'lstm', peephole: true, bidirectional: true, manyToOne: true }, loss: 'sequence', lengths: [1, 4, 2] },
];

/** Loss of the model on the case's fixed data; fills grads when withGrads. */
function makeLossFn(model: Model, c: Case, seed: number): (withGrads: boolean) => number {
  const spec = model.spec, C = spec.outputs;
  const rng = new Rng(seed, 1);
  const batchB = c.lengths ? c.lengths.length : B;
  const tokens = randomTokens(rng, T * batchB, spec.vocabSize);
  const lengths = c.lengths ? Int32Array.from(c.lengths) : undefined;
  const classTargets = randomTokens(rng, spec.manyToOne ? batchB : T * batchB, C);
  const binaryTargets = Float64Array.from({ length: T * batchB * C }, () => (rng.uniform() < 0.5 ? 1 : 0));
  let state: RecurrentState | undefined;
  if (c.carried) {
    state = model.initialState(batchB);
    for (let i = 0; i < state.h.length; i++) state.h[i] = rng.uniformIn(-0.8, 0.8);
    if (state.c) for (let i = 0; i < state.c.length; i++) state.c[i] = rng.uniformIn(-1.5, 1.5);
  }
  return (withGrads) => {
    const dropoutRng = new Rng(seed, 2);  // the same masks on every evaluation
    const initial = state ? { B: state.B, h: state.h.slice(), c: state.c ? state.c.slice() : null } : undefined;
    const out = model.forward({ tokens, T, B: batchB, lengths }, { train: !!c.train, state: initial, rng: dropoutRng });
    const loss = c.loss === 'sequence' ? sequenceCrossEntropy(out.logits, classTargets, out.dLogits, batchB, C)
      : c.loss === 'sigmoid' ? sigmoidCrossEntropy(out.logits, binaryTargets, out.dLogits, T * batchB, C, out.mask)
      : softmaxCrossEntropy(out.logits, classTargets, out.dLogits, T * batchB, C, out.mask);
    if (withGrads) {
      model.zeroGrads();
      model.backward(out.dLogits);
    }
    return loss;
  };
}

/** Worst relative error over all parameters, and the parameter where it occurs. */
function gradCheck(c: Case, seed: number): { worst: number; where: string; gradNorm: number } {
  const model = randomModel(makeSpec(c.spec), 'f64', seed);
  const lossAt = makeLossFn(model, c, seed);
  lossAt(true);
  const analytic = model.grads.slice();
  const layout = paramLayout(model.spec);
  let worst = 0, where = '', gradNorm = 0;
  for (let i = 0; i < model.params.length; i++) {
    const saved = model.params[i];
    model.params[i] = saved + STEP;
    const up = lossAt(false);
    model.params[i] = saved - STEP;
    const down = lossAt(false);
    model.params[i] = saved;
    const numeric = (up - down) / (2 * STEP);
    const a = analytic[i];
    gradNorm += a * a;
    const err = Math.abs(a - numeric) / Math.max(Math.abs(a), Math.abs(numeric), FLOOR);
    if (err > worst) {
      const entry = layout.find((e) => i >= e.offset && i < e.offset + e.size)!;
      worst = err;
      where = `${entry.name}[${i - entry.offset}]: analytic ${a}, numeric ${numeric}`;
    }
  }
  return { worst, where, gradNorm: Math.sqrt(gradNorm) };
}

describe('engine gradients match finite differences (float64)', () => {
  for (const [k, c] of cases.entries()) {
    it(c.name, () => {
      const { worst, where, gradNorm } = gradCheck(c, 100 + k);
      assert.ok(gradNorm > 1e-3, `gradient is (nearly) zero: ${gradNorm}; the check would prove nothing`);
      assert.ok(worst < 1e-6, `relative error ${worst.toExponential(2)} at ${where}`);
    });
  }
});
