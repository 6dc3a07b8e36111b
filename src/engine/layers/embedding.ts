// Trainable embedding: token ids pick rows of the (V, E) table; backward adds the rows' gradients back.
//
// N = rows (T*B), V = vocabulary, E = embedding size.

import type { Vec } from '../tensor';

/** x (N, E) = table (V, E) rows at tokens (N). */
export function embeddingForward(x: Vec, table: Vec, tokens: Int32Array, N: number, E: number): void {
  for (let r = 0; r < N; r++) {
    const src = tokens[r] * E, dst = r * E;
    for (let j = 0; j < E; j++) x[dst + j] = table[src + j];
  }
}

/** dTable (V, E) += dx (N, E) rows, each to its token's row. */
export function embeddingBackward(dTable: Vec, dx: Vec, tokens: Int32Array, N: number, E: number): void {
  for (let r = 0; r < N; r++) {
    const dst = tokens[r] * E, src = r * E;
    for (let j = 0; j < E; j++) dTable[dst + j] += dx[src + j];
  }
}
