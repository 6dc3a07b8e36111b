// "Hard debiasing" of word vectors (Bolukbasi et al. 2016, "Man is to Computer Programmer as Woman
// is to Homemaker?"), step for step as their debiaswe code does it, and as the course's exercise
// (neutralise, equalise) explains it:
//   1. every vector to unit length;
//   2. the bias direction g: the first principal component of the definitional pairs, each pair
//      centred on its mean ({a − μ, b − μ}); signed so that the pairs' first words lie on its + side;
//   3. neutralise: every word not kept as specific loses its component along g, e ← e − (e·g) g;
//      then unit length again;
//   4. equalise each pair (a, b): both get the same part orthogonal to g, y = drop((a + b)/2, g),
//      and ± the rest of a unit vector along g, a = z g + y, b = −z g + y, z = √(1 − ‖y‖²) (sign
//      kept from (a − b)·g); then unit length again.
// V = words, E = width, P = pairs.

export interface DebiasRequest {
  readonly definitional: readonly (readonly [number, number])[];   // rows of the pairs that define g
  readonly equalize: readonly (readonly [number, number])[];       // rows of the pairs to equalise
  readonly specific: ReadonlySet<number>;                          // rows left out of neutralising
}

export interface DebiasResult {
  readonly vectors: Float32Array;   // (V, E), unit rows
  readonly direction: Float64Array; // g (E), unit
  readonly neutralized: number;
  readonly equalized: number;
}

function normalizeRows(x: Float64Array, V: number, E: number): void {
  for (let i = 0; i < V; i++) {
    let sq = 0;
    for (let e = 0; e < E; e++) sq += x[i * E + e] ** 2;
    if (sq === 0) continue;
    const inv = 1 / Math.sqrt(sq);
    for (let e = 0; e < E; e++) x[i * E + e] *= inv;
  }
}

const dot = (x: ArrayLike<number>, xo: number, y: ArrayLike<number>, yo: number, E: number): number => {
  let s = 0;
  for (let e = 0; e < E; e++) s += x[xo + e] * y[yo + e];
  return s;
};

/** The first principal component of the centred pair members (rows of unit vectors x), by power iteration on MᵀM. */
export function biasDirection(x: ArrayLike<number>, E: number, pairs: readonly (readonly [number, number])[]): Float64Array {
  if (pairs.length === 0) throw new Error('biasDirection: expected at least one pair of words');
  const rows: Float64Array[] = [];
  const mean = new Float64Array(E);
  for (const [a, b] of pairs) {
    const ra = new Float64Array(E), rb = new Float64Array(E);
    for (let e = 0; e < E; e++) {
      const mu = (x[a * E + e] + x[b * E + e]) / 2;
      ra[e] = x[a * E + e] - mu;
      rb[e] = x[b * E + e] - mu;
    }
    rows.push(ra, rb);
  }
  // PCA centres the matrix (its mean is 0 here up to rounding, as in debiaswe's sklearn call).
  for (const r of rows) for (let e = 0; e < E; e++) mean[e] += r[e] / rows.length;
  for (const r of rows) for (let e = 0; e < E; e++) r[e] -= mean[e];
  // Start from the summed differences a − b (inside the row space, never orthogonal to the answer's sign).
  let g = new Float64Array(E);
  for (let p = 0; p < pairs.length; p++) for (let e = 0; e < E; e++) g[e] += rows[2 * p][e] - rows[2 * p + 1][e];
  if (g.every((v) => v === 0)) g[0] = 1;
  for (let iter = 0; iter < 1000; iter++) {
    const next = new Float64Array(E);
    for (const r of rows) {
      const s = dot(r, 0, g, 0, E);
      for (let e = 0; e < E; e++) next[e] += s * r[e];
    }
    const norm = Math.sqrt(dot(next, 0, next, 0, E));
    if (norm === 0) break;
    for (let e = 0; e < E; e++) next[e] /= norm;
    const change = Math.abs(Math.abs(dot(next, 0, g, 0, E)) - 1);
    g = next;
    if (change < 1e-15) break;
  }
  let side = 0;
  for (let p = 0; p < pairs.length; p++) side += dot(rows[2 * p], 0, g, 0, E) - dot(rows[2 * p + 1], 0, g, 0, E);
  if (side < 0) for (let e = 0; e < E; e++) g[e] = -g[e];
  return g;
}

export function debias(vectors: ArrayLike<number>, V: number, E: number, request: DebiasRequest): DebiasResult {
  if (vectors.length !== V * E) throw new Error(`debias: ${vectors.length} numbers for ${V} words of width ${E}`);
  const x = Float64Array.from(vectors);
  normalizeRows(x, V, E);
  const g = biasDirection(x, E, request.definitional);
  let neutralized = 0;
  for (let i = 0; i < V; i++) {
    if (request.specific.has(i)) continue;
    const s = dot(x, i * E, g, 0, E);
    for (let e = 0; e < E; e++) x[i * E + e] -= s * g[e];
    neutralized++;
  }
  normalizeRows(x, V, E);
  for (const [a, b] of request.equalize) {
    const y = new Float64Array(E);
    for (let e = 0; e < E; e++) y[e] = (x[a * E + e] + x[b * E + e]) / 2;
    const s = dot(y, 0, g, 0, E);
    for (let e = 0; e < E; e++) y[e] -= s * g[e];
    let z = Math.sqrt(Math.max(0, 1 - dot(y, 0, y, 0, E)));
    if (dot(x, a * E, g, 0, E) - dot(x, b * E, g, 0, E) < 0) z = -z;
    for (let e = 0; e < E; e++) {
      x[a * E + e] = z * g[e] + y[e];
      x[b * E + e] = -z * g[e] + y[e];
    }
  }
  normalizeRows(x, V, E);
  return { vectors: Float32Array.from(x), direction: g, neutralized, equalized: request.equalize.length };
}
