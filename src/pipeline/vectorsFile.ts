// Word vectors as text: GloVe's format (`word v1 v2 … vE` a line) and word2vec's text format (the
// same lines after a "count dim" header). Reading checks every line (ragged widths, numbers that are
// not finite: file:line); writing is GloVe's format, each number as the shortest decimal that reads
// back as the same float32 (numpy's repr, which gensim writes), so export → load is exact.
// V = words, E = width.
import * as path from 'node:path';
import { writeFileAtomic } from './atomicFile';
import { inputError } from './errors';
import { streamTextFile } from './textFile';

export interface VectorsFile {
  readonly words: string[];
  readonly vectors: Float32Array;   // (V, E)
  readonly E: number;
  /** The word2vec "count dim" header line, when the file had one. */
  readonly header: { readonly count: number; readonly dim: number } | null;
  /** Later lines of a word already read (the first one is kept). */
  readonly duplicates: number;
}

const FIELD_SEPARATOR = /[ \t]+/;
const isCount = (s: string) => /^\d+$/.test(s);

/** Reads a GloVe or word2vec text file; every bad line is an InputError naming file:line. */
export function readVectorsFile(file: string): VectorsFile {
  const name = path.basename(file);
  const words: string[] = [];
  const seen = new Set<string>();
  let data = new Float32Array(1 << 16);
  let used = 0, E = 0, duplicates = 0;
  let header: VectorsFile['header'] = null;
  let first = true;
  streamTextFile(file, (text, firstLine) => {
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i].trim();
      if (line === '') continue;
      const where = `${name}:${firstLine + i}`;
      const fields = line.split(FIELD_SEPARATOR);
      if (first) {
        first = false;
        if (fields.length === 2 && isCount(fields[0]) && isCount(fields[1])) {
          header = { count: Number(fields[0]), dim: Number(fields[1]) };
          if (header.dim < 1) throw inputError(where, `the word2vec header says width ${header.dim}; expected "count dim" with dim ≥ 1`);
          E = header.dim;
          continue;
        }
      }
      if (E === 0) {
        E = fields.length - 1;
        if (E < 1) throw inputError(where, `expected a word and its numbers, got ${JSON.stringify(line.slice(0, 40))}`);
      }
      if (fields.length !== E + 1) {
        throw inputError(where, `expected a word and ${E} numbers (the width of the ${header ? 'header' : 'first line'}), got ${fields.length - 1} numbers`);
      }
      const word = fields[0];
      if (seen.has(word)) { duplicates++; continue; }
      seen.add(word);
      if (used + E > data.length) {
        const grown = new Float32Array(Math.max(2 * data.length, used + E));
        grown.set(data.subarray(0, used));
        data = grown;
      }
      for (let k = 1; k <= E; k++) {
        const v = Number(fields[k]);
        if (!Number.isFinite(v) || fields[k] === '') {
          throw inputError(where, `expected a finite number in column ${k + 1} (the word's ${ordinal(k)} number), got ${JSON.stringify(fields[k])}`);
        }
        data[used++] = v;
      }
      words.push(word);
    }
  });
  if (words.length === 0) throw inputError(name, 'has no word vectors; expected lines "word v1 v2 ..." (GloVe), optionally after a "count dim" line (word2vec)');
  const read = header as VectorsFile['header'];   // (assigned inside the callback: TypeScript cannot see it)
  if (read && read.count !== words.length + duplicates) {
    throw inputError(name, `the word2vec header says ${read.count} words, the file has ${words.length + duplicates}`);
  }
  return { words, vectors: data.slice(0, used), E, header: read, duplicates };
}

const ordinal = (k: number): string => `${k}${k % 10 === 1 && k % 100 !== 11 ? 'st' : k % 10 === 2 && k % 100 !== 12 ? 'nd' : k % 10 === 3 && k % 100 !== 13 ? 'rd' : 'th'}`;

/** The shortest decimal that reads back (as float32) to x, a float32 value. */
export function float32Text(x: number): string {
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  for (let p = 6; p <= 9; p++) {
    const s = x.toPrecision(p);
    if (Math.fround(Number(s)) === x) return trimZeros(s);
  }
  return String(x);
}

/** "1.2300" → "1.23", "1.000e-7" → "1e-7". */
function trimZeros(s: string): string {
  const e = s.indexOf('e');
  const mantissa = e < 0 ? s : s.slice(0, e), exponent = e < 0 ? '' : s.slice(e);
  const trimmed = mantissa.includes('.') ? mantissa.replace(/0+$/, '').replace(/\.$/, '') : mantissa;
  return trimmed + exponent;
}

/**
 * GloVe text of the rows `rows` (default all) of vectors (V, E). A word with white space cannot be
 * written in this format: such rows are left out and counted.
 */
export function vectorsText(words: readonly string[], vectors: ArrayLike<number>, E: number, rows?: readonly number[]): { text: string; written: number; skipped: number } {
  const parts: string[] = [];
  let written = 0, skipped = 0;
  const order = rows ?? words.map((_, i) => i);
  for (const i of order) {
    const word = words[i];
    if (word === '' || /\s/.test(word)) { skipped++; continue; }
    const fields = new Array<string>(E + 1);
    fields[0] = word;
    for (let e = 0; e < E; e++) fields[e + 1] = float32Text(Math.fround(vectors[i * E + e]));
    parts.push(fields.join(' '));
    written++;
  }
  return { text: parts.length ? parts.join('\n') + '\n' : '', written, skipped };
}

export function writeVectorsFile(file: string, words: readonly string[], vectors: ArrayLike<number>, E: number, rows?: readonly number[]): { written: number; skipped: number } {
  const { text, written, skipped } = vectorsText(words, vectors, E, rows);
  writeFileAtomic(file, text);
  return { written, skipped };
}
