// Messages between the extension host and the inference worker (worker_threads): token labels,
// predictions with activations, streamed samples, seq2seq translations with their attention,
// word-vector queries for the Embeddings panel, evaluations of a model on a labelled file.
// Discriminated on `type`; types only.
import type { CellKind } from '../engine/spec';
import type { ModelTask } from './api';
import type { EmbeddingNeighbor, EmbeddingSpace, PlacedWords } from './embeddings';
import type { EvalProgress, EvalReport } from './evaluation';
import type { MessageTransport } from './transport';

export type InferenceBackend = 'engine' | 'ort';

/** A model to run: a run folder or an .onnx file, and the backend that runs it. */
export interface ModelRef {
  readonly path: string;
  readonly backend: InferenceBackend;
}

/** What a model is, as the host shows it (status bar, hovers, panel headers). */
export interface ModelInfo {
  readonly task: ModelTask;
  readonly labels: readonly string[];    // tag / classify: class id → label; lm: []
  readonly tokenizer: 'char' | 'word';
  readonly vocabSize: number;
  readonly cell: CellKind;
  readonly warnings: readonly string[];
}

/** A piece of a document: its text, where it starts (UTF-16 offset) and its first line (0-based). */
export interface TextRegion {
  readonly offset: number;
  readonly line: number;
  readonly text: string;
}

/** One token's label (tag), surprisal (lm), in document offsets. */
export interface TokenLabelItem {
  readonly token: string;
  readonly start: number;
  readonly end: number;
  readonly label?: string;
  readonly p?: number;
  readonly surprisal?: number;           // nats
  readonly gold?: string;                // a labelled file's label of this token (token<TAB>label)
}

/** One line's class (classify), in document offsets; line is 1-based in the document. */
export interface LineLabelItem {
  readonly line: number;
  readonly start: number;
  readonly end: number;
  readonly label: string;
  readonly p: number;
  readonly gold?: string;                // a labelled file's label of this line (label<TAB>text)
}

/** One source line's output (seq2seq), in document offsets; line is 1-based in the document. */
export interface LineOutputItem {
  readonly line: number;
  readonly start: number;                // the source's range (a source<TAB>target line: before the TAB)
  readonly end: number;
  readonly output: string;
  readonly logProb: number;
  readonly unknown: readonly string[];   // source tokens never seen in training (read as <unk>)
}

/** What a tagger, language model (surprisal) or classifier gives a text: token labels or line classes. */
export type TextLabels =
  | { readonly kind: 'tokens'; readonly items: readonly TokenLabelItem[] }
  | { readonly kind: 'lines'; readonly items: readonly LineLabelItem[] };

/** What labelling a document gives: TextLabels, or line outputs (seq2seq). */
export type LabelResult = TextLabels | { readonly kind: 'outputs'; readonly items: readonly LineOutputItem[] };

/** Beam search settings of a translation; a field left out takes the model's own (its config's sampling). */
export interface TranslateSettings {
  readonly beam?: number;                // 1 = greedy
  readonly lengthPenalty?: number;       // α of log P / T_y^α
  readonly maxLength?: number;           // output tokens at most
}

export interface TranslationCandidate {
  readonly output: string;
  readonly logProb: number;
  readonly score: number;                // logProb / T_y^α, what the beam ranks by
}

/**
 * One source line and what a seq2seq model made of it (the pipeline's translateOne, the CLI's
 * translate and label, the Attention panel all use this one shape). attention is (output tokens × source tokens):
 * row i, the distribution over sourceTokens the decoder read when it wrote outputTokens[i] (<eos> has
 * no row); [] when the model's attention is none.
 */
export interface SourceTranslation {
  readonly line: number;                 // 1-based in the document
  readonly start: number;                // the source's range in the document
  readonly end: number;
  readonly source: string;
  readonly output: string;               // the best candidate
  readonly logProb: number;
  readonly score: number;
  readonly finished: boolean;            // ended with <eos> (else cut at maxLength)
  readonly sourceTokens: readonly string[];
  readonly sourceUnknown: readonly boolean[];   // per source token: not in the vocabulary, read as <unk>
  readonly outputTokens: readonly string[];
  readonly attention: readonly (readonly number[])[];
  readonly candidates: readonly TranslationCandidate[];   // best first; one when greedy
}

export interface TranslationResult {
  readonly info: ModelInfo;
  readonly attention: string;            // additive | dot | general | none
  readonly beam: number;                 // the settings the search ran with
  readonly lengthPenalty: number;
  readonly maxLength: number;
  readonly lines: readonly SourceTranslation[];   // non-blank lines in document order
}

export interface Alternative {
  readonly token: string;                // a vocabulary token (lm) or a label (tag / classify)
  readonly p: number;
}

/** One token (or, for a classifier, one line) with what the model predicts there. */
export interface PredictedToken {
  readonly token: string;
  readonly start: number;
  readonly end: number;
  readonly unknown: boolean;             // not in the model's vocabulary: the model read <unk>
  /** lm: p of this token given what came before; tag / classify: p of the predicted label. */
  readonly p: number;
  readonly label?: string;               // tag / classify: the predicted label
  readonly top: readonly Alternative[];  // most likely first
}

/** Activations of one layer over the predicted tokens (engine backend only). */
export interface LayerTrace {
  readonly layer: number;
  readonly D: number;
  readonly H: number;
  readonly gates: readonly string[];
  /** Rows per token; hidden and cell (D*H) values, gates (D*G*H) values. */
  readonly hidden: readonly (readonly number[])[];
  readonly cell: readonly (readonly number[])[] | null;
  readonly gateValues: readonly (readonly number[])[];
}

export interface PredictionResult {
  readonly info: ModelInfo;
  readonly tokens: readonly PredictedToken[];
  /** Activations per layer, one row per entry of `tokens` (absent for ort and classifiers). */
  readonly layers: readonly LayerTrace[] | null;
  readonly truncated: boolean;           // more tokens than the limit; the rest is left out
}

/** What a sample is drawn with (the CLI's sample options, the Samples panel's fields). */
export interface SampleSettings {
  readonly prime: string;
  readonly length: number;
  readonly temperature: number;
  readonly topK: number;
  readonly topP: number;
  readonly seed: number;
}

export type SampleNumberKey = 'length' | 'temperature' | 'topK' | 'topP' | 'seed';

/** A number setting's range, from the config schema: min (exclusive or not) ≤ value ≤ max. */
export interface NumberRange {
  readonly min: number;
  readonly minExclusive: boolean;
  readonly max: number;
  readonly integer: boolean;
}

export type SampleLimits = { readonly [K in SampleNumberKey]: NumberRange };

export type HostToInference =
  | { readonly type: 'info'; readonly job: number; readonly model: ModelRef }
  | { readonly type: 'label'; readonly job: number; readonly model: ModelRef; readonly regions: readonly TextRegion[] }
  | { readonly type: 'predict'; readonly job: number; readonly model: ModelRef; readonly region: TextRegion;
      readonly topK: number; readonly maxTokens: number; readonly activations: boolean }
  | { readonly type: 'sample'; readonly job: number; readonly model: ModelRef; readonly settings: SampleSettings }
  /** seq2seq: every non-blank line of the regions translated (a source<TAB>target line: its source). */
  | { readonly type: 'translate'; readonly job: number; readonly model: ModelRef; readonly regions: readonly TextRegion[];
      readonly settings: TranslateSettings }
  /** Word vectors (any model with an embedding, or a vectors file): the space, neighbours, analogies. */
  | { readonly type: 'vectorSpace'; readonly job: number; readonly source: string; readonly display: string; readonly draw: number }
  | { readonly type: 'vectorNeighbors'; readonly job: number; readonly source: string; readonly word: string; readonly k: number }
  | { readonly type: 'vectorAnalogy'; readonly job: number; readonly source: string; readonly a: string; readonly b: string; readonly c: string; readonly k: number }
  /** Scores the model on a labelled file (rnn-lab eval) and saves the report beside the model (eval-<file>.json). */
  | { readonly type: 'evaluate'; readonly job: number; readonly model: ModelRef; readonly file: string }
  /** Stop a job: queued ones never start, running ones stop at their next chunk. */
  | { readonly type: 'cancel'; readonly job: number };

export type InferenceToHost =
  | { readonly type: 'info'; readonly job: number; readonly info: ModelInfo }
  | { readonly type: 'labels'; readonly job: number; readonly info: ModelInfo; readonly result: LabelResult;
      readonly linesComputed: number; readonly linesCached: number }
  | { readonly type: 'predictions'; readonly job: number; readonly result: PredictionResult }
  /** Text the newest tokens add (a few tokens at most), in order. */
  | { readonly type: 'sampleChunk'; readonly job: number; readonly text: string; readonly tokens: number }
  | { readonly type: 'sampleDone'; readonly job: number; readonly tokens: number }
  | { readonly type: 'translations'; readonly job: number; readonly result: TranslationResult }
  | { readonly type: 'vectorSpace'; readonly job: number; readonly space: EmbeddingSpace }
  | { readonly type: 'vectorNeighbors'; readonly job: number; readonly word: string; readonly neighbors: readonly EmbeddingNeighbor[]; readonly placed: PlacedWords }
  | { readonly type: 'vectorAnalogy'; readonly job: number; readonly query: readonly [string, string, string]; readonly answers: readonly EmbeddingNeighbor[]; readonly placed: PlacedWords }
  /** How far an evaluation has got (after each slice of the file, or batch of pairs). */
  | { readonly type: 'evalProgress'; readonly job: number; readonly progress: EvalProgress }
  /** step: the training step of the weights, when known; saved: the eval-<file>.json written. */
  | { readonly type: 'evaluation'; readonly job: number; readonly report: EvalReport; readonly step?: number; readonly saved: string }
  | { readonly type: 'cancelled'; readonly job: number }
  | { readonly type: 'failed'; readonly job: number; readonly message: string; readonly badInput: boolean };

/** The inference worker's end of its channel to the host (the job runner posts answers, reads jobs). */
export type InferenceWorkerTransport = MessageTransport<InferenceToHost, HostToInference>;
