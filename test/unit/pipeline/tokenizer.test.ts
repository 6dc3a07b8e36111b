// Tokenizers: pieces and their exact UTF-16 ranges in awkward text; vocabulary and decoding.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { encodeLmFile } from '../../../src/pipeline/lmCorpus';
import { EOS, MAX_WORD_PIECE, SPECIAL_TOKENS, Tokenizer, UNK, splitTokens, vocabFromCounts, type TokenizerKind } from '../../../src/pipeline/tokenizer';

/** [kind, text, expected pieces as "text@start-end"] */
const cases: [TokenizerKind, string, string[]][] = [
  ['char', 'ab', ['a@0-1', 'b@1-2']],
  ['char', 'a\r\nb', ['a@0-1', '\n@1-3', 'b@3-4']],
  ['char', 'a\rb\n', ['a@0-1', '\n@1-2', 'b@2-3', '\n@3-4']],
  ['char', 'x😀y', ['x@0-1', '😀@1-3', 'y@3-4']],
  ['char', 'e\u0301', ['e@0-1', '\u0301@1-2']],
  ['char', '\tz', ['\t@0-1', 'z@1-2']],
  ['word', 'Harry Potter, and Hermione.', ['Harry@0-5', 'Potter@6-12', ',@12-13', 'and@14-17', 'Hermione@18-26', '.@26-27']],
  ['word', "don't\tstop", ["don't@0-5", 'stop@6-10']],
  ['word', 'one\r\ntwo', ['one@0-3', '\n@3-5', 'two@5-8']],
  ['word', 'café\u0301 😀!', ['café\u0301@0-5', '😀@6-8', '!@8-9']],
  ['word', '(x) 42', ['(@0-1', 'x@1-2', ')@2-3', '42@4-6']],
];

describe('pipeline/tokenizer: pieces and ranges', () => {
  for (const [kind, text, expected] of cases) {
    it(`${kind} ${JSON.stringify(text)}`, () => {
      const spans = splitTokens(kind, text);
      assert.deepEqual(spans.map((s) => `${s.text}@${s.start}-${s.end}`), expected);
      for (const s of spans) if (s.text !== '\n') assert.equal(text.slice(s.start, s.end), s.text);
    });
  }

  it('lowercases word pieces without moving their ranges', () => {
    const text = 'İstanbul ABC';
    const spans = splitTokens('word', text, true);
    assert.deepEqual(spans.map((s) => [s.text, text.slice(s.start, s.end)]), [['i̇stanbul', 'İstanbul'], ['abc', 'ABC']]);
  });

  it('a 10 MB word read from a file is cut into pieces of MAX_WORD_PIECE (it used to overflow the regular expression\'s stack)', () => {
    const word = 'x'.repeat(10 * 2 ** 20) + "'s";
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rnnlab-longword-')), 'long.txt');
    fs.writeFileSync(file, `a ${word} b\n`);
    try {
      // The file is read in chunks, so the line is a string of many parts: what overflowed.
      const ids = encodeLmFile(file, new Tokenizer({ kind: 'word', lowercase: false, vocab: [...SPECIAL_TOKENS, 'a', 'b'] }));
      const pieces = Math.ceil(word.length / MAX_WORD_PIECE);
      assert.equal(ids.length, 1 + pieces + 1 + 1, 'a, the pieces, b, <eos>');
    } finally {
      fs.rmSync(path.dirname(file), { recursive: true, force: true });
    }
    const spans = splitTokens('word', `a ${word} b`);
    assert.ok(spans.every((s) => s.end - s.start <= MAX_WORD_PIECE + 2));
    assert.equal(spans.slice(1, -1).map((s) => s.text).join(''), word, 'the pieces are the word, in order, without gaps');
  });
});

describe('pipeline/tokenizer: vocabulary', () => {
  it('orders by count, keeps min count, starts with the specials', () => {
    const vocab = vocabFromCounts(new Map([['b', 2], ['a', 2], ['c', 5], ['rare', 1]]), 2);
    assert.deepEqual(vocab, [...SPECIAL_TOKENS, 'c', 'a', 'b']);
  });

  it('maps unknown words to <unk> and line breaks to <eos> at word level', () => {
    const tok = new Tokenizer({ kind: 'word', lowercase: true, vocab: [...SPECIAL_TOKENS, 'harry', 'potter'] });
    assert.deepEqual([...tok.encode('Harry met Potter\n')], [3, UNK, 4, EOS]);
  });

  it('decodes words with spaces but none before punctuation, chars as they are', () => {
    const words = new Tokenizer({ kind: 'word', lowercase: false, vocab: [...SPECIAL_TOKENS, 'Hello', ',', 'world', '!'] });
    assert.equal(words.decode([3, 4, 5, 6, EOS, 3]), 'Hello, world!\nHello');
    const chars = new Tokenizer({ kind: 'char', lowercase: false, vocab: [...SPECIAL_TOKENS, 'h', 'i', '\n'] });
    assert.equal(chars.decode([3, 4, 5, 3]), 'hi\nh');
  });

  it('rejects a vocabulary without the specials first', () => {
    assert.throws(() => new Tokenizer({ kind: 'char', lowercase: false, vocab: ['a', 'b'] }), /must start with <pad>, <unk>, <eos>/);
  });
});
