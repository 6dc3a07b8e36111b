// A space of word vectors and the queries on it: nearest neighbours by cosine and analogies, as
// gensim's KeyedVectors.most_similar answers them. No files (src/pipeline/vectorsFile.ts reads them).
//
// V = words, E = width. vectors (V, E) as given; unit (V, E) each row divided by its norm (a zero
// row stays zero: cosine 0 with everything).
//   cosine(a, b) = unit[a] · unit[b]
//   analogy "A is to B as C is to ?" = the words nearest by cosine to unit(ûB − ûA + ûC), A, B, C
//   excluded (3CosAdd; gensim's most_similar(positive=[B, C], negative=[A])).

export interface Neighbor {
  readonly word: string;
  readonly cosine: number;
}

export class VectorSpace {
  readonly V: number;
  readonly unit: Float32Array;
  private readonly index = new Map<string, number>();

  /**
   * words (V) in row order; vectors (V, E). `candidates`: which rows may be answers (default all;
   * a model leaves out its special tokens).
   */
  constructor(readonly words: readonly string[], readonly vectors: Float32Array, readonly E: number, readonly candidates: Uint8Array | null = null) {
    const V = words.length;
    if (vectors.length !== V * E) throw new Error(`VectorSpace: ${vectors.length} numbers for ${V} words of width ${E}`);
    this.V = V;
    words.forEach((w, i) => { if (!this.index.has(w)) this.index.set(w, i); });
    this.unit = new Float32Array(V * E);
    for (let i = 0; i < V; i++) {
      let sq = 0;
      for (let e = 0; e < E; e++) sq += vectors[i * E + e] * vectors[i * E + e];
      const inv = sq > 0 ? 1 / Math.sqrt(sq) : 0;
      for (let e = 0; e < E; e++) this.unit[i * E + e] = vectors[i * E + e] * inv;
    }
  }

  /** Row of a word, or -1. */
  idOf(word: string): number {
    return this.index.get(word) ?? -1;
  }

  isCandidate(id: number): boolean {
    return this.candidates === null || this.candidates[id] === 1;
  }

  /** unit[a] · unit[b]. */
  cosine(a: number, b: number): number {
    const { unit, E } = this;
    let s = 0;
    for (let e = 0; e < E; e++) s += unit[a * E + e] * unit[b * E + e];
    return s;
  }

  /** The k candidates nearest to direction q (E) by cosine, best first, `exclude` left out; ties by row. */
  nearest(q: ArrayLike<number>, k: number, exclude: ReadonlySet<number> = new Set()): Neighbor[] {
    const { unit, E, V } = this;
    let qq = 0;
    for (let e = 0; e < E; e++) qq += q[e] * q[e];
    const inv = qq > 0 ? 1 / Math.sqrt(qq) : 0;
    // A min-heap of the best k (score, row), worst at the top.
    const scores = new Float64Array(k), rows = new Int32Array(k);
    let size = 0;
    const worse = (i: number, j: number) => scores[i] < scores[j] || (scores[i] === scores[j] && rows[i] > rows[j]);
    const swap = (i: number, j: number) => {
      const s = scores[i]; scores[i] = scores[j]; scores[j] = s;
      const r = rows[i]; rows[i] = rows[j]; rows[j] = r;
    };
    const siftDown = (i: number) => {
      for (;;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < size && worse(l, m)) m = l;
        if (r < size && worse(r, m)) m = r;
        if (m === i) return;
        swap(i, m);
        i = m;
      }
    };
    for (let v = 0; v < V && k > 0; v++) {
      if (!this.isCandidate(v) || exclude.has(v)) continue;
      let s = 0;
      const o = v * E;
      for (let e = 0; e < E; e++) s += unit[o + e] * q[e];
      s *= inv;
      if (size < k) {
        scores[size] = s; rows[size] = v;
        for (let i = size++; i > 0;) {
          const p = (i - 1) >> 1;
          if (!worse(i, p)) break;
          swap(i, p);
          i = p;
        }
      } else if (s > scores[0]) {
        scores[0] = s; rows[0] = v;
        siftDown(0);
      }
    }
    const out: { row: number; score: number }[] = [];
    for (let i = 0; i < size; i++) out.push({ row: rows[i], score: scores[i] });
    out.sort((a, b) => b.score - a.score || a.row - b.row);
    return out.map((x) => ({ word: this.words[x.row], cosine: x.score }));
  }

  /** The k nearest neighbours of row `id`, itself excluded. */
  neighbors(id: number, k: number): Neighbor[] {
    return this.nearest(this.unit.subarray(id * this.E, (id + 1) * this.E), k, new Set([id]));
  }

  /** "a is to b as c is to ?": nearest to ûb − ûa + ûc, a, b and c excluded. */
  analogy(a: number, b: number, c: number, k: number): Neighbor[] {
    const { unit, E } = this;
    const q = new Float64Array(E);
    for (let e = 0; e < E; e++) q[e] = unit[b * E + e] - unit[a * E + e] + unit[c * E + e];
    return this.nearest(q, k, new Set([a, b, c]));
  }
}
