// What `rnn-lab eval` prints with --json and what Evaluate Model on File saves as eval-<file>.json
// (DESIGN.md §4 "Evaluation"). Types only.

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
