// What a word2vec model is and where its two tables live in the flat weight buffer.
// V = vocabulary, E = embedding width.
//   embedding (V, E)   input vectors: the word vectors that are kept (word2vec.c's syn0)
//   context (V, E)     output vectors, the words seen around them (word2vec.c's syn1neg)

import type { ParamEntry } from '../spec';

export type Word2VecMethod = 'skipgram' | 'cbow';
export const WORD2VEC_METHODS: readonly Word2VecMethod[] = ['skipgram', 'cbow'];

export interface Word2VecSpec {
  readonly kind: 'word2vec';
  readonly method: Word2VecMethod;
  readonly vocabSize: number;   // V
  readonly embedding: number;   // E
}

export function word2vecLayout(spec: Word2VecSpec): ParamEntry[] {
  const size = spec.vocabSize * spec.embedding;
  return [
    { name: 'embedding', shape: [spec.vocabSize, spec.embedding], offset: 0, size },
    { name: 'context', shape: [spec.vocabSize, spec.embedding], offset: size, size },
  ];
}
