// The random parts of word2vec besides init: which words a pass keeps (subsampling of frequent
// words), how far each centre looks (the reduced window) and which negatives it draws (unigram^0.75).
//
// V = vocabulary; counts (V) are corpus counts (0 for ids that never occur, e.g. the special tokens).
//
// Subsampling, word2vec.c's formula (gensim's too): with t = subsample · total,
//   keep(w) = min(1, (√(count_w / t) + 1) · t / count_w);   subsample 0 keeps every word.
// Negatives: P(w) ∝ count_w^0.75, drawn in O(1) by Walker's alias table (the same distribution as
// word2vec.c's 1e8-entry table, without its rounding to table slots).
// Per-position decisions (keep, window) come from a counter-based hash of (seed, pass, position),
// so the stream of examples depends only on where it is: a resumed run continues exactly, and
// nothing but (pass, position) has to be saved.

import type { Rng } from '../rng';

/** keep(w) for each id (0 for words that never occur). */
export function keepProbabilities(counts: ArrayLike<number>, subsample: number): Float64Array {
  const V = counts.length;
  const keep = new Float64Array(V);
  let total = 0;
  for (let w = 0; w < V; w++) total += counts[w];
  const t = subsample * total;
  for (let w = 0; w < V; w++) {
    const n = counts[w];
    if (n <= 0) continue;
    keep[w] = subsample <= 0 ? 1 : Math.min(1, (Math.sqrt(n / t) + 1) * (t / n));
  }
  return keep;
}

/** Walker's alias table over P(w) ∝ count_w^power (Vose's construction). */
export class AliasTable {
  readonly prob: Float64Array;   // (V) chance of keeping the column's own id
  readonly alias: Int32Array;    // (V) the id drawn otherwise

  constructor(counts: ArrayLike<number>, power = 0.75) {
    const V = counts.length;
    const weights = new Float64Array(V);
    let sum = 0;
    for (let w = 0; w < V; w++) sum += weights[w] = counts[w] > 0 ? Math.pow(counts[w], power) : 0;
    if (!(sum > 0)) throw new Error('AliasTable: every count is 0; expected at least one word that occurs');
    this.prob = new Float64Array(V);
    this.alias = new Int32Array(V);
    const scaled = Float64Array.from(weights, (x) => (x * V) / sum);
    const small: number[] = [], large: number[] = [];
    for (let w = V - 1; w >= 0; w--) (scaled[w] < 1 ? small : large).push(w);
    while (small.length > 0 && large.length > 0) {
      const s = small.pop()!, l = large.pop()!;
      this.prob[s] = scaled[s];
      this.alias[s] = l;
      scaled[l] = scaled[l] + scaled[s] - 1;
      (scaled[l] < 1 ? small : large).push(l);
    }
    for (const w of large) { this.prob[w] = 1; this.alias[w] = w; }
    for (const w of small) { this.prob[w] = 1; this.alias[w] = w; }   // rounding leftovers: ≈ 1
  }

  /** P(w) as drawn, for tests: (prob[w] + Σ_{alias[v] = w} (1 − prob[v])) / V. */
  probability(w: number): number {
    const V = this.prob.length;
    let p = this.prob[w];
    for (let v = 0; v < V; v++) if (this.alias[v] === w && v !== w) p += 1 - this.prob[v];
    return p / V;
  }

  draw(rng: Rng): number {
    const V = this.prob.length;
    const u = rng.uniform() * V;
    const column = Math.min(V - 1, Math.floor(u));
    return u - column < this.prob[column] ? column : this.alias[column];
  }
}

/**
 * A uniform draw in [0, 1) that depends only on (seed, pass, position, salt): a splitmix-style
 * mix of the four words (32-bit integer arithmetic, the same everywhere).
 */
export function hashUniform(seed: number, pass: number, position: number, salt: number): number {
  let x = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(pass + 0x632be5ab, 0xc2b2ae35);
  x = mix32(x ^ Math.imul(position, 0x27d4eb2f));
  x = mix32(x ^ Math.imul(Math.floor(position / 4294967296) + salt, 0x165667b1));
  return (x >>> 0) / 4294967296;
}

function mix32(z: number): number {
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return z ^ (z >>> 16);
}
