// Engine vs onnxruntime on exported seq2seq models (encoder.onnx + decoder.onnx): every cell, every
// attention kind, bidirectional and stacked encoders, peepholes, reset placement, one-hot inputs
// and padded batches agree within 1e-5 step by step (logits, attention, state), and greedy and beam
// search give the same outputs on both backends.
import * as assert from 'node:assert/strict';
import { Rng } from '../../../src/engine/rng';
import { createSeq2SeqModel, type Seq2SeqModel } from '../../../src/engine/seq2seq/model';
import { beamSearch, engineRunner, greedySearch, type Seq2SeqRunner } from '../../../src/engine/seq2seq/search';
import type { Seq2SeqSpec } from '../../../src/engine/seq2seq/spec';
import { decodeModel } from '../../../src/onnx/modelProto';
import { exportSeq2SeqDecoder, exportSeq2SeqEncoder } from '../../../src/onnx/seq2seqExport';
import { openSeq2SeqOrt } from '../../../src/onnx/seq2seqOrt';

const TOLERANCE = 1e-5;
const spec = (over: Partial<Seq2SeqSpec>): Seq2SeqSpec => ({
  kind: 'seq2seq', cell: 'gru', sourceVocab: 9, targetVocab: 8, embedding: 4, hidden: 5, layers: 1, bidirectional: true,
  peephole: false, resetAfter: true, activation: 'tanh', dropout: 0, attention: 'additive', ...over,
});

const cases: Partial<Seq2SeqSpec>[] = [
  {}, { attention: 'dot' }, { attention: 'general', layers: 2 }, { attention: 'none' },
  { cell: 'gru', resetAfter: false, bidirectional: false, embedding: 0 },
  { cell: 'lstm', attention: 'additive', layers: 2 }, { cell: 'lstm', peephole: true, attention: 'general', bidirectional: false },
  { cell: 'lstm', attention: 'none', embedding: 0 }, { cell: 'rnn', activation: 'relu', attention: 'dot' },
  { cell: 'rnn', attention: 'additive', layers: 2, embedding: 0 },
];

const describeSpec = (s: Seq2SeqSpec) =>
  `${s.cell}${s.cell === 'gru' && !s.resetAfter ? ' reset-before' : ''}${s.peephole ? ' peephole' : ''}${s.cell === 'rnn' ? ` ${s.activation}` : ''}, ` +
  `${s.attention}, ${s.layers} layer(s)${s.bidirectional ? ', bidirectional' : ''}${s.embedding === 0 ? ', one-hot' : ''}`;

function randomModel(s: Seq2SeqSpec, seed: number): Seq2SeqModel {
  const model = createSeq2SeqModel(s, 'f32');
  const rng = new Rng(seed);
  for (let i = 0; i < model.params.length; i++) model.params[i] = rng.uniformIn(-0.6, 0.6);
  return model;
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length, 'length');
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

/** Step both backends over a padded batch, feeding the same tokens; the worst difference of each output. */
function stepBoth<M1, S1, M2, S2>(a: Seq2SeqRunner<M1, S1>, b: Seq2SeqRunner<M2, S2>, s: Seq2SeqSpec, seed: number) {
  const rng = new Rng(seed);
  const Tx = 6, B = 3, lengths = Int32Array.of(6, 2, 4);
  const source = Int32Array.from({ length: Tx * B }, (_, i) => (Math.floor(i / B) < lengths[i % B] ? rng.int(s.sourceVocab) : 0));
  const ea = a.encode(source, Tx, B, lengths), eb = b.encode(source, Tx, B, lengths);
  let sa = ea.state, sb = eb.state;
  let logits = 0, attention = 0;
  // Rows 0..3 read sources 2, 0, 0, 1: decoder rows and memory rows apart, as in beam search.
  const rowOf = Int32Array.of(2, 0, 0, 1);
  sa = a.selectRows(sa, rowOf); sb = b.selectRows(sb, rowOf);
  for (let t = 0; t < 4; t++) {
    const prev = Int32Array.from({ length: rowOf.length }, () => rng.int(s.targetVocab));
    const ra = a.step(ea.memory, rowOf, prev, sa), rb = b.step(eb.memory, rowOf, prev, sb);
    logits = Math.max(logits, maxDiff(ra.logits, rb.logits));
    if (ra.attention || rb.attention) attention = Math.max(attention, maxDiff(ra.attention!, rb.attention!));
    sa = ra.state; sb = rb.state;
  }
  return { logits, attention };
}

describe('seq2seq: engine and onnxruntime (encoder.onnx + decoder.onnx) agree', () => {
  for (const [k, over] of cases.entries()) {
    const s = spec(over);
    it(describeSpec(s), () => {
      const model = randomModel(s, 10 + k);
      const params = model.params as Float32Array;
      const ort = openSeq2SeqOrt(exportSeq2SeqEncoder(s, params, {}), exportSeq2SeqDecoder(s, params, {}));
      try {
        const diffs = stepBoth(engineRunner(model), ort, s, 20 + k);
        assert.ok(diffs.logits < TOLERANCE, `logits differ by ${diffs.logits}`);
        assert.ok(diffs.attention < TOLERANCE, `attention differs by ${diffs.attention}`);
        const opts = { startToken: 2, eosToken: 2, maxLength: 6, excludeTokens: [0, 1] };
        const source = [3, 5, 7, 4, 8];
        const ge = greedySearch(engineRunner(model), Int32Array.from(source), 5, 1, Int32Array.of(5), opts)[0];
        const go = greedySearch(ort, Int32Array.from(source), 5, 1, Int32Array.of(5), opts)[0];
        assert.deepEqual(go.tokens, ge.tokens);
        assert.ok(Math.abs(go.logProb - ge.logProb) < 1e-4);
        const be = beamSearch(engineRunner(model), source, 3, opts), bo = beamSearch(ort, source, 3, opts);
        assert.deepEqual(bo.map((c) => c.tokens), be.map((c) => c.tokens));
        for (const [i, c] of bo.entries()) {
          assert.equal(c.attention.length, c.tokens.length);
          if (s.attention !== 'none') c.attention.forEach((row) => assert.ok(Math.abs(row.reduce((x, w) => x + w, 0) - 1) < 1e-5));
          assert.ok(maxDiff(c.attention.flat(), be[i].attention.flat()) < TOLERANCE);
        }
      } finally {
        ort.dispose();
      }
    });
  }

  it('uses standard ops only, in the default domain at opset 14', () => {
    const s = spec({ cell: 'lstm', peephole: true, layers: 2 });
    const params = randomModel(s, 3).params as Float32Array;
    const standard = new Set(['Gather', 'RNN', 'GRU', 'LSTM', 'Transpose', 'Reshape', 'Unsqueeze', 'Squeeze', 'MatMul', 'Add', 'Sub', 'Mul',
      'Tanh', 'Softmax', 'Concat', 'Identity', 'OneHot']);
    for (const bytes of [exportSeq2SeqEncoder(s, params, {}), exportSeq2SeqDecoder(s, params, {})]) {
      const model = decodeModel(bytes);
      assert.deepEqual(model.opsetImport.map((o) => [o.domain ?? '', Number(o.version)]), [['', 14]]);
      for (const n of model.graph!.node!) assert.ok(standard.has(n.opType!), `non-standard op ${n.opType}`);
    }
  });

  it('refuses an encoder and a decoder of different models', () => {
    const a = spec({}), b = spec({ hidden: 6 });
    const pa = randomModel(a, 1).params as Float32Array, pb = randomModel(b, 1).params as Float32Array;
    assert.throws(() => openSeq2SeqOrt(exportSeq2SeqEncoder(a, pa, {}), exportSeq2SeqDecoder(b, pb, {})), /describe different models/);
  });
});
