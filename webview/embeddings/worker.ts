// The Embeddings panel's web worker: projections off the panel's thread, so it stays responsive
// while UMAP runs. PCA on the unit vectors (cosine geometry); UMAP with umap-js (Euclidean on unit
// vectors, i.e. cosine), seeded, its epochs stepped with progress reports. Places extra points
// (a query's words that are not drawn) with the fitted projection.
import { UMAP } from 'umap-js';
import type { ProjectionMethod } from '../../src/protocol/embeddings';
import { pca, projectPca, unitRows, type PcaBasis } from './projection';

export type ToWorker =
  | { readonly type: 'project'; readonly id: number; readonly method: ProjectionMethod; readonly dims: 2 | 3;
      readonly vectors: Float32Array; readonly N: number; readonly E: number; readonly seed: number }
  | { readonly type: 'place'; readonly id: number; readonly vectors: Float32Array; readonly N: number };

export type FromWorker =
  | { readonly type: 'progress'; readonly id: number; readonly done: number; readonly total: number }
  | { readonly type: 'projected'; readonly id: number; readonly coords: Float32Array; readonly explained: readonly number[] }
  | { readonly type: 'placed'; readonly id: number; readonly coords: Float32Array }
  | { readonly type: 'failed'; readonly id: number; readonly message: string };

interface WorkerScope { onmessage: ((e: MessageEvent<ToWorker>) => void) | null; postMessage(m: FromWorker): void }
const scope = self as unknown as WorkerScope;
const send = (m: FromWorker) => scope.postMessage(m);

/** mulberry32: UMAP's random numbers from a seed, so the same words give the same map. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let fitted: { kind: 'pca'; basis: PcaBasis; E: number } | { kind: 'umap'; umap: UMAP; E: number; dims: number } | null = null;
let current = 0;

const rowsOf = (v: Float32Array, N: number, E: number): number[][] => Array.from({ length: N }, (_, i) => Array.from(v.subarray(i * E, (i + 1) * E)));

async function project(m: Extract<ToWorker, { type: 'project' }>): Promise<void> {
  current = m.id;
  const unit = unitRows(m.vectors, m.N, m.E);
  if (m.method === 'pca' || m.N < 4) {
    const basis = pca(unit, m.N, m.E, m.dims);
    fitted = { kind: 'pca', basis, E: m.E };
    send({ type: 'projected', id: m.id, coords: projectPca(basis, unit, m.N), explained: basis.explained });
    return;
  }
  const umap = new UMAP({ nComponents: m.dims, nNeighbors: Math.min(15, m.N - 1), minDist: 0.1, random: seeded(m.seed) });
  const epochs = umap.initializeFit(rowsOf(unit, m.N, m.E));
  for (let done = 0; done < epochs; done++) {
    umap.step();
    if (done % 10 === 0) {
      send({ type: 'progress', id: m.id, done, total: epochs });
      await new Promise((resolve) => setTimeout(resolve, 0));   // a newer request may have come in
      if (current !== m.id) return;
    }
  }
  fitted = { kind: 'umap', umap, E: m.E, dims: m.dims };
  send({ type: 'projected', id: m.id, coords: Float32Array.from(umap.getEmbedding().flat()), explained: [] });
}

function place(m: Extract<ToWorker, { type: 'place' }>): void {
  if (!fitted) return send({ type: 'failed', id: m.id, message: 'nothing is projected yet' });
  const unit = unitRows(m.vectors, m.N, fitted.E);
  if (fitted.kind === 'pca') return send({ type: 'placed', id: m.id, coords: projectPca(fitted.basis, unit, m.N) });
  send({ type: 'placed', id: m.id, coords: Float32Array.from(fitted.umap.transform(rowsOf(unit, m.N, fitted.E)).flat()) });
}

scope.onmessage = (e) => {
  const m = e.data;
  try {
    switch (m.type) {
      case 'project': void project(m).catch((err: Error) => send({ type: 'failed', id: m.id, message: err.message })); break;
      case 'place': place(m); break;
      default: {
        const never: never = m;
        throw new Error(`embeddings worker: unknown message ${JSON.stringify(never)}`);
      }
    }
  } catch (err) {
    send({ type: 'failed', id: m.id, message: (err as Error).message });
  }
};
