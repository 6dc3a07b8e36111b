// Validation loss (and token / sequence accuracy for tag and classify) of a model on held-out data,
// forward only. lm: windows over the held-out text with the state carried, at most MAX_LM_WINDOWS.
import { softmaxCrossEntropy, sigmoidCrossEntropy, sequenceCrossEntropy } from '../engine/loss';
import { copyState, type Model, type RecurrentState } from '../engine/model';
import { LmWindows, evalBatches, type Example } from './batching';
import type { IdArray } from './idBuffer';

export const MAX_LM_WINDOWS = 64;

export interface Evaluation {
  readonly loss: number;
  readonly accuracy?: number;       // tag: share of tokens, classify: share of sequences, argmax right
  readonly exactMatch?: number;     // seq2seq: share of searched outputs equal to their target
  readonly bleu?: number;           // seq2seq: corpus BLEU-4, 0..1
}

export function evaluateLm(model: Model, ids: IdArray, batchSize: number, sequenceLength: number): Evaluation {
  const windows = new LmWindows(ids, batchSize, sequenceLength);
  const count = Math.min(windows.windowsPerEpoch, MAX_LM_WINDOWS);
  let state: RecurrentState | undefined;
  let total = 0;
  for (let w = 0; w < count; w++) {
    const win = windows.window(w);
    const out = model.forward({ tokens: win.tokens, T: win.T, B: win.B }, { train: false, state });
    total += softmaxCrossEntropy(out.logits, win.targets, out.dLogits, win.T * win.B, model.spec.outputs);
    state = copyState(out.state, state);
  }
  return { loss: total / count };
}

export function evaluateSequences(model: Model, examples: readonly Example[], batchSize: number): Evaluation {
  const C = model.spec.outputs;
  let lossSum = 0, lossWeight = 0, right = 0, counted = 0;
  for (const batch of evalBatches(examples, batchSize)) {
    const out = model.forward({ tokens: batch.tokens, T: batch.T, B: batch.B, lengths: batch.lengths }, { train: false });
    if (model.spec.manyToOne) {
      lossSum += sequenceCrossEntropy(out.logits, batch.classTargets, out.dLogits, batch.B, C) * batch.B;
      lossWeight += batch.B;
      for (let b = 0; b < batch.B; b++, counted++) if (argmax(out.logits, b * C, C) === batch.classTargets[b]) right++;
      continue;
    }
    const rows = batch.T * batch.B;
    const real = batch.mask.reduce((a, m) => a + m, 0);
    lossSum += (model.spec.head === 'sigmoid'
      ? sigmoidCrossEntropy(out.logits, oneHot(batch.tokenTargets, C), out.dLogits, rows, C, batch.mask)
      : softmaxCrossEntropy(out.logits, batch.tokenTargets, out.dLogits, rows, C, batch.mask)) * real;
    lossWeight += real;
    for (let r = 0; r < rows; r++) {
      if (!batch.mask[r]) continue;
      counted++;
      if (argmax(out.logits, r * C, C) === batch.tokenTargets[r]) right++;
    }
  }
  return { loss: lossSum / lossWeight, accuracy: right / counted };
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
