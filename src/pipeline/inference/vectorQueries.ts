// Word-vector queries as the inference worker runs them for the Embeddings panel: the space of a
// source (run folder, .onnx or vectors file) opened once and kept while its file is unchanged, then
// neighbours and analogies over every word, each answer with the vectors of its words.
import * as fs from 'node:fs';
import type { VectorSpace } from '../../engine/vectors/space';
import type { EmbeddingNeighbor, EmbeddingSpace, PlacedWords } from '../../protocol/embeddings';
import { exportRows, findWord, loadWordVectors, spaceOf, type WordVectors } from '../wordVectors';

interface Open {
  readonly stamp: string;
  readonly wv: WordVectors;
  readonly space: VectorSpace;
  readonly rows: readonly number[];   // the candidate rows, in row order: what the panel calls words
}

/** A source stays open while its file (or run folder's checkpoint / model) has the same size and time. */
function stampOf(source: string): string {
  const files = fs.statSync(source).isDirectory()
    ? ['checkpoint.bin', 'model.onnx'].map((f) => `${source}/${f}`).filter((f) => fs.existsSync(f)) : [source];
  return files.map((f) => { const s = fs.statSync(f); return `${f}:${s.size}:${s.mtimeMs}`; }).join('|');
}

export class VectorQueries {
  private open: Open | undefined;

  private get(source: string): Open {
    const stamp = stampOf(source);
    if (this.open?.wv.source === source && this.open.stamp === stamp) return this.open;
    const wv = loadWordVectors(source);
    this.open = { stamp, wv, space: spaceOf(wv), rows: exportRows(wv) };
    return this.open;
  }

  /** Every word, and the vectors of the first `draw` to project. */
  space(source: string, display: string, draw: number): EmbeddingSpace {
    const { wv, rows } = this.get(source);
    const drawn = Math.min(draw, rows.length);
    return { source: display, origin: wv.origin, words: rows.map((r) => wv.words[r]), E: wv.E, drawn, vectors: this.vectorsOf(wv, rows.slice(0, drawn)) };
  }

  neighbors(source: string, word: string, k: number): { word: string; neighbors: EmbeddingNeighbor[]; placed: PlacedWords } {
    const { wv, space } = this.get(source);
    const id = findWord(wv, space, word);
    const neighbors = space.neighbors(id, k);
    return { word: wv.words[id], neighbors, placed: this.placed(wv, space, [wv.words[id], ...neighbors.map((n) => n.word)]) };
  }

  analogy(source: string, a: string, b: string, c: string, k: number): { query: [string, string, string]; answers: EmbeddingNeighbor[]; placed: PlacedWords } {
    const { wv, space } = this.get(source);
    const [ia, ib, ic] = [a, b, c].map((w) => findWord(wv, space, w));
    const answers = space.analogy(ia, ib, ic, k);
    const query: [string, string, string] = [wv.words[ia], wv.words[ib], wv.words[ic]];
    return { query, answers, placed: this.placed(wv, space, [...query, ...answers.map((n) => n.word)]) };
  }

  private placed(wv: WordVectors, space: VectorSpace, words: string[]): PlacedWords {
    return { words, vectors: this.vectorsOf(wv, words.map((w) => space.idOf(w))) };
  }

  private vectorsOf(wv: WordVectors, rows: readonly number[]): Float32Array {
    const out = new Float32Array(rows.length * wv.E);
    rows.forEach((r, i) => out.set(wv.vectors.subarray(r * wv.E, (r + 1) * wv.E), i * wv.E));
    return out;
  }
}
