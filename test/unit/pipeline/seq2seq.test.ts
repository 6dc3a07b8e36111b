// The seq2seq pipeline's pieces: corpus BLEU-4, batching by length (every pair once an epoch, little
// padding, resumable), and what task "auto" picks for each sample file, with its reason.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Rng } from '../../../src/engine/rng';
import { detectTaskWithReasonOfText } from '../../../src/pipeline/formats';
import { LengthBatches, pairBatch, type PairExample } from '../../../src/pipeline/seq2seq/batches';
import { corpusBleu } from '../../../src/pipeline/seq2seq/bleu';

const REPO = path.resolve(__dirname, '../../../..');
const toks = (s: string) => (s === '' ? [] : s.split(' '));

describe('seq2seq: corpus BLEU-4', () => {
  const cases: [string, [string, string][], number][] = [
    ['identical', [['a b c d e', 'a b c d e']], 1],
    ['one token wrong at the end: (4/5 · 3/4 · 2/3 · 1/2)^¼', [['a b c d e', 'a b c d f']], Math.pow((4 / 5) * (3 / 4) * (2 / 3) * (1 / 2), 0.25)],
    ['short output: brevity penalty exp(1 - 6/4)', [['a b c d', 'a b c d e f']], Math.exp(1 - 6 / 4)],
    ['longer output: no penalty, precisions fall', [['a b c d e x', 'a b c d e']], Math.pow((5 / 6) * (4 / 5) * (3 / 4) * (2 / 3), 0.25)],
    ['counts clipped by the reference; no 2-gram match is 0', [['the the the the', 'the cat']], 0],
    ['corpus level: n-gram counts summed over pairs, not averaged',
      [['a b c d e', 'a b c d e'], ['a b c d', 'a b c d x']],
      Math.exp(1 - 10 / 9) * Math.pow((9 / 9) * (7 / 7) * (5 / 5) * (3 / 3), 0.25)],
    ['an empty output', [['', 'a b c d']], 0],
  ];
  for (const [name, pairs, want] of cases) {
    it(name, () => {
      const got = corpusBleu(pairs.map(([c]) => toks(c)), pairs.map(([, r]) => toks(r)));
      assert.ok(Math.abs(got - want) < 1e-12, `${got} vs ${want}`);
    });
  }
});

describe('seq2seq: batches by length', () => {
  const rng = new Rng(3);
  const examples: PairExample[] = Array.from({ length: 1003 }, (_, i) => {
    const n = 1 + rng.int(40);
    return { source: new Int32Array(n).fill(3), target: new Int32Array(1 + rng.int(9)).fill(4), reference: [], line: i + 1 };
  });

  it('pads sources and targets time-major, with <eos> after each target', () => {
    const b = pairBatch([examples[0], examples[1]]);
    assert.equal(b.B, 2);
    assert.equal(b.Tx, Math.max(examples[0].source.length, examples[1].source.length));
    assert.equal(b.Ty, Math.max(examples[0].target.length, examples[1].target.length) + 1);
    for (let k = 0; k < 2; k++) {
      assert.equal(b.targetLengths[k], examples[k].target.length + 1);
      assert.equal(b.target[examples[k].target.length * 2 + k], 2, '<eos>');
    }
  });

  it('an epoch holds every pair once, in full batches but the last, with far less padding than random batches', () => {
    const batches = new LengthBatches(examples, 32, new Rng(1));
    const seen: number[] = [];
    let padded = 0, real = 0, epochEnded = false, count = 0;
    while (!epochEnded) {
      const next = batches.nextBatch();
      epochEnded = next.epochEnded;
      count++;
      if (!epochEnded) assert.equal(next.batch.B, 32);
      real += next.batch.sourceLengths.reduce((a, n) => a + n, 0);
      padded += next.batch.Tx * next.batch.B;
      seen.push(...batches.cursor.order.slice(32 * (count - 1), 32 * count));
    }
    assert.equal(count, Math.ceil(1003 / 32));
    assert.deepEqual([...seen].sort((a, b) => a - b), [...examples.keys()]);
    assert.ok(padded / real < 1.1, `padding overhead ${padded / real}`);
  });

  it('a cursor restored mid-epoch gives the same next batches', () => {
    const a = new LengthBatches(examples, 16, new Rng(5));
    for (let i = 0; i < 7; i++) a.nextBatch();
    const b = new LengthBatches(examples, 16, new Rng(99));
    b.cursor = JSON.parse(JSON.stringify(a.cursor));
    for (let i = 0; i < 5; i++) assert.deepEqual(b.nextBatch().batch, a.nextBatch().batch);
  });
});

describe('seq2seq: task "auto" detects source<TAB>target only when the file is not a classifier\'s, and says why', () => {
  const cases: [string, string, RegExp][] = [
    ['samples/dates.tsv', 'seq2seq', /^source<TAB>target lines \(2000 distinct left sides in 2000 lines: not a few repeated labels\)$/],
    ['samples/topics.tsv', 'classify', /^label<TAB>text lines \(3 distinct labels in 360 lines\)$/],
    ['samples/names.tsv', 'tag', /^one token<TAB>label a line, blank lines between sequences$/],
    ['samples/corpus.txt', 'lm', /^lines without a TAB \(line 1\)$/],
  ];
  for (const [file, task, reason] of cases) {
    it(`${file} → ${task}`, () => {
      const got = detectTaskWithReasonOfText(fs.readFileSync(path.join(REPO, file), 'utf8'));
      assert.equal(got.task, task);
      assert.match(got.reason, reason);
    });
  }
  it('a translation file whose sources are single words is still seq2seq; a short repeated label column is classify', () => {
    assert.equal(detectTaskWithReasonOfText('chat\tcat\nchien\tdog\nmaison\thouse\narbre\ttree\n').task, 'seq2seq');
    assert.equal(detectTaskWithReasonOfText('pos\tgreat film\nneg\tawful\npos\tloved it\nneg\tboring\npos\tfun\nneg\tbad\n').task, 'classify');
  });
});
