// Projections of word vectors to 2-D or 3-D for the Embeddings panel: PCA (the top principal axes of
// the centred vectors by subspace iteration on the covariance, as the Embedding Projector's default)
// and the maths both the panel and its worker share. N = points, E = width, D = 2 or 3.

/** Mean (E) and the top D principal axes (D, E), unit and orthogonal, of the rows (N, E). */
export interface PcaBasis {
  readonly mean: Float64Array;
  readonly axes: Float64Array;
  readonly D: number;
  readonly E: number;
  /** Share of the variance each axis explains. */
  readonly explained: number[];
}

/** PCA of rows (N, E); the covariance from at most `sample` rows (evenly spaced), so 50,000 × 300 stays fast. */
export function pca(rows: Float32Array, N: number, E: number, D: number, sample = 5000): PcaBasis {
  const mean = new Float64Array(E);
  for (let i = 0; i < N; i++) for (let e = 0; e < E; e++) mean[e] += rows[i * E + e] / N;
  const step = Math.max(1, N / sample);
  const picked: number[] = [];
  for (let x = 0; Math.floor(x) < N; x += step) picked.push(Math.floor(x));
  const cov = new Float64Array(E * E);
  const centred = new Float64Array(E);
  for (const i of picked) {
    for (let e = 0; e < E; e++) centred[e] = rows[i * E + e] - mean[e];
    for (let a = 0; a < E; a++) {
      const ca = centred[a];
      if (ca === 0) continue;
      for (let b = a; b < E; b++) cov[a * E + b] += ca * centred[b];
    }
  }
  let trace = 0;
  for (let a = 0; a < E; a++) {
    for (let b = a; b < E; b++) cov[b * E + a] = cov[a * E + b] /= picked.length;
    trace += cov[a * E + a];
  }
  // Subspace iteration: Q ← orth(cov · Q), from a fixed start so the picture is the same every time.
  const k = Math.min(D, E);
  let Q = new Float64Array(k * E);
  for (let j = 0; j < k; j++) for (let e = 0; e < E; e++) Q[j * E + e] = Math.sin(1 + 7 * j + 13 * e) + (e === j ? 1 : 0);
  orthonormalize(Q, k, E);
  for (let iter = 0; iter < 200; iter++) {
    const next = new Float64Array(k * E);
    for (let j = 0; j < k; j++) {
      for (let a = 0; a < E; a++) {
        let s = 0;
        for (let b = 0; b < E; b++) s += cov[a * E + b] * Q[j * E + b];
        next[j * E + a] = s;
      }
    }
    orthonormalize(next, k, E);
    let change = 0;
    for (let j = 0; j < k; j++) {
      let d = 0;
      for (let e = 0; e < E; e++) d += next[j * E + e] * Q[j * E + e];
      change = Math.max(change, 1 - Math.abs(d));
    }
    Q = next;
    if (change < 1e-12) break;
  }
  const explained: number[] = [];
  for (let j = 0; j < k; j++) {
    let v = 0;
    for (let a = 0; a < E; a++) {
      let s = 0;
      for (let b = 0; b < E; b++) s += cov[a * E + b] * Q[j * E + b];
      v += s * Q[j * E + a];
    }
    explained.push(trace > 0 ? v / trace : 0);
  }
  const axes = new Float64Array(D * E);
  axes.set(Q);
  return { mean, axes, D, E, explained };
}

/** Gram-Schmidt on k rows of length E, in place (a zero row becomes a unit vector on its own axis). */
function orthonormalize(Q: Float64Array, k: number, E: number): void {
  for (let j = 0; j < k; j++) {
    for (let i = 0; i < j; i++) {
      let d = 0;
      for (let e = 0; e < E; e++) d += Q[j * E + e] * Q[i * E + e];
      for (let e = 0; e < E; e++) Q[j * E + e] -= d * Q[i * E + e];
    }
    let n = 0;
    for (let e = 0; e < E; e++) n += Q[j * E + e] ** 2;
    n = Math.sqrt(n);
    if (n === 0) { Q[j * E + (j % E)] = 1; continue; }
    for (let e = 0; e < E; e++) Q[j * E + e] /= n;
  }
}

/** Coordinates (N, D) of rows (N, E) on a basis. */
export function projectPca(basis: PcaBasis, rows: Float32Array, N: number): Float32Array {
  const { mean, axes, D, E } = basis;
  const out = new Float32Array(N * D);
  for (let i = 0; i < N; i++) {
    for (let d = 0; d < D; d++) {
      let s = 0;
      for (let e = 0; e < E; e++) s += (rows[i * E + e] - mean[e]) * axes[d * E + e];
      out[i * D + d] = s;
    }
  }
  return out;
}

/** Rows scaled to unit length (cosine geometry, as the queries use), a copy. */
export function unitRows(rows: Float32Array, N: number, E: number): Float32Array {
  const out = new Float32Array(N * E);
  for (let i = 0; i < N; i++) {
    let n = 0;
    for (let e = 0; e < E; e++) n += rows[i * E + e] ** 2;
    const inv = n > 0 ? 1 / Math.sqrt(n) : 0;
    for (let e = 0; e < E; e++) out[i * E + e] = rows[i * E + e] * inv;
  }
  return out;
}
