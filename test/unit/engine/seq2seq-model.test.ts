// The seq2seq model's two paths agree (a training forward vs. encode + one decoder step at a time),
// attention rows are distributions over the real source steps, greedy and beam search behave as
// specified, a small model learns to reverse digit strings, and a resumed session repeats the losses.

import * as assert from 'node:assert/strict';
import { decodeCheckpoint, encodeCheckpoint } from '../../../src/engine/checkpoint';
import { Rng } from '../../../src/engine/rng';
import { createSeq2SeqModel, type Seq2SeqBatch, type Seq2SeqModel } from '../../../src/engine/seq2seq/model';
import { beamSearch, engineRunner, greedySearch } from '../../../src/engine/seq2seq/search';
import type { AttentionKind, Seq2SeqSpec } from '../../../src/engine/seq2seq/spec';
import { createSeq2SeqSession, restoreSeq2SeqSession, seq2seqTrainStep } from '../../../src/engine/seq2seq/train';
import { snapshotSession } from '../../../src/engine/train-step';
import { restoreReferenceKernels, useWasmKernels } from '../../../src/engine/wasm';
import { randomTokens } from './helpers';

const START = 2, EOS = 2, PAD = 0;

const spec = (over: Partial<Seq2SeqSpec>): Seq2SeqSpec => ({
  kind: 'seq2seq', cell: 'gru', sourceVocab: 7, targetVocab: 6, embedding: 4, hidden: 5, layers: 1, bidirectional: true,
  peephole: false, resetAfter: true, activation: 'tanh', dropout: 0, attention: 'additive', ...over,
});

function randomised(s: Seq2SeqSpec, seed: number): Seq2SeqModel {
  const model = createSeq2SeqModel(s, 'f64');
  const rng = new Rng(seed);
  for (let i = 0; i < model.params.length; i++) model.params[i] = rng.uniformIn(-0.5, 0.5);
  return model;
}

const kinds: { name: string; over: Partial<Seq2SeqSpec> }[] = [
  { name: 'gru additive bidirectional', over: {} },
  { name: 'gru dot', over: { attention: 'dot', bidirectional: false } },
  { name: 'lstm peephole general, 2 layers', over: { cell: 'lstm', peephole: true, attention: 'general', layers: 2 } },
  { name: 'rnn none, one-hot', over: { cell: 'rnn', attention: 'none', embedding: 0 } },
  { name: 'gru reset before, additive, one-hot', over: { resetAfter: false, embedding: 0 } },
];

describe('seq2seq model: inference steps reproduce the training forward', () => {
  for (const { name, over } of kinds) {
    it(name, () => {
      const s = spec(over);
      const model = randomised(s, 11);
      const rng = new Rng(12);
      const Tx = 6, Ty = 5, B = 3;
      const batch: Seq2SeqBatch = {
        source: randomTokens(rng, Tx * B, s.sourceVocab), Tx, B, sourceLengths: Int32Array.of(6, 2, 4),
        target: randomTokens(rng, Ty * B, s.targetVocab), Ty, targetLengths: Int32Array.of(5, 5, 5),
      };
      const out = model.forward(batch, { train: false, startToken: START });
      const logits = out.logits.slice(), attention = out.attention.slice();
      const enc = model.encode(batch.source, Tx, B, batch.sourceLengths);
      let state = enc.state;
      let worst = 0;
      for (let t = 0; t < Ty; t++) {
        const prev = Int32Array.from({ length: B }, (_, b) => (t === 0 ? START : batch.target[(t - 1) * B + b]));
        const step = model.decodeStep(enc, Int32Array.of(0, 1, 2), prev, state);
        for (let i = 0; i < B * s.targetVocab; i++) worst = Math.max(worst, Math.abs(step.logits[i] - logits[t * B * s.targetVocab + i]));
        for (let i = 0; i < step.attention.length; i++) worst = Math.max(worst, Math.abs(step.attention[i] - attention[t * B * Tx + i]));
        state = step.state;
      }
      assert.ok(worst < 1e-12, `largest difference ${worst}`);
      if (s.attention === 'none') { assert.equal(out.attention.length, 0); return; }
      for (let r = 0; r < Ty * B; r++) {
        const b = r % B, len = batch.sourceLengths[b];
        let sum = 0;
        for (let j = 0; j < Tx; j++) {
          const a = out.attention[r * Tx + j];
          if (j >= len) assert.equal(a, 0, `weight past the source's length (b=${b}, j=${j})`);
          assert.ok(a >= 0);
          sum += a;
        }
        assert.ok(Math.abs(sum - 1) < 1e-12, `row ${r} sums to ${sum}`);
      }
    });
  }
});

describe('seq2seq search', () => {
  const s = spec({});
  const model = randomised(s, 21);
  const runner = engineRunner(model);
  const opts = { startToken: START, eosToken: EOS, maxLength: 7, lengthPenalty: 0.7, excludeTokens: [PAD, 1] };
  const rng = new Rng(22);
  const sources = [3, 5, 1, 6].map((n) => Array.from(randomTokens(rng, n, s.sourceVocab)).map((t) => Math.max(3, t)));

  it('greedy over a padded batch gives what it gives one source at a time, and what beam 1 gives', () => {
    const Tx = Math.max(...sources.map((x) => x.length)), B = sources.length;
    const tokens = new Int32Array(Tx * B);
    sources.forEach((x, b) => x.forEach((t, j) => { tokens[j * B + b] = t; }));
    const batched = greedySearch(runner, tokens, Tx, B, Int32Array.from(sources, (x) => x.length), opts);
    sources.forEach((x, b) => {
      const alone = greedySearch(runner, Int32Array.from(x), x.length, 1, Int32Array.of(x.length), opts)[0];
      assert.deepEqual(batched[b].tokens, alone.tokens);
      assert.ok(Math.abs(batched[b].logProb - alone.logProb) < 1e-12);
      const [beam1] = beamSearch(runner, x, 1, opts);
      assert.deepEqual(beam1.tokens, alone.tokens);
      assert.ok(Math.abs(beam1.score - alone.score) < 1e-12);
      for (const row of alone.attention) {
        assert.equal(row.length, x.length);
        assert.ok(Math.abs(row.reduce((a, w) => a + w, 0) - 1) < 1e-12);
      }
      assert.equal(alone.attention.length, alone.tokens.length);
      assert.ok(alone.tokens.every((t) => t !== PAD && t !== 1 && t !== EOS));
    });
  });

  it('beam K returns at most K distinct candidates, best score first, each scored log P / T^α', () => {
    for (const x of sources) {
      const cands = beamSearch(runner, x, 4, opts);
      assert.ok(cands.length >= 1 && cands.length <= 4);
      const keys = new Set(cands.map((c) => c.tokens.join(',') + (c.finished ? '.' : '')));
      assert.equal(keys.size, cands.length, 'candidates are distinct');
      for (let i = 1; i < cands.length; i++) assert.ok(cands[i - 1].score >= cands[i].score);
      for (const c of cands) {
        const T = c.tokens.length + (c.finished ? 1 : 0);
        assert.ok(Math.abs(c.score - c.logProb / Math.pow(T, 0.7)) < 1e-12);
        assert.ok(c.tokens.length <= opts.maxLength);
      }
    }
  });

  it('refuses a beam below 1 and a maxLength below 1 in words', () => {
    assert.throws(() => beamSearch(runner, [3, 4], 0, opts), /beam must be a whole number ≥ 1, got 0/);
    assert.throws(() => beamSearch(runner, [3, 4], 2, { ...opts, maxLength: 0 }), /maxLength must be a whole number ≥ 1/);
  });
});

/** Digit strings (tokens 3..8) to be reversed: source ids, target ids + <eos>. */
function reversalBatch(rng: Rng, B: number): Seq2SeqBatch {
  const lens = Array.from({ length: B }, () => 2 + rng.int(4));
  const Tx = Math.max(...lens), Ty = Tx + 1;
  const source = new Int32Array(Tx * B), target = new Int32Array(Ty * B);
  lens.forEach((n, b) => {
    const digits = Array.from({ length: n }, () => 3 + rng.int(6));
    digits.forEach((d, j) => { source[j * B + b] = d; });
    [...digits].reverse().forEach((d, t) => { target[t * B + b] = d; });
    target[n * B + b] = EOS;
  });
  return { source, Tx, B, sourceLengths: Int32Array.from(lens), target, Ty, targetLengths: Int32Array.from(lens, (n) => n + 1) };
}

describe('seq2seq training', () => {
  const options = (attention: AttentionKind) => ({
    optimizer: { kind: 'adam' as const }, schedule: { kind: 'constant' as const, baseLr: 0.01 }, clipNorm: 5, seed: 3, teacherForcing: 1,
    dtype: 'f32' as const, attention,
  });

  for (const attention of ['additive', 'dot'] as const) {
    it(`learns to reverse digit strings (gru, ${attention}): greedy and beam 3 exact on held-out strings`, function () {
      this.timeout(120_000);
      const s = spec({ sourceVocab: 9, targetVocab: 9, hidden: 16, embedding: 8, attention });
      const session = createSeq2SeqSession(s, options(attention));
      const rng = new Rng(4);
      let first = 0, last = 0;
      for (let step = 0; step < 400; step++) {
        const m = seq2seqTrainStep(session, reversalBatch(rng, 32), { startToken: START, teacherForcing: step < 200 ? 1 : 0.5 });
        if (step === 0) first = m.loss;
        last = m.loss;
      }
      assert.ok(last < first / 10, `loss ${first} → ${last}`);
      const runner = engineRunner(session.model);
      const heldOut = new Rng(99);
      let greedyRight = 0, beamRight = 0;
      const N = 40;
      for (let i = 0; i < N; i++) {
        const n = 2 + heldOut.int(4);
        const digits = Array.from({ length: n }, () => 3 + heldOut.int(6));
        const want = [...digits].reverse().join(',');
        const opts = { startToken: START, eosToken: EOS, maxLength: 8, excludeTokens: [PAD, 1] };
        if (greedySearch(runner, Int32Array.from(digits), n, 1, Int32Array.of(n), opts)[0].tokens.join(',') === want) greedyRight++;
        if (beamSearch(runner, digits, 3, opts)[0].tokens.join(',') === want) beamRight++;
      }
      assert.ok(greedyRight >= 0.9 * N, `greedy exact ${greedyRight}/${N}`);
      assert.ok(beamRight >= greedyRight, `beam ${beamRight} vs greedy ${greedyRight}`);
    });
  }

  it('a session restored from checkpoint bytes repeats the next losses exactly (teacher forcing 0.5, dropout)', () => {
    const s = spec({ layers: 2, dropout: 0.2, cell: 'lstm', sourceVocab: 9, targetVocab: 9 });
    const opts = { ...options('additive'), teacherForcing: 0.5 };
    const a = createSeq2SeqSession(s, opts);
    const rngA = new Rng(7);
    for (let i = 0; i < 5; i++) seq2seqTrainStep(a, reversalBatch(rngA, 8), { startToken: START, teacherForcing: 0.5 });
    const b = restoreSeq2SeqSession(decodeCheckpoint(encodeCheckpoint(snapshotSession(a))));
    const rngB = new Rng(0); rngB.setState(rngA.getState());
    for (let i = 0; i < 4; i++) {
      const batchA = reversalBatch(rngA, 8), batchB = reversalBatch(rngB, 8);
      const tf = { startToken: START, teacherForcing: 0.5 };
      assert.equal(seq2seqTrainStep(b, batchB, tf).loss, seq2seqTrainStep(a, batchA, tf).loss);
    }
    assert.deepEqual(b.model.params, a.model.params);
  });
});

describe('seq2seq training on the WASM kernels matches the TypeScript reference', () => {
  const cases: { name: string; over: Partial<Seq2SeqSpec> }[] = [
    { name: 'gru additive bidirectional', over: {} },
    { name: 'lstm general, 2 layers, one-hot', over: { cell: 'lstm', attention: 'general', layers: 2, embedding: 0 } },
    { name: 'gru reset before, dot', over: { resetAfter: false, attention: 'dot' } },
  ];
  const train = (s: Seq2SeqSpec, wasm: boolean) => {
    if (wasm) assert.ok(useWasmKernels({ threads: 1 }));
    try {
      const session = createSeq2SeqSession(s, { optimizer: { kind: 'adam' }, schedule: { kind: 'constant', baseLr: 0.01 }, seed: 5 });
      const rng = new Rng(6);
      const losses = Array.from({ length: 5 }, () => seq2seqTrainStep(session, reversalBatch(rng, 16), { startToken: START, teacherForcing: 0.7 }).loss);
      return { losses, params: Float32Array.from(session.model.params) };
    } finally {
      restoreReferenceKernels();
    }
  };
  for (const c of cases) {
    it(`${c.name}: five Adam steps, losses within 1e-5 relative, weights within 1e-4`, () => {
      const s = spec({ ...c.over, sourceVocab: 9, targetVocab: 9, hidden: 12, embedding: c.over.embedding ?? 8 });
      const ref = train(s, false), got = train(s, true);
      ref.losses.forEach((l, i) => assert.ok(Math.abs(got.losses[i] - l) <= 1e-5 * Math.abs(l), `step ${i}: wasm ${got.losses[i]}, reference ${l}`));
      let worst = 0;
      for (let i = 0; i < ref.params.length; i++) worst = Math.max(worst, Math.abs(got.params[i] - ref.params[i]));
      assert.ok(worst <= 1e-4, `largest weight difference ${worst}`);
    });
  }
});
