// word2vec's sampling: subsampling probabilities, the unigram^0.75 alias table, the example stream
// (windows inside sentences, reduced windows, CBOW contexts, negatives) and exact resumption.

import * as assert from 'node:assert/strict';
import { Rng } from '../../../src/engine/rng';
import { ExampleStream, type StreamConfig } from '../../../src/engine/word2vec/examples';
import { AliasTable, hashUniform, keepProbabilities } from '../../../src/engine/word2vec/sampling';
import { createWord2VecSession, word2vecLearningRate, word2vecState, word2vecStep } from '../../../src/engine/word2vec/word2vec';

describe('word2vec subsampling', () => {
  const cases = [
    { name: 'off (0): every word kept', counts: [0, 10, 1000], subsample: 0, expected: [0, 1, 1] },
    // t = 0.001·1010 = 1.01: keep = (√(n/t) + 1)·t/n
    { name: 'word2vec.c formula', counts: [0, 10, 1000], subsample: 0.001, expected: [0, (Math.sqrt(10 / 1.01) + 1) * 1.01 / 10, (Math.sqrt(1000 / 1.01) + 1) * 1.01 / 1000] },
    // t = 0.01·1003 = 10.03: words much rarer than t are always kept.
    { name: 'rare words capped at 1', counts: [1, 2, 1000], subsample: 0.01, expected: [1, 1, (Math.sqrt(1000 / 10.03) + 1) * 10.03 / 1000] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const keep = keepProbabilities(c.counts, c.subsample);
      c.expected.forEach((p, i) => assert.ok(Math.abs(keep[i] - p) < 1e-12, `keep[${i}] = ${keep[i]}, expected ${p}`));
    });
  }
});

describe('word2vec negative table (unigram^0.75)', () => {
  const counts = [0, 0, 0, 1, 5, 20, 100, 1000];
  const weights = counts.map((n) => n ** 0.75);
  const sum = weights.reduce((a, b) => a + b, 0);

  it('draws each word with probability count^0.75 / Σ', () => {
    const table = new AliasTable(counts);
    weights.forEach((w, i) => assert.ok(Math.abs(table.probability(i) - w / sum) < 1e-12, `P(${i}) = ${table.probability(i)}, expected ${w / sum}`));
  });

  it('200,000 draws land within 4 standard deviations of it, never on a word that does not occur', () => {
    const table = new AliasTable(counts);
    const rng = new Rng(3);
    const n = 200_000, seen = new Array(counts.length).fill(0);
    for (let i = 0; i < n; i++) seen[table.draw(rng)]++;
    weights.forEach((w, i) => {
      const p = w / sum, sd = Math.sqrt(n * p * (1 - p));
      assert.ok(Math.abs(seen[i] - n * p) <= 4 * sd + 1e-9, `word ${i}: ${seen[i]} draws, expected ${n * p} ± ${4 * sd}`);
    });
  });

  it('hashUniform is uniform-looking and depends on every argument', () => {
    let sum = 0, n = 0;
    for (let i = 0; i < 50_000; i++, n++) sum += hashUniform(1, 0, i, 1);
    assert.ok(Math.abs(sum / n - 0.5) < 0.01, `mean ${sum / n}`);
    const base = hashUniform(1, 2, 3, 4);
    for (const other of [hashUniform(2, 2, 3, 4), hashUniform(1, 3, 3, 4), hashUniform(1, 2, 4, 4), hashUniform(1, 2, 3, 5)]) assert.notEqual(other, base);
  });
});

/** Sentences as ids with -1 between them. */
const corpusOf = (sentences: number[][]): Int32Array => Int32Array.from(sentences.flatMap((s, i) => (i === 0 ? s : [-1, ...s])));

function config(over: Partial<StreamConfig> = {}): StreamConfig {
  return { method: 'skipgram', window: 2, negatives: 3, keep: new Float64Array(10).fill(1), seed: 5, ...over };
}

describe('word2vec example stream', () => {
  const sentences = [[3, 4, 5, 6, 7], [8, 9], [4], [5, 6, 7, 8, 9, 3]];
  const corpus = corpusOf(sentences);
  const counts = [0, 0, 0, 5, 5, 5, 5, 5, 5, 5];

  it('skip-gram pairs stay inside a sentence and within the window', () => {
    const stream = new ExampleStream(corpus, config({ window: 2 }));
    const table = new AliasTable(counts);
    const allowed = new Set<string>();
    for (const s of sentences) s.forEach((w, i) => s.forEach((v, j) => { if (i !== j && Math.abs(i - j) <= 2) allowed.add(`${w}>${v}`); }));
    const batch = stream.next(1000, table, new Rng(1));
    assert.ok(batch.passesEnded >= 1);
    for (let r = 0; r < batch.N; r++) {
      const pair = `${batch.inputs[r]}>${batch.outputs[r * batch.S]}`;
      assert.ok(allowed.has(pair), `pair ${pair} crosses a sentence or the window`);
    }
  });

  it('without subsampling, one pass makes every pair of a reduced window, and pairsInPass counts them', () => {
    const stream = new ExampleStream(corpus, config({ window: 1 }));
    // window 1: the reduced window is always 1: each word pairs with its direct neighbours.
    const expected = sentences.reduce((n, s) => n + 2 * Math.max(0, s.length - 1), 0);
    assert.equal(stream.pairsInPass(0), expected);
    const batch = stream.next(expected, new AliasTable(counts), new Rng(1));
    assert.equal(batch.pairs, expected);
    assert.equal(batch.passesEnded, 0);
  });

  it('reduced windows are between 1 and window, each size about as often', () => {
    const long = Int32Array.from({ length: 20_000 }, (_, i) => 3 + (i % 7));
    const stream = new ExampleStream(long, config({ window: 4 }));
    const pairs = stream.pairsInPass(0);
    // Inside a long sentence, a window b gives 2b pairs: the mean of 2b over b = 1..4 is 5.
    assert.ok(Math.abs(pairs / long.length - 5) < 0.05, `pairs per centre ${pairs / long.length}`);
  });

  it('CBOW: one example per centre, its context as inputs, the centre to predict', () => {
    const stream = new ExampleStream(corpusOf([[3, 4, 5]]), config({ method: 'cbow', window: 1 }));
    const batch = stream.next(4, new AliasTable(counts), new Rng(2));
    assert.equal(batch.C, 2);
    const examples = Array.from({ length: batch.N }, (_, r) => ({
      inputs: Array.from(batch.inputs.subarray(r * 2, r * 2 + 2)).filter((x) => x >= 0).sort(),
      target: batch.outputs[r * batch.S],
    }));
    assert.deepEqual(examples, [{ inputs: [4], target: 3 }, { inputs: [3, 5], target: 4 }, { inputs: [4], target: 5 }]);
    assert.equal(batch.pairs, 4);
  });

  it('negatives follow the table and never equal the word to predict (skipped as -1)', () => {
    const stream = new ExampleStream(corpus, config({ negatives: 5 }));
    const batch = stream.next(2000, new AliasTable(counts), new Rng(4));
    let skipped = 0;
    for (let r = 0; r < batch.N; r++) {
      for (let j = 1; j < batch.S; j++) {
        const w = batch.outputs[r * batch.S + j];
        if (w === -1) { skipped++; continue; }
        assert.ok(w >= 3 && w <= 9, `negative ${w} is a word that never occurs`);
        assert.notEqual(w, batch.outputs[r * batch.S]);
      }
    }
    // Seven equally frequent words: about 1 in 7 draws hits the positive.
    const share = skipped / (batch.N * 5);
    assert.ok(share > 0.1 && share < 0.19, `share skipped ${share}`);
  });

  it('subsampling keeps frequent words less often, as keep() says', () => {
    const long = Int32Array.from({ length: 30_000 }, (_, i) => (i % 10 === 0 ? 3 : 4));
    const keep = Float64Array.from([0, 0, 0, 0.9, 0.2]);
    const stream = new ExampleStream(long, config({ keep }));
    let kept3 = 0, kept4 = 0;
    for (let i = 0; i < long.length; i++) if (stream.isKept(0, i)) long[i] === 3 ? kept3++ : kept4++;
    assert.ok(Math.abs(kept3 / 3000 - 0.9) < 0.03, `word 3 kept ${kept3 / 3000}`);
    assert.ok(Math.abs(kept4 / 27000 - 0.2) < 0.02, `word 4 kept ${kept4 / 27000}`);
  });

  it('a corpus of one-word sentences is an error, not an endless loop', () => {
    const stream = new ExampleStream(corpusOf([[3], [4], [5]]), config());
    assert.throws(() => stream.next(10, new AliasTable(counts), new Rng(1)), /no \(centre, context\) pair/);
  });
});

describe('word2vec session', () => {
  const corpus = Int32Array.from({ length: 5000 }, (_, i) => (i % 50 === 49 ? -1 : 3 + ((i * 7919) % 13)));
  const counts = new Float64Array(16);
  for (const id of corpus) if (id >= 0) counts[id]++;
  const spec = { kind: 'word2vec' as const, method: 'skipgram' as const, vocabSize: 16, embedding: 8 };
  const options = { learningRate: 0.05, totalSteps: 40, batchPairs: 64, window: 3, negatives: 4, subsample: 0.01, seed: 11, dtype: 'f64' as const };

  it('the learning rate falls linearly to lr₀·1e-4', () => {
    assert.equal(word2vecLearningRate(0.025, 0, 100), 0.025);
    assert.ok(Math.abs(word2vecLearningRate(0.025, 50, 100) - 0.0125) < 1e-15);
    assert.ok(Math.abs(word2vecLearningRate(0.025, 100, 100) - 0.025e-4) < 1e-18);
  });

  it('init: input vectors in ±0.5/E, output vectors zero', () => {
    const s = createWord2VecSession(spec, options, corpus, counts);
    assert.ok(s.Win.every((x) => Math.abs(x) <= 0.5 / 8) && s.Win.some((x) => x !== 0));
    assert.ok(s.Wout.every((x) => x === 0));
  });

  it('a session resumed from its state continues with the same losses and weights', () => {
    const straight = createWord2VecSession(spec, options, corpus, counts);
    const losses: number[] = [];
    for (let i = 0; i < 30; i++) losses.push(word2vecStep(straight).loss);
    const first = createWord2VecSession(spec, options, corpus, counts);
    for (let i = 0; i < 12; i++) word2vecStep(first);
    const state = word2vecState(first);
    const saved = JSON.parse(JSON.stringify({ step: state.step, rng: state.rng, cursor: state.cursor }));   // as a checkpoint keeps them
    const resumed = createWord2VecSession(spec, options, corpus, counts, { ...saved, params: state.params });
    const after: number[] = [];
    for (let i = 12; i < 30; i++) after.push(word2vecStep(resumed).loss);
    assert.deepEqual(after, losses.slice(12));
    assert.deepEqual(Array.from(resumed.params), Array.from(straight.params));
  });

  it('the loss falls from ln 2 per scored word', () => {
    const s = createWord2VecSession(spec, { ...options, totalSteps: 200 }, corpus, counts);
    const first = word2vecStep(s).loss;
    // Wout = 0: every σ(s) = ½; of K = 4 negatives about 1 in 13 hits the positive and is skipped.
    const expected = Math.log(2) * (1 + 4 * 12 / 13);
    assert.ok(Math.abs(first - expected) < 0.15, `first loss ${first}, expected about ${expected}`);
    let last = first;
    for (let i = 1; i < 200; i++) last = word2vecStep(s).loss;
    assert.ok(last < first * 0.8, `loss ${first} → ${last}`);
  });
});
