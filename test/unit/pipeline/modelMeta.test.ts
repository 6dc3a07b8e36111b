// A model's rnnlab.* metadata of unknown origin: what is wrong is said with the value it has (cut when
// long), never as "undefined" (the fuzz probe found "tokenizer kind must be char or word; got undefined").
import * as assert from 'node:assert/strict';
import { checkMeta } from '../../../src/pipeline/modelMeta';

const good = { task: 'lm', tokenizer: { kind: 'char', vocab: ['<pad>', '<unk>', '<eos>', 'a'] }, labels: [] };

describe('pipeline/modelMeta: metadata checked in words', () => {
  const cases: [string, unknown, RegExp][] = [
    ['a tokenizer that is a string', { ...good, tokenizer: { ...('seq2seq' as unknown as object), vocab: [] } }, /: m\.onnx: model metadata tokenizer kind must be char or word; got none$/],
    ['an unknown tokenizer kind', { ...good, tokenizer: { kind: 'bpe', vocab: [] } }, /tokenizer kind must be char or word; got "bpe"$/],
    ['no task', { ...good, task: undefined }, /task must be one of lm, tag, classify, seq2seq, embed; got none$/],
    ['a 10 MB task', { ...good, task: 'x'.repeat(10 * 2 ** 20) }, /got "x{40}…" \(10,485,760 characters\)$/],
  ];
  for (const [what, raw, message] of cases) {
    it(what, () => assert.throws(() => checkMeta(raw, 'm.onnx'), message));
  }

  it('good metadata passes', () => assert.equal(checkMeta(good, 'm.onnx').tokenizer.kind, 'char'));
});
