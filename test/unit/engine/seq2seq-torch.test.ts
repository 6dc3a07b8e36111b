// The seq2seq engine against PyTorch (1.13; the two newest cases 2.13) (test/fixtures/torch/seq2seq_*.json, written by
// scripts/fixtures/torch_seq2seq.py): one attention step per kind (weights, context, gradients), and
// whole training steps (logits, attention, decoder inputs under teacher forcing, loss, every
// gradient, the clipped norm and the weights after one Adam update).

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { softmaxCrossEntropy } from '../../../src/engine/loss';
import {
  attentionBackward, attentionForward, attentionKeysBackward, attentionKeysForward, keyWidth, type AttentionWeights,
} from '../../../src/engine/seq2seq/attention';
import { createSeq2SeqModel, type Seq2SeqBatch } from '../../../src/engine/seq2seq/model';
import type { AttentionKind, Seq2SeqSpec } from '../../../src/engine/seq2seq/spec';
import { createSeq2SeqSession, seq2seqTrainStep } from '../../../src/engine/seq2seq/train';
import { vecFrom, type DType, type Vec } from '../../../src/engine/tensor';

const FIXTURE_VERSION = 1;
const fixtureDir = path.join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'torch');
const TOLERANCE: Record<DType, number> = { f64: 1e-10, f32: 1e-5 };

const read = <T>(prefix: string): T[] => fs.readdirSync(fixtureDir)
  .filter((f) => f.startsWith(prefix) && f.endsWith('.json')).sort()
  .map((f) => JSON.parse(fs.readFileSync(path.join(fixtureDir, f), 'utf8')) as T);

function maxDiff(ours: ArrayLike<number>, theirs: readonly number[]): number {
  assert.equal(ours.length, theirs.length, 'length');
  let worst = 0;
  for (let i = 0; i < theirs.length; i++) worst = Math.max(worst, Math.abs(ours[i] - theirs[i]));
  return worst;
}

function assertClose(diffs: Record<string, number>, tolerance: number): void {
  const bad = Object.entries(diffs).filter(([, d]) => !(d <= tolerance));
  assert.deepEqual(bad, [], `differences above ${tolerance}: ${bad.map(([k, d]) => `${k} ${d.toExponential(2)}`).join(', ')}`);
}

interface AttentionFixture {
  version: number; name: string; kind: AttentionKind; Tx: number; B: number; F: number; Hd: number; A: number; lengths: number[];
  memory: number[]; sPrev: number[]; params: Record<string, number[]>; dContext: number[];
  alpha: number[]; context: number[]; dsPrev: number[]; dMemory: number[]; grads: Record<string, number[]>;
}

interface StepFixture {
  version: number; name: string; spec: Seq2SeqSpec; Tx: number; Ty: number; B: number; startToken: number;
  source: number[]; sourceLengths: number[]; target: number[]; targetLengths: number[]; forced: number[]; inputs: number[];
  params: Record<string, number[]>; logits: number[]; attention: number[]; loss: number; grads: Record<string, number[]>;
  gradNorm: number; update: { optimizer: 'adam'; lr: number; clipNorm: number }; paramsAfter: Record<string, number[]>;
}

const attentionFixtures = read<AttentionFixture>('seq2seq_attention_');
const stepFixtures = read<StepFixture>('seq2seq_step_');

function attentionStep(fx: AttentionFixture, dtype: DType): Record<string, number> {
  const { kind, Tx, B, F, Hd, A } = fx;
  const K = keyWidth(kind, F, Hd, A);
  const weights = (src: Record<string, number[]>): AttentionWeights => {
    const v = (name: string) => (src[`attention.${name}`] ? vecFrom(dtype, src[`attention.${name}`]) : null);
    return { Ws: v('Ws'), Wh: v('Wh'), v: v('v'), Wa: v('Wa') };
  };
  const w = weights(fx.params);
  const zeros = (n: number) => vecFrom(dtype, new Array(n).fill(0));
  const g: AttentionWeights = { Ws: w.Ws && zeros(w.Ws.length), Wh: w.Wh && zeros(w.Wh.length), v: w.v && zeros(w.v.length), Wa: w.Wa && zeros(w.Wa.length) };
  const memory = vecFrom(dtype, fx.memory), sPrev = vecFrom(dtype, fx.sPrev);
  const keys = kind === 'dot' ? memory : zeros(Tx * B * K);
  attentionKeysForward(kind, keys, memory, w, Tx * B, F, K);
  const mem = { Tx, Bm: B, memory, keys, lengths: Int32Array.from(fx.lengths) };
  const rowOf = Int32Array.from({ length: B }, (_, b) => b);
  const alpha = zeros(B * Tx), context = zeros(B * F), query = zeros(B * A);
  attentionForward(kind, alpha, context, query, sPrev, mem, rowOf, w, B, F, Hd, A);
  const dsPrev = zeros(B * Hd), dMemory = zeros(Tx * B * F), dKeys = zeros(Tx * B * K);
  attentionBackward(kind, dsPrev, dMemory, dKeys, g, zeros(B * A), zeros(B * Tx), vecFrom(dtype, fx.dContext),
    alpha, query, sPrev, mem, rowOf, w, B, F, Hd, A);
  attentionKeysBackward(kind, dMemory, g, dKeys, memory, w, Tx * B, F, K);
  const diffs: Record<string, number> = {
    alpha: maxDiff(alpha, fx.alpha), context: maxDiff(context, fx.context), dsPrev: maxDiff(dsPrev, fx.dsPrev), dMemory: maxDiff(dMemory, fx.dMemory),
  };
  for (const [name, values] of Object.entries(fx.grads)) diffs[`grad ${name}`] = maxDiff(g[name.slice('attention.'.length) as keyof AttentionWeights] as Vec, values);
  return diffs;
}

function batchOf(fx: StepFixture): Seq2SeqBatch {
  return {
    source: Int32Array.from(fx.source), Tx: fx.Tx, B: fx.B, sourceLengths: Int32Array.from(fx.sourceLengths),
    target: Int32Array.from(fx.target), Ty: fx.Ty, targetLengths: Int32Array.from(fx.targetLengths),
  };
}

function trainingStep(fx: StepFixture, dtype: DType): Record<string, number> {
  const model = createSeq2SeqModel(fx.spec, dtype);
  for (const [name, values] of Object.entries(fx.params)) model.param(name).set(values);
  const batch = batchOf(fx);
  const out = model.forward(batch, { train: false, startToken: fx.startToken, forced: Uint8Array.from(fx.forced) });
  const inputsMatch = Array.from(out.inputs).every((v, i) => v === fx.inputs[i]) ? 0 : Infinity;
  const loss = softmaxCrossEntropy(out.logits, batch.target, out.dLogits, fx.Ty * fx.B, fx.spec.targetVocab, out.mask);
  const diffs: Record<string, number> = {
    logits: maxDiff(out.logits, fx.logits), attention: maxDiff(out.attention, fx.attention), loss: Math.abs(loss - fx.loss), inputs: inputsMatch,
  };
  model.zeroGrads();
  model.backward(out.dLogits);
  for (const [name, values] of Object.entries(fx.grads)) diffs[`grad ${name}`] = maxDiff(model.grad(name), values);
  return diffs;
}

describe('seq2seq engine matches PyTorch fixtures', () => {
  it('has the fixtures, at the version this test reads', () => {
    assert.equal(attentionFixtures.length, 3, 'attention fixtures (additive, dot, general)');
    assert.ok(stepFixtures.length >= 6, `found ${stepFixtures.length} step fixtures`);
    for (const fx of [...attentionFixtures, ...stepFixtures]) assert.equal(fx.version, FIXTURE_VERSION, `${fx.name}: fixture version`);
    const covered = new Set(stepFixtures.map((f) => f.spec.attention));
    for (const kind of ['additive', 'dot', 'general', 'none']) assert.ok(covered.has(kind as AttentionKind), `a step fixture with ${kind} attention`);
    for (const kind of ['additive', 'dot', 'general'] as const) {
      const of = stepFixtures.filter((f) => f.spec.attention === kind);
      assert.ok(of.some((f) => f.spec.bidirectional), `a step fixture with ${kind} attention over a bidirectional encoder`);
      assert.ok(of.some((f) => f.forced.some((v) => v === 0)), `a step fixture with ${kind} attention and teacher forcing below 1`);
    }
    assert.ok(stepFixtures.some((f) => f.spec.bidirectional && f.spec.layers > 1), 'a bidirectional stacked encoder');
  });

  for (const fx of attentionFixtures) {
    for (const dtype of ['f64', 'f32'] as const) {
      it(`${fx.name} (${dtype})`, () => assertClose(attentionStep(fx, dtype), TOLERANCE[dtype]));
    }
  }
  for (const fx of stepFixtures) {
    for (const dtype of ['f64', 'f32'] as const) {
      it(`${fx.name}: forward and backward (${dtype})`, () => assertClose(trainingStep(fx, dtype), TOLERANCE[dtype]));
    }
    it(`${fx.name}: one Adam step with clipping gives torch's weights (f64)`, () => {
      const session = createSeq2SeqSession(fx.spec, {
        optimizer: { kind: 'adam' }, schedule: { kind: 'constant', baseLr: fx.update.lr }, clipNorm: fx.update.clipNorm, seed: 0, dtype: 'f64',
      });
      for (const [name, values] of Object.entries(fx.params)) session.model.param(name).set(values);
      const m = seq2seqTrainStep(session, batchOf(fx), { startToken: fx.startToken, forced: Uint8Array.from(fx.forced) });
      const diffs: Record<string, number> = { loss: Math.abs(m.loss - fx.loss), gradNorm: Math.abs(m.gradNorm - fx.gradNorm) };
      for (const [name, values] of Object.entries(fx.paramsAfter)) diffs[`param ${name}`] = maxDiff(session.model.param(name), values);
      assertClose(diffs, 1e-9);
    });
  }
});
