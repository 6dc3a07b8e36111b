// The stream of word2vec examples over a corpus of ids: each pass subsamples the words, gives each
// kept centre a reduced window and makes its examples (skip-gram: one per (centre, context) pair;
// CBOW: one per centre, its context words as inputs), then negatives are drawn per example.
//
// Corpus (N): vocabulary ids ≥ 0, -1 between sentences (a line break); words outside the
// vocabulary are left out before, as word2vec drops them. Windows never cross a sentence break and
// count kept words only (word2vec subsamples a sentence first, then slides the window over it).
// The reduced window of a centre is b ∈ 1..window, uniform (word2vec.c's `window - rand % window`).
// K = negatives, S = 1 + K output slots, C = input slots (skip-gram 1, CBOW 2·window).

import type { Rng } from '../rng';
import { AliasTable, hashUniform } from './sampling';
import type { SgnsBatch } from './sgns';
import type { Word2VecMethod } from './spec';

export interface StreamConfig {
  readonly method: Word2VecMethod;
  readonly window: number;
  readonly negatives: number;
  readonly keep: Float64Array;   // (V) keep probability of each id (sampling.ts)
  readonly seed: number;
}

/** Where the stream is: the pass over the corpus and the next centre position. Plain JSON. */
export interface StreamCursor {
  readonly pass: number;
  readonly position: number;
}

export interface ExampleBatch extends SgnsBatch {
  /** (centre, context) pairs in the batch: skip-gram N, CBOW the sum of the examples' context sizes. */
  readonly pairs: number;
  /** Passes over the corpus that ended while filling this batch. */
  readonly passesEnded: number;
}

const SALT_KEEP = 1, SALT_WINDOW = 2;

export class ExampleStream {
  private pass: number;
  private position: number;
  private readonly C: number;
  private readonly S: number;
  private readonly context: Int32Array;      // (2·window) scratch: one centre's kept context
  private inputs: Int32Array;
  private outputs: Int32Array;

  constructor(private readonly corpus: Int32Array, private readonly config: StreamConfig, cursor: StreamCursor = { pass: 0, position: 0 }) {
    if (!Number.isInteger(config.window) || config.window < 1) throw new Error(`ExampleStream: window must be a whole number ≥ 1, got ${config.window}`);
    if (!Number.isInteger(config.negatives) || config.negatives < 0) throw new Error(`ExampleStream: negatives must be a whole number ≥ 0, got ${config.negatives}`);
    this.pass = cursor.pass;
    this.position = cursor.position;
    this.C = config.method === 'skipgram' ? 1 : 2 * config.window;
    this.S = 1 + config.negatives;
    this.context = new Int32Array(2 * config.window);
    this.inputs = new Int32Array(0);
    this.outputs = new Int32Array(0);
  }

  cursor(): StreamCursor {
    return { pass: this.pass, position: this.position };
  }

  /** Is corpus position i kept in pass p? */
  isKept(p: number, i: number): boolean {
    const id = this.corpus[i];
    return id >= 0 && hashUniform(this.config.seed, p, i, SALT_KEEP) < this.config.keep[id];
  }

  /** The kept context of centre i in pass p (reduced window) into this.context; returns how many. */
  private contextOf(p: number, i: number): number {
    const { corpus } = this;
    const b = 1 + Math.min(this.config.window - 1, Math.floor(hashUniform(this.config.seed, p, i, SALT_WINDOW) * this.config.window));
    let n = 0;
    for (let j = i - 1, found = 0; j >= 0 && corpus[j] >= 0 && found < b; j--) if (this.isKept(p, j)) { this.context[n++] = corpus[j]; found++; }
    for (let j = i + 1, found = 0; j < corpus.length && corpus[j] >= 0 && found < b; j++) if (this.isKept(p, j)) { this.context[n++] = corpus[j]; found++; }
    return n;
  }

  /** (centre, context) pairs pass p makes, exactly (to turn `epochs` into steps). */
  pairsInPass(p: number): number {
    let pairs = 0;
    for (let i = 0; i < this.corpus.length; i++) if (this.isKept(p, i)) pairs += this.contextOf(p, i);
    return pairs;
  }

  /**
   * The next examples, whole centres at a time, until they hold at least `pairs` pairs; negatives
   * drawn from `table` with `rng` (one equal to the word to predict becomes -1). The returned
   * arrays are reused by the next call.
   */
  next(pairs: number, table: AliasTable, rng: Rng): ExampleBatch {
    const { C, S } = this;
    const maxRows = this.config.method === 'skipgram' ? pairs + 2 * this.config.window : pairs;
    if (this.inputs.length < maxRows * C) {
      this.inputs = new Int32Array(maxRows * C);
      this.outputs = new Int32Array(maxRows * S);
    }
    const { inputs, outputs, corpus } = this;
    let N = 0, got = 0, passesEnded = 0, barren = 0;   // barren: positions read since the last example
    while (got < pairs) {
      if (barren > corpus.length) throw new Error('ExampleStream: a whole pass made no (centre, context) pair; expected sentences of at least two words');
      if (this.position >= corpus.length) {
        this.pass++;
        this.position = 0;
        passesEnded++;
      }
      const i = this.position++;
      barren++;
      if (!this.isKept(this.pass, i)) continue;
      const n = this.contextOf(this.pass, i);
      if (n === 0) continue;
      barren = 0;
      if (this.config.method === 'skipgram') {
        for (let c = 0; c < n; c++, N++) {
          inputs[N] = corpus[i];
          outputs[N * S] = this.context[c];
        }
        got += n;
      } else {
        inputs.fill(-1, N * C, N * C + C);
        inputs.set(this.context.subarray(0, n), N * C);
        outputs[N * S] = corpus[i];
        N++;
        got += n;
      }
    }
    for (let r = 0; r < N; r++) {
      const positive = outputs[r * S];
      for (let j = 1; j < S; j++) {
        const w = table.draw(rng);
        outputs[r * S + j] = w === positive ? -1 : w;
      }
    }
    return { N, C, S, inputs: inputs.subarray(0, N * C), outputs: outputs.subarray(0, N * S), pairs: got, passesEnded };
  }
}
