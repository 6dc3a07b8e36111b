// The data feed of a run: one training step on the next batch (lm windows with carried state,
// shuffled padded sequences, or length-bucketed source/target pairs), the cursor a checkpoint keeps,
// and evaluation on held-out data.
import { trainStep, type StepMetrics, type StepTargets } from '../../engine/train-step';
import { seq2seqTrainStep } from '../../engine/seq2seq/train';
import { engineRunner } from '../../engine/seq2seq/search';
import { LmWindows, SequenceBatches, type SequenceBatch } from '../batching';
import { evaluateLm, evaluateSequences, oneHot, type Evaluation } from '../evaluate';
import { LengthBatches } from '../seq2seq/batches';
import { evaluateSeq2Seq, searchTokens } from '../seq2seq/evaluate';
import { isSeq2SeqSession, type OpenRun, type RunExtra } from './runSetup';
import { LINE_BREAK } from '../tokenizer';

/** The data feed of one task: a training step on its next batch, and the cursor for checkpoints. */
export interface Feed {
  /** One update on the next batch: its metrics, the (real) tokens it held, whether it ended an epoch. */
  step(): { metrics: StepMetrics; tokens: number; epochEnded: boolean };
  cursor(): RunExtra['cursor'];
  evaluate(): Evaluation | null;
}

/** Validation of a seq2seq run searches (greedily) at most this many held-out pairs for exact match and BLEU. */
export const MAX_DECODED_VALIDATION = 1000;

export function createFeed(run: OpenRun): Feed {
  const { dataset, config, session } = run;
  if (dataset.task === 'seq2seq') {
    if (!isSeq2SeqSession(session)) throw new Error('createFeed: a seq2seq dataset needs a seq2seq session');
    const batches = new LengthBatches(dataset.train, config.training.batchSize, session.rngs.data);
    const saved = run.extra?.cursor;
    if (saved && 'order' in saved) batches.cursor = saved;
    const { teacherForcing } = config.training, { maxLength, lengthPenalty } = config.sampling;
    return {
      step() {
        const { batch, epochEnded } = batches.nextBatch();
        const metrics = seq2seqTrainStep(session, batch, { startToken: searchTokens.startToken, teacherForcing });
        return { metrics, tokens: batch.targetLengths.reduce((a, n) => a + n, 0), epochEnded };
      },
      cursor: () => batches.cursor,
      evaluate: () => (dataset.validation.length > 0
        ? evaluateSeq2Seq(engineRunner(session.model), dataset.validation, dataset.targetTokenizer, {
          batchSize: config.training.batchSize, maxLength, lengthPenalty, beam: 1, maxDecoded: MAX_DECODED_VALIDATION,
        })
        : null),
    };
  }
  if (isSeq2SeqSession(session)) throw new Error(`createFeed: a ${dataset.task} dataset needs a recurrent session`);
  const batches = recurrentFeed(run);
  return {
    step() {
      const next = batches.next();
      return { metrics: trainStep(session, next.batch, next.targets, next.carry), tokens: next.tokens, epochEnded: next.epochEnded };
    },
    cursor: () => batches.cursor(),
    evaluate: () => batches.evaluate(),
  };
}

/** lm, tag, classify: the next batch and its targets without stepping (what trainStep takes), the cursor, evaluation. */
export interface RecurrentFeed {
  next(): { batch: { tokens: Int32Array; T: number; B: number; lengths?: Int32Array }; targets: StepTargets; carry: boolean; tokens: number; epochEnded: boolean };
  cursor(): RunExtra['cursor'];
  evaluate(): Evaluation | null;
}

export function recurrentFeed(run: OpenRun): RecurrentFeed {
  const { dataset, config, session } = run;
  if (dataset.task === 'seq2seq' || isSeq2SeqSession(session)) throw new Error('recurrentFeed: a seq2seq run has no recurrent batches');
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
      evaluate: () => (validation && validation.length >= 1 ? evaluateLm(model, validation, dataset.tokenizer.idOf(LINE_BREAK)) : null),
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
