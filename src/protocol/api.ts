// The object activate() returns: state that VS Code's API does not expose, for integration tests
// and other extensions. Types only.

export type RunStatus = 'training' | 'stopped' | 'finished' | 'early-stopped' | 'failed' | 'imported';

/** What a run trains (config `task`; `auto` is resolved before a run starts). */
export type Task = 'lm' | 'tag' | 'classify' | 'seq2seq' | 'embed';

/** A model's task; unknown: an ONNX model without RNN Lab's metadata (imported, it reads token ids only). */
export type ModelTask = Task | 'unknown';

/** A run's task, or '' while a run that has just started has not said it yet. */
export type RunTask = ModelTask | '';

export interface RunSummary {
  readonly id: string;            // folder name, e.g. 20261126-101500-corpus
  readonly dir: string;           // absolute path of the run folder
  readonly status: RunStatus;
  readonly task: RunTask;
  readonly step: number;
  readonly loss?: number;
  readonly bestValLoss?: number;
  readonly bestStep?: number;     // the step of the lowest validation loss
  readonly modelStep?: number;    // the step model.onnx holds (the best one with validation data, else the latest)
}

/** One inline decoration, in document offsets (UTF-16, as VS Code counts). */
export interface TokenDecoration {
  readonly start: number;
  readonly end: number;
  readonly token: string;
  readonly label?: string;        // tagger / classifier
  readonly p?: number;            // probability of the label
  readonly surprisal?: number;    // language model, nats
  readonly gold?: string;         // a labelled file's own label there (token<TAB>label, label<TAB>text)
}

export interface TokenPrediction {
  readonly token: string;
  readonly start: number;
  readonly end: number;
  readonly top: readonly { readonly token: string; readonly p: number }[];
}

export interface EmbeddingsView {
  readonly source: string;        // the run folder or vectors file (absolute)
  readonly words: number;         // words the queries know
  readonly projected?: { readonly method: 'pca' | 'umap'; readonly dims: 2 | 3; readonly points: number };
  readonly selected?: { readonly word: string; readonly neighbors: readonly { readonly word: string; readonly cosine: number }[] };
}

export interface RnnLabApi {
  /** Every run in the workspace's runs folder, newest first. */
  runs(): readonly RunSummary[];
  /** Decorations currently shown in the editor of this document URI (string form). */
  decorations(uri: string): readonly TokenDecoration[];
  /** What the Predictions panel shows now, or undefined when it is closed. */
  lastPredictions(): readonly TokenPrediction[] | undefined;
  /** What the Embeddings panel shows now (source, projection, selected word and its neighbours), or undefined when it is closed. */
  embeddings(): EmbeddingsView | undefined;
  /** vscode.ExtensionMode of this activation (Test = 3 under the integration runners). */
  readonly extensionMode: number;
  /** Wall time activate() took, in ms. */
  readonly activationMs: number;
}
