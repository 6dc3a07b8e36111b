// Scores of a tagger (per token) or classifier (per sequence) over batches: the mean cross-entropy the
// model trained on, and a confusion matrix (true label × predicted label, the argmax) from which
// accuracy, per-label precision / recall / F1 / support and macro F1 follow. The validation loss during
// training and `rnn-lab eval` both add their batches here, so their numbers agree.
//
// T = longest sequence of a batch, B = batch, C = labels.
import { sequenceCrossEntropy, sigmoidCrossEntropy, softmaxCrossEntropy } from '../../engine/loss';
import type { ClassEvalReport, LabelScores } from '../../protocol/evaluation';
import type { Vec } from '../../engine/tensor';
import type { SequenceBatch } from '../batching';

export class ClassScorer {
  private lossSum = 0;
  private lossWeight = 0;
  private readonly counts: Float64Array;     // (C, C) [true * C + predicted]
  private scratch = new Float64Array(0);     // dL/dlogits the losses write and nobody reads

  constructor(private readonly C: number, private readonly head: 'softmax' | 'sigmoid', private readonly manyToOne: boolean) {
    this.counts = new Float64Array(C * C);
  }

  /** logits (T, B, C), or (B, C) for a classifier, of `batch` (padded, with its mask and targets). */
  add(batch: SequenceBatch, logits: Vec): void {
    const { C } = this;
    if (this.scratch.length < logits.length) this.scratch = new Float64Array(logits.length);
    const dLogits = this.scratch.subarray(0, logits.length);
    if (this.manyToOne) {
      this.lossSum += sequenceCrossEntropy(logits, batch.classTargets, dLogits, batch.B, C) * batch.B;
      this.lossWeight += batch.B;
      for (let b = 0; b < batch.B; b++) this.count(batch.classTargets[b], argmax(logits, b * C, C));
      return;
    }
    const rows = batch.T * batch.B;
    let real = 0;
    for (let r = 0; r < rows; r++) real += batch.mask[r];
    this.lossSum += (this.head === 'sigmoid'
      ? sigmoidCrossEntropy(logits, oneHot(batch.tokenTargets, C), dLogits, rows, C, batch.mask)
      : softmaxCrossEntropy(logits, batch.tokenTargets, dLogits, rows, C, batch.mask)) * real;
    this.lossWeight += real;
    for (let r = 0; r < rows; r++) if (batch.mask[r]) this.count(batch.tokenTargets[r], argmax(logits, r * C, C));
  }

  /** Mean cross-entropy over tokens (tag) or sequences (classify). */
  get loss(): number { return this.lossWeight > 0 ? this.lossSum / this.lossWeight : NaN; }

  get accuracy(): number {
    let right = 0, all = 0;
    for (let k = 0; k < this.C; k++) right += this.counts[k * this.C + k];
    for (const n of this.counts) all += n;
    return all > 0 ? right / all : NaN;
  }

  /**
   * The eval report. Precision, recall and F1 are 0 where undefined (no prediction or no example of
   * the label); macro F1 averages over the labels that occur in the file or the predictions, as
   * scikit-learn's f1_score(average="macro") does.
   */
  report(task: 'tag' | 'classify', labels: readonly string[]): ClassEvalReport {
    const { C, counts } = this;
    const matrix = Array.from({ length: C }, (_, t) => Array.from(counts.subarray(t * C, (t + 1) * C)));
    const scores: Record<string, LabelScores> = {};
    let f1Sum = 0, present = 0;
    for (let k = 0; k < C; k++) {
      const tp = matrix[k][k];
      const support = matrix[k].reduce((a, n) => a + n, 0);
      const predicted = matrix.reduce((a, row) => a + row[k], 0);
      const precision = predicted > 0 ? tp / predicted : 0;
      const recall = support > 0 ? tp / support : 0;
      const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
      scores[labels[k]] = { precision, recall, f1, support };
      if (support > 0 || predicted > 0) { f1Sum += f1; present++; }
    }
    return {
      task, loss: this.loss, accuracy: this.accuracy, macroF1: present > 0 ? f1Sum / present : 0,
      labels: scores, confusion: { labels: [...labels], matrix },
    };
  }

  private count(truth: number, predicted: number): void {
    this.counts[truth * this.C + predicted]++;
  }
}

/** (N) class ids, -1 on padding → (N, C) in {0, 1} for the sigmoid head. */
export function oneHot(targets: Int32Array, C: number): Float32Array {
  const out = new Float32Array(targets.length * C);
  targets.forEach((t, r) => { if (t >= 0) out[r * C + t] = 1; });
  return out;
}

export function argmax(v: ArrayLike<number>, offset: number, n: number): number {
  let best = 0;
  for (let k = 1; k < n; k++) if (v[offset + k] > v[offset + best]) best = k;
  return best;
}
