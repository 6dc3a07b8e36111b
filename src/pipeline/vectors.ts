// Pretrained word vectors in GloVe's text format (`word v1 v2 ... vE` a line) copied into the
// embedding rows of the words the vocabulary has; the other rows keep their random init. word2vec's
// text format (the same lines after a "count dim" header) is read too.
// V = vocabulary, E = embedding width.
import * as path from 'node:path';
import type { Vec } from '../engine/tensor';
import { inputError } from './errors';
import { streamTextFile } from './textFile';
import type { Tokenizer } from './tokenizer';
import { SPECIAL_TOKENS } from './tokenizer';

/** Fills embedding (V, E) rows from the file; returns how many vocabulary words it found. */
export function loadGloveVectors(file: string, tokenizer: Tokenizer, embedding: Vec, E: number): number {
  const name = path.basename(file);
  if (E === 0) throw inputError(name, 'pretrained vectors need a trainable embedding: set model.embedding to their width');
  const wanted = new Map<string, number>();
  tokenizer.spec.vocab.forEach((word, id) => { if (id >= SPECIAL_TOKENS.length) wanted.set(word, id); });
  const seen = new Set<number>();
  let first = true;
  streamTextFile(file, (text, firstLine) => {
    const lines = text.split('\n');
    lines.forEach((raw, i) => {
      const line = raw.trimEnd();
      if (line === '') return;
      const fields = line.split(' ');
      if (first) {
        first = false;
        if (fields.length === 2 && /^\d+$/.test(fields[0]) && /^\d+$/.test(fields[1])) {
          if (Number(fields[1]) !== E) throw inputError(`${name}:${firstLine + i}`, `the word2vec header says width ${fields[1]}; expected ${E} (model.embedding)`);
          return;
        }
      }
      if (fields.length !== E + 1) {
        throw inputError(`${name}:${firstLine + i}`, `expected a word and ${E} numbers (model.embedding), got ${fields.length - 1} numbers`);
      }
      const word = tokenizer.spec.lowercase ? fields[0].toLowerCase() : fields[0];
      const id = wanted.get(word);
      if (id === undefined || seen.has(id)) return;
      for (let k = 0; k < E; k++) {
        const v = Number(fields[k + 1]);
        if (!Number.isFinite(v)) throw inputError(`${name}:${firstLine + i}`, `expected a number in column ${k + 2}, got ${JSON.stringify(fields[k + 1])}`);
        embedding[id * E + k] = v;
      }
      seen.add(id);
    });
  });
  return seen.size;
}
