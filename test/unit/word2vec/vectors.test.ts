// Word-vector queries on a hand-made vectors file whose answers are known by construction
// (neighbours, analogies as gensim's most_similar), the file formats (GloVe, word2vec's header,
// ragged widths and NaN refused with file:line), export → load round trips, and hard debiasing.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { debias } from '../../../src/engine/vectors/debias';
import { VectorSpace } from '../../../src/engine/vectors/space';
import { float32Text, readVectorsFile, writeVectorsFile } from '../../../src/pipeline/vectorsFile';
import { findWord, loadWordVectors, spaceOf } from '../../../src/pipeline/wordVectors';
import { jsonLines, runCliInProcess, tempDir } from '../cli/cliHarness';

const tmp = tempDir('rnnlab-vectors-');
after(() => tmp.cleanup());

// Two factors, as in "man : king :: woman : queen": each word is ±g (gender, axis 0) plus its role
// (common 2, royal 1, young 3), all of norm √2, so the analogies hold exactly with unit vectors;
// fruit words live on the last two axes.
const HAND_MADE = [
  'man 1 0 1 0 0 0',
  'woman -1 0 1 0 0 0',
  'king 1 1 0 0 0 0',
  'queen -1 1 0 0 0 0',
  'prince 1 0 0 1 0 0',
  'princess -1 0 0 1 0 0',
  'apple 0 0 0 0 1 0.1',
  'pear 0 0 0 0 1 0.3',
  'plum 0 0 0 0 0.8 0.6',
].join('\n') + '\n';

const cosine = (a: number[], b: number[]) => {
  const dot = a.reduce((s, x, i) => s + x * b[i], 0);
  return dot / Math.sqrt(a.reduce((s, x) => s + x * x, 0) * b.reduce((s, x) => s + x * x, 0));
};
const row = (word: string) => HAND_MADE.split('\n').find((l) => l.startsWith(`${word} `))!.split(' ').slice(1).map(Number);

describe('word vectors: queries on a hand-made file', () => {
  const file = tmp.file('hand.txt', HAND_MADE);

  const neighborCases: [string, number, string[]][] = [
    ['apple', 2, ['pear', 'plum']],
    ['king', 2, ['man', 'prince']],      // both at cosine ½: ties go by row order
    ['queen', 1, ['woman']],
  ];
  for (const [word, k, expected] of neighborCases) {
    it(`neighbors ${word} --k ${k} → ${expected.join(', ')}, with their cosines`, async () => {
      const r = await runCliInProcess(['neighbors', file, word, '--k', String(k), '--json'], tmp.dir);
      assert.equal(r.code, 0, r.stderr);
      const [out] = jsonLines(r.stdout);
      assert.equal(out.word, word);
      assert.deepEqual(out.neighbors.map((n: { word: string }) => n.word), expected);
      for (const n of out.neighbors) assert.ok(Math.abs(n.cosine - cosine(row(word), row(n.word))) < 1e-6, `${n.word}: ${n.cosine}`);
    });
  }

  const analogyCases: [string[], string][] = [
    [['man', 'king', 'woman'], 'queen'],
    [['king', 'man', 'queen'], 'woman'],
    [['man', 'woman', 'prince'], 'princess'],
  ];
  for (const [[a, b, c], answer] of analogyCases) {
    it(`analogy ${a} : ${b} :: ${c} : ? → ${answer} (the three excluded)`, async () => {
      const r = await runCliInProcess(['analogy', file, a, b, c, '--k', '3', '--json'], tmp.dir);
      assert.equal(r.code, 0, r.stderr);
      const [out] = jsonLines(r.stdout);
      assert.deepEqual(out.query, [a, b, c]);
      assert.equal(out.answers[0].word, answer);
      assert.ok(out.answers.every((x: { word: string }) => ![a, b, c].includes(x.word)));
      assert.ok(Math.abs(out.answers[0].cosine - 1) < 1e-6, `an exact analogy: cosine ${out.answers[0].cosine}`);
    });
  }

  it('the analogy target is unit(b) − unit(a) + unit(c), as gensim', () => {
    const wv = loadWordVectors(file);
    const space = spaceOf(wv);
    const [man, king, woman] = ['man', 'king', 'woman'].map((w) => findWord(wv, space, w));
    const unit = (v: number[]) => { const n = Math.hypot(...v); return v.map((x) => x / n); };
    const target = unit(row('king')).map((x, i) => x - unit(row('man'))[i] + unit(row('woman'))[i]);
    const best = space.analogy(man, king, woman, 9);
    for (const n of best) assert.ok(Math.abs(n.cosine - cosine(target, row(n.word))) < 1e-6, n.word);
  });

  it('a word outside the vocabulary is exit 2 naming it; a capitalised word finds its lowercase row', async () => {
    const r = await runCliInProcess(['neighbors', file, 'banana'], tmp.dir);
    assert.equal(r.code, 2);
    assert.equal(r.stderr.trim(), 'rnn-lab neighbors: "banana" is not in the vocabulary of hand.txt (9 words)');
    const a = await runCliInProcess(['analogy', file, 'man', 'king', 'duchess'], tmp.dir);
    assert.equal(a.code, 2);
    assert.match(a.stderr, /"duchess" is not in the vocabulary/);
    const capital = await runCliInProcess(['neighbors', file, 'Apple', '--k', '1', '--json'], tmp.dir);
    assert.equal(jsonLines(capital.stdout)[0].neighbors[0].word, 'pear');
  });

  it('ties are broken by row order and k larger than the vocabulary gives every other word', () => {
    const space = new VectorSpace(['a', 'b', 'c', 'd'], Float32Array.of(1, 0, 1, 0, 1, 0, 0, 1), 2);
    assert.deepEqual(space.neighbors(0, 10).map((n) => n.word), ['b', 'c', 'd']);
  });
});

describe('word vectors: file formats', () => {
  const cases: [string, string, RegExp][] = [
    ['ragged widths', 'a 1 2 3\nb 1 2\n', /^bad\.txt:2: expected a word and 3 numbers \(the width of the first line\), got 2 numbers$/],
    ['NaN', 'a 1 2\nb nan 2\n', /^bad\.txt:2: expected a finite number in column 2 \(the word's 1st number\), got "nan"$/],
    ['Infinity', '\na 1 2\n\nb 1 Infinity\n', /^bad\.txt:4: expected a finite number in column 3 \(the word's 2nd number\), got "Infinity"$/],
    ['a header that disagrees with the rows', '3 2\na 1 2\nb 3 4\n', /^bad\.txt: the word2vec header says 3 words, the file has 2$/],
    ['a row wider than the header', '2 2\na 1 2\nb 3 4 5\n', /^bad\.txt:3: expected a word and 2 numbers \(the width of the header\), got 3 numbers$/],
    ['a word without numbers', 'lonely\n', /^bad\.txt:1: expected a word and its numbers, got "lonely"$/],
    ['an empty file', '', /^bad\.txt: the file is empty; expected UTF-8 text$/],
  ];
  for (const [name, text, message] of cases) {
    it(`${name}: refused with file:line`, () => {
      const file = tmp.file('bad.txt', text);
      assert.throws(() => readVectorsFile(file), (e: Error) => { assert.match(e.message, message); return e.name === 'InputError'; });
    });
  }

  it("word2vec's text format: the \"count dim\" header is read and skipped", () => {
    const v = readVectorsFile(tmp.file('w2v.txt', '2 3\nfoo 1 2 3 \nbar 4 5 6\n'));
    assert.deepEqual(v.header, { count: 2, dim: 3 });
    assert.deepEqual(v.words, ['foo', 'bar']);
    assert.deepEqual(Array.from(v.vectors), [1, 2, 3, 4, 5, 6]);
  });

  it('float32 numbers are written as the shortest decimal that reads back the same', () => {
    const values = [0, -0, 0.1, -1.5, 1e-8, 3.4e38, 1 / 3, 123456.789, -2.5e-30];
    for (const v of values) {
      const x = Math.fround(v), s = float32Text(x);
      assert.equal(Math.fround(Number(s)), x, `${v} → ${s}`);
      assert.ok(s.replace(/^-/, '').replace('.', '').replace(/e.*$/, '').replace(/^0+/, '').length <= 9, `${s} is too long`);
    }
    assert.equal(float32Text(Math.fround(0.1)), '0.1');
    assert.equal(float32Text(Math.fround(-1.5)), '-1.5');
  });

  it('write → read gives the same vectors exactly; words with white space are left out and counted', () => {
    const words = ['x', 'y z', 'w'];
    const vectors = Float32Array.from({ length: 9 }, (_, i) => Math.fround(Math.sin(i + 1) / 7));
    const file = path.join(tmp.dir, 'round.txt');
    assert.deepEqual(writeVectorsFile(file, words, vectors, 3), { written: 2, skipped: 1 });
    const back = readVectorsFile(file);
    assert.deepEqual(back.words, ['x', 'w']);
    assert.deepEqual(Array.from(back.vectors), [...vectors.subarray(0, 3), ...vectors.subarray(6, 9)]);
  });

  it('export-vectors of a vectors file → load: the same vectors and the same neighbours', async () => {
    const file = tmp.file('hand2.txt', HAND_MADE);
    const r = await runCliInProcess(['export-vectors', file, 'again.txt'], tmp.dir);
    assert.equal(r.code, 0, r.stderr);
    const a = loadWordVectors(file), b = loadWordVectors(path.join(tmp.dir, 'again.txt'));
    assert.deepEqual(b.words, a.words);
    assert.deepEqual(b.vectors, a.vectors);
    assert.equal(fs.readFileSync(path.join(tmp.dir, 'again.txt'), 'utf8').split('\n')[0], 'man 1 0 1 0 0 0');
  });
});

describe('word vectors: hard debiasing (Bolukbasi et al. 2016)', () => {
  // Axis 0 is the "gender" direction; the occupation words lean on it, and a second axis carries meaning.
  const words = ['he', 'she', 'man', 'woman', 'doctor', 'nurse', 'engineer', 'actor', 'actress'];
  const raw = [
    [1, 0.1, 0.2], [-1, 0.1, 0.2], [0.9, 0.3, 0], [-0.9, 0.3, 0],
    [0.4, 1, 0.3], [-0.5, 1, 0.2], [0.6, 0.8, -0.5], [0.7, 0.4, 0.9], [-0.6, 0.5, 0.8],
  ];
  const V = words.length, E = 3;
  const vectors = Float32Array.from(raw.flat());
  const id = (w: string) => words.indexOf(w);
  const result = debias(vectors, V, E, {
    definitional: [[id('he'), id('she')], [id('man'), id('woman')]],
    equalize: [[id('actor'), id('actress')]],
    specific: new Set([id('he'), id('she'), id('man'), id('woman'), id('actor'), id('actress')]),
  });
  const vec = (w: string) => Array.from(result.vectors.subarray(id(w) * E, id(w) * E + E));
  const dot = (a: number[], b: ArrayLike<number>) => a.reduce((s, x, i) => s + x * b[i], 0);

  it('the direction is the pairs\' first principal component (here the gender axis), signed towards the first words', () => {
    assert.ok(result.direction[0] > 0.99, `g = ${Array.from(result.direction)}`);
  });

  it('neutral words lose their component along it and keep unit length', () => {
    for (const w of ['doctor', 'nurse', 'engineer']) {
      assert.ok(Math.abs(dot(vec(w), result.direction)) < 1e-6, `${w}·g = ${dot(vec(w), result.direction)}`);
      assert.ok(Math.abs(Math.hypot(...vec(w)) - 1) < 1e-6);
    }
    assert.equal(result.neutralized, 3);
  });

  it('an equalised pair differs only along the direction, symmetrically; specific words keep their lean', () => {
    const a = vec('actor'), b = vec('actress'), g = Array.from(result.direction);
    const pa = dot(a, g), pb = dot(b, g);
    assert.ok(Math.abs(pa + pb) < 1e-6 && pa > 0.1, `projections ${pa}, ${pb}`);
    for (let e = 0; e < E; e++) assert.ok(Math.abs((a[e] - pa * g[e]) - (b[e] - pb * g[e])) < 1e-6, 'the same orthogonal part');
    // now every neutral word is equally far from both
    for (const w of ['doctor', 'nurse', 'engineer']) assert.ok(Math.abs(dot(vec(w), a) - dot(vec(w), b)) < 1e-6, w);
    assert.ok(dot(vec('he'), g) > 0.5 && dot(vec('she'), g) < -0.5);
  });

  it('debias through the CLI writes unit vectors and names a missing pair word', async () => {
    const file = tmp.file('gender.txt', words.map((w, i) => `${w} ${raw[i].join(' ')}`).join('\n') + '\n');
    const r = await runCliInProcess(['debias', file, 'fair.txt', '--pairs', 'he:she,man:woman', '--equalize', 'actor:actress', '--json'], tmp.dir);
    assert.equal(r.code, 0, r.stderr);
    const [summary] = jsonLines(r.stdout);
    assert.equal(summary.neutralized, 3);
    const out = readVectorsFile(path.join(tmp.dir, 'fair.txt'));
    assert.deepEqual(out.words, words);
    assert.deepEqual(Array.from(out.vectors), Array.from(result.vectors));
    const missing = await runCliInProcess(['debias', file, 'x.txt', '--pairs', 'he:her'], tmp.dir);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /"her" is not in the vocabulary of gender\.txt/);
    assert.ok(!fs.existsSync(path.join(tmp.dir, 'x.txt')));
  });
});
