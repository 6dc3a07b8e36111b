// GloVe text vectors copied into the embedding rows of known words; bad lines named by file:line.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SPECIAL_TOKENS, Tokenizer } from '../../../src/pipeline/tokenizer';
import { loadGloveVectors } from '../../../src/pipeline/vectors';

describe('pipeline/vectors', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rnnlab-glove-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const tokenizer = new Tokenizer({ kind: 'word', lowercase: true, vocab: [...SPECIAL_TOKENS, 'cat', 'dog'] });

  it('fills the rows of vocabulary words (lowercased), leaves the rest', () => {
    const file = path.join(dir, 'v.txt');
    fs.writeFileSync(file, 'Cat 0.5 -1\nfish 9 9\ndog 2 3\n');
    const embedding = new Float32Array(5 * 2).fill(7);
    assert.equal(loadGloveVectors(file, tokenizer, embedding, 2), 2);
    assert.deepEqual([...embedding], [7, 7, 7, 7, 7, 7, 0.5, -1, 2, 3]);
  });

  it('names the line whose width differs from model.embedding', () => {
    const file = path.join(dir, 'bad.txt');
    fs.writeFileSync(file, 'cat 1 2\ndog 1 2 3\n');
    assert.throws(() => loadGloveVectors(file, tokenizer, new Float32Array(10), 2), /^InputError: bad\.txt:2: expected a word and 2 numbers \(model\.embedding\), got 3 numbers$/);
  });
});
