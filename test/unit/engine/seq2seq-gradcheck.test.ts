// Finite-difference gradient checks of the seq2seq model in float64: every attention kind, every
// cell, bidirectional and stacked encoders, padding on both sides, one-hot inputs, dropout and
// teacher forcing below 1. One helper, a table of cases; every parameter is checked.

import * as assert from 'node:assert/strict';
import { softmaxCrossEntropy } from '../../../src/engine/loss';
import { Rng } from '../../../src/engine/rng';
import { createSeq2SeqModel, type Seq2SeqBatch } from '../../../src/engine/seq2seq/model';
import { seq2seqLayout, type Seq2SeqSpec } from '../../../src/engine/seq2seq/spec';
import { randomTokens } from './helpers';

interface Case {
  readonly name: string;
  readonly spec: Partial<Seq2SeqSpec>;
  readonly sourceLengths?: readonly number[];   // B = its length when set (else 3 full rows)
  readonly targetLengths?: readonly number[];
  readonly teacherForcing?: number;
  readonly train?: boolean;                     // dropout on (the same masks every evaluation)
}

const Tx = 5, Ty = 4, B = 3;
const STEP = 1e-5;
const FLOOR = 1e-3;

const base: Seq2SeqSpec = {
  kind: 'seq2seq', cell: 'gru', sourceVocab: 6, targetVocab: 5, embedding: 3, hidden: 3, layers: 1, bidirectional: false,
  peephole: false, resetAfter: true, activation: 'tanh', dropout: 0, attention: 'additive',
};

const cases: Case[] = [
  { name: 'gru, additive', spec: {} },
  { name: 'gru, dot, bidirectional, padded sources', spec: { attention: 'dot', bidirectional: true }, sourceLengths: [5, 3, 2], targetLengths: [4, 2, 3] },
  { name: 'gru reset before, general, 2 layers', spec: { attention: 'general', resetAfter: false, layers: 2 } },
  { name: 'gru, none (final state only), bidirectional', spec: { attention: 'none', bidirectional: true }, sourceLengths: [2, 5, 4] },
  { name: 'gru, additive, one-hot both sides, padded', spec: { embedding: 0 }, sourceLengths: [3, 5, 1], targetLengths: [1, 4, 2] },
  { name: 'gru, additive, teacher forcing 0.5', spec: {}, teacherForcing: 0.5 },
  { name: 'gru, general, bidirectional, teacher forcing 0.3, padded', spec: { attention: 'general', bidirectional: true }, teacherForcing: 0.3, sourceLengths: [4, 5, 2], targetLengths: [3, 4, 1] },
  { name: 'lstm, additive', spec: { cell: 'lstm' } },
  { name: 'lstm peephole, additive, bidirectional, 2 layers, padded', spec: { cell: 'lstm', peephole: true, bidirectional: true, layers: 2 }, sourceLengths: [5, 1, 3], targetLengths: [2, 4, 3] },
  { name: 'lstm, none, padded (c_0 from the encoder)', spec: { cell: 'lstm', attention: 'none' }, sourceLengths: [3, 5, 2] },
  { name: 'lstm, dot, bidirectional, teacher forcing 0.4, one-hot', spec: { cell: 'lstm', attention: 'dot', bidirectional: true, embedding: 0 }, teacherForcing: 0.4 },
  { name: 'rnn tanh, additive, bidirectional', spec: { cell: 'rnn', bidirectional: true }, sourceLengths: [5, 4, 2] },
  { name: 'rnn relu, general, padded', spec: { cell: 'rnn', activation: 'relu', attention: 'general' }, sourceLengths: [2, 5, 3], targetLengths: [4, 1, 3] },
  { name: 'rnn, dot, 2 layers, dropout', spec: { cell: 'rnn', attention: 'dot', layers: 2, dropout: 0.3 }, train: true },
  { name: 'gru, additive, 3 layers bidirectional, teacher forcing 0', spec: { layers: 3, bidirectional: true }, teacherForcing: 0 },
];

function gradCheck(c: Case, seed: number): { worst: number; where: string; gradNorm: number } {
  const spec: Seq2SeqSpec = { ...base, ...c.spec };
  const model = createSeq2SeqModel(spec, 'f64');
  const rng = new Rng(seed);
  for (let i = 0; i < model.params.length; i++) model.params[i] = rng.uniformIn(-0.6, 0.6);
  const bB = c.sourceLengths?.length ?? B;
  const batch: Seq2SeqBatch = {
    source: randomTokens(rng, Tx * bB, spec.sourceVocab), Tx, B: bB,
    sourceLengths: Int32Array.from(c.sourceLengths ?? Array(bB).fill(Tx)),
    target: randomTokens(rng, Ty * bB, spec.targetVocab), Ty,
    targetLengths: Int32Array.from(c.targetLengths ?? Array(bB).fill(Ty)),
  };
  const lossAt = (withGrads: boolean): number => {
    const out = model.forward(batch, {
      train: !!c.train, startToken: 2, teacherForcing: c.teacherForcing,
      teacherRng: new Rng(seed, 5), rng: new Rng(seed, 6),   // the same draws on every evaluation
    });
    const loss = softmaxCrossEntropy(out.logits, batch.target, out.dLogits, Ty * bB, spec.targetVocab, out.mask);
    if (withGrads) {
      model.zeroGrads();
      model.backward(out.dLogits);
    }
    return loss;
  };
  lossAt(true);
  const analytic = model.grads.slice();
  const layout = seq2seqLayout(spec);
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

describe('seq2seq gradients match finite differences (float64)', () => {
  for (const [k, c] of cases.entries()) {
    it(c.name, () => {
      const { worst, where, gradNorm } = gradCheck(c, 300 + k);
      assert.ok(gradNorm > 1e-3, `gradient is (nearly) zero: ${gradNorm}; the check would prove nothing`);
      assert.ok(worst < 1e-6, `relative error ${worst.toExponential(2)} at ${where}`);
    });
  }

  it('teacher forcing below 1 really feeds predictions: the decoder inputs differ from the shifted targets', () => {
    const spec: Seq2SeqSpec = { ...base };
    const model = createSeq2SeqModel(spec, 'f64');
    const rng = new Rng(9);
    for (let i = 0; i < model.params.length; i++) model.params[i] = rng.uniformIn(-0.6, 0.6);
    const T = 12, N = 8;
    const batch: Seq2SeqBatch = {
      source: randomTokens(rng, Tx * N, spec.sourceVocab), Tx, B: N, sourceLengths: new Int32Array(N).fill(Tx),
      target: randomTokens(rng, T * N, spec.targetVocab), Ty: T, targetLengths: new Int32Array(N).fill(T),
    };
    const shiftedDiffers = (ratio: number) => {
      const out = model.forward(batch, { train: true, startToken: 2, teacherForcing: ratio, teacherRng: new Rng(1) });
      let differs = 0;
      for (let r = N; r < T * N; r++) if (out.inputs[r] !== batch.target[r - N]) differs++;
      for (let b = 0; b < N; b++) assert.equal(out.inputs[b], 2, 'step 1 reads the start token');
      return differs;
    };
    assert.equal(shiftedDiffers(1), 0);
    assert.ok(shiftedDiffers(0) > 20, 'with ratio 0 most inputs are the model\'s own guesses');
  });
});
