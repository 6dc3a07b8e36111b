// The embed task's data: a text read with the word tokenizer into the corpus word2vec walks over.
// Words below data.minCount (or past data.maxVocab) are left out, as word2vec drops them; a line
// break ends a sentence (windows never cross it). Corpus (N): vocabulary ids, -1 between sentences.
// V = vocabulary (with the special tokens first, which never occur here: count 0).
import * as path from 'node:path';
import type { RnnConfig } from './config';
import { inputError } from './errors';
import { readLmCorpus } from './lmCorpus';
import { EOS, SPECIAL_TOKENS, UNK, type Tokenizer } from './tokenizer';

export interface EmbedCorpus {
  readonly tokenizer: Tokenizer;
  readonly corpus: Int32Array;     // (N) ids, -1 between sentences
  readonly counts: Float64Array;   // (V) occurrences in the corpus
  readonly words: number;          // word tokens in the corpus (N minus the breaks)
  readonly dropped: number;        // tokens left out (below minCount or past maxVocab)
}

export function readEmbedCorpus(config: RnnConfig, configName: string): EmbedCorpus {
  const { data } = config;
  if (data.tokenizer !== 'word') {
    throw inputError(configName, '/data/tokenizer is "char"; embed learns word vectors and needs the word tokenizer ("tokenizer": "word")');
  }
  const { tokenizer, ids } = readLmCorpus(data.train, { kind: 'word', lowercase: data.lowercase, minCount: data.minCount, maxVocab: data.maxVocab });
  const name = path.basename(data.train);
  const V = tokenizer.size;
  if (V === SPECIAL_TOKENS.length) {
    throw inputError(name, `no word occurs ${data.minCount} times or more (data.minCount); lower data.minCount or train on a longer text`);
  }
  const corpus = new Int32Array(ids.length);
  const counts = new Float64Array(V);
  let n = 0, words = 0, dropped = 0;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (id === EOS) {
      if (n > 0 && corpus[n - 1] !== -1) corpus[n++] = -1;
    } else if (id === UNK) {
      dropped++;
    } else {
      corpus[n++] = id;
      counts[id]++;
      words++;
    }
  }
  if (n > 0 && corpus[n - 1] === -1) n--;
  return { tokenizer, corpus: corpus.slice(0, n), counts, words, dropped };
}
