// Readers: streaming corpus (one pass, narrow ids), bad files, line formats, task detection, batching.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Rng } from '../../../src/engine/rng';
import { LmWindows, SequenceBatches, padBatch } from '../../../src/pipeline/batching';
import { detectTaskOfText, parseLabelled, parsePairs, parseTagged } from '../../../src/pipeline/formats';
import { encodeLmFile, readLmCorpus } from '../../../src/pipeline/lmCorpus';
import { readTextFile } from '../../../src/pipeline/textFile';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rnnlab-data-'));
const file = (name: string, content: string | Buffer) => { const p = path.join(dir, name); fs.writeFileSync(p, content); return p; };
after(() => fs.rmSync(dir, { recursive: true, force: true }));
/** Asserts that fn throws an InputError whose message matches. */
const throwsInput = (fn: () => unknown, message: RegExp) =>
  assert.throws(fn, (e: Error) => { assert.equal(e.name, 'InputError'); assert.match(e.message, message); return true; });

describe('pipeline/lmCorpus', () => {
  it('reads a char corpus into Uint8 ids that decode back to the text', () => {
    const text = 'hello world\r\nhello there\n';
    const c = readLmCorpus(file('c.txt', text), { kind: 'char', lowercase: false, minCount: 1, maxVocab: 0 });
    assert.ok(c.ids instanceof Uint8Array);
    assert.equal(c.tokenizer.decode(c.ids), text.replace(/\r\n/g, '\n'));
    assert.equal(c.tokenizer.spec.vocab[3], 'l'); // most frequent first
  });

  it('widens ids past 255 symbols and keeps astral characters whole', () => {
    const text = Array.from({ length: 400 }, (_, i) => String.fromCodePoint(0x1f300 + i)).join('');
    const c = readLmCorpus(file('astral.txt', text), { kind: 'char', lowercase: false, minCount: 1, maxVocab: 0 });
    assert.ok(c.ids instanceof Uint16Array);
    assert.equal(c.ids.length, 400);
    assert.equal(c.tokenizer.decode(c.ids), text);
  });

  it('reads words with <eos> per line, rare words as <unk>, and encodes another file with that vocabulary', () => {
    const c = readLmCorpus(file('w.txt', 'The cat sat.\nThe cat ran.\nA dog\n'), { kind: 'word', lowercase: true, minCount: 2, maxVocab: 0 });
    assert.deepEqual(c.tokenizer.spec.vocab, ['<pad>', '<unk>', '<eos>', '.', 'cat', 'the']); // ties in code unit order
    assert.equal(c.tokenizer.decode(c.ids), 'the cat <unk>.\nthe cat <unk>.\n<unk> <unk>\n');
    assert.deepEqual([...encodeLmFile(file('v.txt', 'the bird'), c.tokenizer)], [5, 1]);
  });

  it('keeps chunk boundaries invisible on a file larger than one read', function () {
    this.timeout(20_000); // 5 MB: more than one 4 MB read
    const line = 'abcdefghij ÄÖÜ 😀\r\n';
    const text = line.repeat(Math.ceil((5 << 20) / Buffer.byteLength(line)));
    const c = readLmCorpus(file('big.txt', text), { kind: 'char', lowercase: false, minCount: 1, maxVocab: 0 });
    assert.equal(c.ids.length, [...text.replace(/\r\n/g, '\n')].length);
    assert.equal(c.tokenizer.decode(c.ids.subarray(0, 19)), 'abcdefghij ÄÖÜ 😀\nab');
  });
});

describe('pipeline/textFile: bad files', () => {
  const bad: [string, string | Buffer, RegExp][] = [
    ['empty.txt', '', /^empty\.txt: the file is empty; expected UTF-8 text$/],
    ['blank.txt', ' \n\t\n', /^blank\.txt: the file holds only white space/],
    ['nul.bin', Buffer.from('ab\ncd\n\u0000x'), /^nul\.bin:3: binary data \(a NUL byte at byte 6\)/],
    ['latin1.txt', Buffer.from([0x61, 0x0a, 0x62, 0xe9, 0x0a]), /^latin1\.txt:2: not valid UTF-8 \(near byte 3\)/],
  ];
  for (const [name, content, message] of bad) {
    it(name, () => throwsInput(() => readTextFile(file(name, content)), message));
  }
  it('a missing file', () => throwsInput(() => readTextFile(path.join(dir, 'nope.txt')), /nope\.txt: no such file; expected a UTF-8 text file/));
});

describe('pipeline/formats', () => {
  it('parses tagged sequences separated by blank lines', () => {
    const seqs = parseTagged('Harry\t1\nPotter\t1\nran\t0\n\r\nHermione\t1\n', 't.tsv');
    assert.deepEqual(seqs, [
      { tokens: ['Harry', 'Potter', 'ran'], labels: ['1', '1', '0'], line: 1 },
      { tokens: ['Hermione'], labels: ['1'], line: 5 },
    ]);
  });

  const malformed: [string, (t: string, f: string) => unknown, string, RegExp][] = [
    ['tag, no tab', parseTagged, 'a\t1\nb 0\n', /^t\.tsv:2: expected "token<TAB>label", got no TAB$/],
    ['tag, 3 fields', parseTagged, 'a\t1\tx\n', /^t\.tsv:1: expected "token<TAB>label", got 3 fields$/],
    ['classify, empty text', parseLabelled, 'pos\tgood\nneg\t \n', /^t\.tsv:2: expected "label<TAB>text", got an empty field 2 of 2$/],
    ['seq2seq, no tab', parsePairs, 'a\tb\n\nc d\n', /^t\.tsv:3: expected "source<TAB>target", got no TAB$/],
  ];
  for (const [name, parse, text, message] of malformed) {
    it(`reports ${name} with file:line`, () => throwsInput(() => parse(text, '/x/t.tsv'), message));
  }

  it('classify keeps tabs inside the text', () => {
    assert.deepEqual(parseLabelled('pos\tgood\tday\n', 'c.tsv'), [{ label: 'pos', text: 'good\tday', line: 1 }]);
  });

  const detect: [string, string][] = [
    ['lm', 'Just some text.\nMore text.\n'],
    ['tag', 'Harry\t1\nPotter\t1\nran\t0\n\nHermione\t1\nsmiled\t0\n'],
    ['classify', 'pos\tI liked it\nneg\tawful film\npos\tgreat fun\nneg\tboring\npos\tnice\nneg\tbad\n'],
    ['seq2seq', 'hello there\tbonjour toi\ngood night\tbonne nuit\nthank you\tmerci\n'],
  ];
  for (const [task, text] of detect) it(`detects ${task}`, () => assert.equal(detectTaskOfText(text), task));
});

describe('pipeline/batching', () => {
  it('cuts a corpus into B streams of T-token windows, targets shifted by one', () => {
    const ids = Uint8Array.from({ length: 21 }, (_, i) => i);
    const w = new LmWindows(ids, 2, 3);
    assert.deepEqual([w.B, w.T, w.windowsPerEpoch], [2, 3, 3]);
    const first = w.nextWindow();
    assert.deepEqual([...first.window.tokens], [0, 10, 1, 11, 2, 12]);
    assert.deepEqual([...first.window.targets], [1, 11, 2, 12, 3, 13]);
    assert.equal(first.window.resetState, true);
    const second = w.nextWindow();
    assert.deepEqual([...second.window.tokens], [3, 13, 4, 14, 5, 15]);
    assert.equal(second.window.resetState, false);
    assert.equal(w.nextWindow().epochEnded, true);
  });

  it('shrinks B and T for a tiny corpus', () => {
    const w = new LmWindows(Uint8Array.of(1, 2, 3, 4), 32, 64);
    assert.deepEqual([w.B, w.T, w.windowsPerEpoch], [1, 3, 1]);
  });

  it('pads sequences time-major with lengths, mask and -1 targets', () => {
    const b = padBatch([{ ids: Int32Array.of(5, 6, 7), labels: Int32Array.of(1, 0, 1) }, { ids: Int32Array.of(8), labels: Int32Array.of(0) }]);
    assert.deepEqual([...b.tokens], [5, 8, 6, 0, 7, 0]);
    assert.deepEqual([...b.lengths], [3, 1]);
    assert.deepEqual([...b.tokenTargets], [1, 0, 0, -1, 1, -1]);
    assert.deepEqual([...b.mask], [1, 1, 1, 0, 1, 0]);
  });

  it('shuffles every epoch with the seed and visits every example once', () => {
    const examples = Array.from({ length: 5 }, (_, i) => ({ ids: Int32Array.of(i + 3), label: i }));
    const seen = (seed: number) => {
      const s = new SequenceBatches(examples, 2, new Rng(seed));
      const out: number[] = [];
      for (let k = 0; k < 3; k++) out.push(...s.nextBatch().batch.classTargets);
      return out;
    };
    assert.deepEqual([...seen(1)].sort(), [0, 1, 2, 3, 4]);
    assert.deepEqual(seen(1), seen(1));
    assert.notDeepEqual(seen(1), seen(2));
  });
});
