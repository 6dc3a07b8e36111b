// The bench corpus is generated, not downloaded: the same text for the same size and seed, every
// printable ASCII character and the line break in it (V = 96), English-like words.
import * as assert from 'node:assert/strict';
import { generateBenchCorpus } from '../../../src/cli/benchCorpus';

describe('bench corpus', () => {
  it('is deterministic, has 96 distinct characters, and a prefix of a longer text is the shorter text', () => {
    const a = generateBenchCorpus(30_000), b = generateBenchCorpus(30_000);
    assert.equal(a, b);
    assert.equal(a.length, 30_000);
    assert.equal(new Set(a).size, 96);
    assert.equal(generateBenchCorpus(50_000).slice(0, 30_000), a);
    assert.notEqual(generateBenchCorpus(30_000, 7), a, 'another seed, another text');
  });
  it('reads like words: spaces about every 4 to 7 characters, the most common word "the"', () => {
    const text = generateBenchCorpus(30_000);
    const words = text.split(/\s+/).filter(Boolean);
    const meanLength = text.length / words.length;
    assert.ok(meanLength > 4 && meanLength < 7, `mean word length ${meanLength}`);
    const counts = new Map<string, number>();
    for (const w of words) counts.set(w.toLowerCase(), (counts.get(w.toLowerCase()) ?? 0) + 1);
    const top = [...counts].sort((x, y) => y[1] - x[1])[0][0];
    assert.equal(top, 'the');
  });
});
