// Messages between the extension host and the Embeddings panel webview (viewType rnnLab.embeddings),
// after TensorBoard's Embedding Projector: the webview projects and draws (PCA, UMAP in its own web
// worker), the host answers queries over every word through the inference worker (gensim's
// most_similar: cosine neighbours, analogies). Types only; both sides switch exhaustively.
import type { MessageTransport } from './transport';

export interface EmbeddingNeighbor {
  readonly word: string;
  readonly cosine: number;
}

/** The space the panel shows: all its words, and the vectors of the first `drawn` (the most frequent) to project. */
export interface EmbeddingSpace {
  readonly source: string;              // what it was opened on, as shown (workspace-relative)
  readonly origin: string;              // "vectors file", or the model's task (lm, embed, ...)
  readonly words: readonly string[];    // every word the queries know, row order
  readonly E: number;
  readonly drawn: number;               // the first `drawn` words are projected and drawn
  readonly vectors: Float32Array;       // (drawn, E) row-major (webview postMessage transfers typed arrays)
}

/** Query answers carry the vectors of their words, so words not drawn can be placed too (PCA). */
export interface PlacedWords {
  readonly words: readonly string[];
  readonly vectors: Float32Array;       // (words.length, E)
}

export type HostToEmbeddings =
  | { readonly type: 'loading'; readonly source: string }
  | { readonly type: 'space'; readonly space: EmbeddingSpace }
  | { readonly type: 'neighbors'; readonly word: string; readonly neighbors: readonly EmbeddingNeighbor[]; readonly placed: PlacedWords }
  | { readonly type: 'analogy'; readonly query: readonly [string, string, string]; readonly answers: readonly EmbeddingNeighbor[]; readonly placed: PlacedWords }
  /** Select a word (Show in Embeddings): the webview shows it and asks for its neighbours. */
  | { readonly type: 'select'; readonly word: string }
  | { readonly type: 'error'; readonly message: string };

export type ProjectionMethod = 'pca' | 'umap';

export type EmbeddingsToHost =
  | { readonly type: 'ready' }
  | { readonly type: 'neighbors'; readonly word: string; readonly k: number }
  | { readonly type: 'analogy'; readonly a: string; readonly b: string; readonly c: string; readonly k: number }
  /** The projection finished (tests wait for it; the host keeps it for the API). */
  | { readonly type: 'projected'; readonly method: ProjectionMethod; readonly dims: 2 | 3; readonly points: number };

/** What the webview persists with setState; the panel serializer reopens the same source. */
export interface EmbeddingsState {
  readonly source: string;              // absolute path of the run folder or vectors file
  readonly method?: ProjectionMethod;
  readonly dims?: 2 | 3;
}

/** The host's end of the Embeddings panel's channel. */
export type EmbeddingsTransport = MessageTransport<HostToEmbeddings, EmbeddingsToHost>;
