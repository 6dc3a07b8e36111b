// The data feed of a run: the next training batch and its targets (lm windows with carried state,
// or shuffled padded sequences), the cursor a checkpoint keeps, and evaluation on held-out data.
import type { StepTargets } from '../../engine/train-step';
import { LmWindows, SequenceBatches, type SequenceBatch } from '../batching';
import { evaluateLm, evaluateSequences, oneHot, type Evaluation } from '../evaluate';
import type { OpenRun, RunExtra } from './runSetup';

/** The data feed of one task: next training batch + its targets, and the cursor for checkpoints. */
export interface Feed {
  next(): { batch: { tokens: Int32Array; T: number; B: number; lengths?: Int32Array }; targets: StepTargets; carry: boolean; tokens: number; epochEnded: boolean };
  cursor(): RunExtra['cursor'];
  evaluate(): Evaluation | null;
}

export function createFeed(run: OpenRun): Feed {
  const { dataset, config, session } = run;
  const { batchSize, sequenceLength } = config.training;
  const model = session.model;
  if (dataset.task === 'lm') {
    const windows = new LmWindows(dataset.train, batchSize, sequenceLength);
    const saved = run.extra?.cursor;
    if (saved && 'lmPosition' in saved) windows.position = saved.lmPosition;
    const validation = dataset.validation;
    return {
      next() {
        const { window, epochEnded } = windows.nextWindow();
        // A new epoch starts the streams from a zero state.
        if (window.resetState) session.carried = null;
        return { batch: window, targets: { kind: 'softmax', targets: window.targets }, carry: true, tokens: window.T * window.B, epochEnded };
      },
      cursor: () => ({ lmPosition: windows.position }),
      evaluate: () => (validation && validation.length >= 2 ? evaluateLm(model, validation, batchSize, sequenceLength) : null),
    };
  }
  const batches = new SequenceBatches(dataset.train, batchSize, session.rngs.data);
  const saved = run.extra?.cursor;
  if (saved && 'order' in saved) batches.cursor = saved;
  const sigmoid = model.spec.head === 'sigmoid';
  const targetsOf = (b: SequenceBatch): StepTargets => dataset.task === 'classify'
    ? { kind: 'sequence', labels: b.classTargets }
    : sigmoid ? { kind: 'sigmoid', targets: oneHot(b.tokenTargets, model.spec.outputs) } : { kind: 'softmax', targets: b.tokenTargets };
  return {
    next() {
      const { batch, epochEnded } = batches.nextBatch();
      return { batch, targets: targetsOf(batch), carry: false, tokens: batch.lengths.reduce((a, n) => a + n, 0), epochEnded };
    },
    cursor: () => batches.cursor,
    evaluate: () => (dataset.validation.length > 0 ? evaluateSequences(model, dataset.validation, batchSize) : null),
  };
}
