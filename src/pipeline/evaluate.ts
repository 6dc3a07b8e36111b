// Validation during training, forward only: the loss (and, for tag and classify, the accuracy) that
// `rnn-lab eval` gives on the same held-out data (src/pipeline/eval/), so the best validation loss a
// run reports is what its model.onnx scores on its validation file. lm: one stream in order from a
// line start, at most MAX_VALIDATION_TOKENS tokens; tag / classify: every held-out sequence.
import type { Model } from '../engine/model';
import { evalBatches, type Example } from './batching';
import { ClassScorer } from './eval/classScorer';
import { LmScorer, engineWindows } from './eval/lmScorer';
import type { IdArray } from './idBuffer';

export { argmax, oneHot } from './eval/classScorer';

/** lm validation reads at most this many tokens (about 3 s at batch 1 on one core), from the start. */
export const MAX_VALIDATION_TOKENS = 1 << 17;

export interface Evaluation {
  readonly loss: number;
  readonly accuracy?: number;       // tag: share of tokens, classify: share of sequences, argmax right
  readonly exactMatch?: number;     // seq2seq: share of searched outputs equal to their target
  readonly bleu?: number;           // seq2seq: corpus BLEU-4, 0..1
}

/** `startToken` is fed before the first token (the line break, as label and eval start). */
export function evaluateLm(model: Model, ids: IdArray, startToken: number): Evaluation {
  const scorer = new LmScorer(engineWindows(model), model.spec.outputs, startToken);
  const n = Math.min(ids.length, MAX_VALIDATION_TOKENS);
  for (let i = 0; i < n; i++) scorer.push(ids[i]);
  return { loss: scorer.finish().loss };
}

export function evaluateSequences(model: Model, examples: readonly Example[], batchSize: number): Evaluation {
  const scorer = new ClassScorer(model.spec.outputs, model.spec.head, model.spec.manyToOne);
  for (const batch of evalBatches(examples, batchSize)) {
    const out = model.forward({ tokens: batch.tokens, T: batch.T, B: batch.B, lengths: batch.lengths }, { train: false });
    scorer.add(batch, out.logits);
  }
  return { loss: scorer.loss, accuracy: scorer.accuracy };
}
