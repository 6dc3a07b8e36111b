// What `rnn-lab eval` prints with --json and what Evaluate Model on File saves as eval-<file>.json
// (DESIGN.md §4 "Evaluation"), and the messages of the Evaluation panel that shows them. Types only.
import type { MessageTransport } from './transport';

/** lm: L = mean cross-entropy in nats per predicted token; perplexity = exp(L), bitsPerToken = L / ln 2. */
export interface LmEvalReport {
  readonly task: 'lm';
  readonly tokens: number;
  readonly loss: number;
  readonly perplexity: number;
  readonly bitsPerToken: number;
}

export interface LabelScores {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  readonly support: number;       // how many tokens (tag) or lines (classify) have this label in the file
}

/** tag: per token; classify: per line. confusion.matrix[true][predicted], in confusion.labels order. */
export interface ClassEvalReport {
  readonly task: 'tag' | 'classify';
  readonly loss: number;
  readonly accuracy: number;
  readonly macroF1: number;
  readonly labels: Readonly<Record<string, LabelScores>>;
  readonly confusion: { readonly labels: readonly string[]; readonly matrix: readonly (readonly number[])[] };
}

/** bleu: corpus BLEU-4 over target tokens, 0..1. */
export interface Seq2SeqEvalReport {
  readonly task: 'seq2seq';
  readonly loss: number;
  readonly exactMatch: number;
  readonly bleu: number;
}

export type EvalReport = LmEvalReport | ClassEvalReport | Seq2SeqEvalReport;

/** How far an evaluation has got: bytes of the file read, or (seq2seq) pairs scored and decoded. */
export interface EvalProgress {
  readonly done: number;
  readonly total: number;
  readonly unit: 'bytes' | 'pairs';
}

/** What the Evaluation panel shows: a model's report on a file (paths as the user reads them). */
export interface EvaluationView {
  readonly model: string;          // the run folder's or the .onnx file's name
  readonly file: string;           // the data file, relative to the workspace
  readonly step?: number;          // the training step of the weights (model.onnx: the best one)
  readonly saved: string;          // eval-<file>.json, relative to the workspace
  readonly report: EvalReport;
}

/** Host → Evaluation panel (viewType rnnLab.evaluation). */
export type HostToEvaluation =
  | { readonly type: 'running'; readonly model: string; readonly file: string; readonly progress?: EvalProgress }
  | { readonly type: 'result'; readonly view: EvaluationView }
  | { readonly type: 'cancelled'; readonly model: string; readonly file: string }
  | { readonly type: 'error'; readonly message: string };

/** Evaluation panel → host. */
export type EvaluationToHost =
  | { readonly type: 'ready' }
  /** Open the saved eval-<file>.json in an editor. */
  | { readonly type: 'openReport' };

/** The host's end of the Evaluation panel's channel. */
export type EvaluationTransport = MessageTransport<HostToEvaluation, EvaluationToHost>;
