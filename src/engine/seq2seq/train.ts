// Training a seq2seq model: PyTorch-default initialisation, the session (train-step.ts's, around
// this model), one step (forward with teacher forcing, masked cross-entropy, backward, then the
// shared update) and restoring a session from a checkpoint. No files, no data formats.
//
// Init, walking seq2seqLayout(spec) in buffer order so the same seed fills the same numbers:
//   encoder.*                    as a recurrent model's layers (init.ts): U(±1/√H), peepholes 0
//   decoder.embedding, encoder.embedding   N(0, 1)              (nn.Embedding)
//   decoder.W, .R, .B            U(±1/√Hd), decoder.P 0          (nn.GRUCell / LSTMCell / RNNCell)
//   attention.Ws (A, Hd)         U(±1/√Hd)                       (nn.Linear(Hd, A, bias=False))
//   attention.Wh (A, F)          U(±1/√F)                        (nn.Linear(F, A, bias=False))
//   attention.v (A)              U(±1/√A)                        (nn.Linear(A, 1, bias=False))
//   attention.Wa (Hd, F)         U(±1/√F)                        (nn.Linear(F, Hd, bias=False))
//   head.W (Vt, O), head.b       U(±1/√O)                        (nn.Linear(O, Vt))

import { initParams, type InitOptions } from '../init';
import { softmaxCrossEntropy } from '../loss';
import { Rng } from '../rng';
import { paramLayout, type ModelSpec } from '../spec';
import { allocVec, dtypeOf, type Vec } from '../tensor';
import type { Checkpoint } from '../checkpoint';
import { isSeq2SeqSpec, modelKind } from '../modelKinds';
import {
  applyUpdate, newSession, resumeSession, type StepMetrics, type TrainingOptions, type TrainingSession,
} from '../train-step';
import { createSeq2SeqModel, type Seq2SeqBatch, type Seq2SeqModel } from './model';
import {
  attentionSize, decoderCellSpec, decoderHidden, encoderSpec, headInputSize, memorySize, seq2seqLayout, type Seq2SeqSpec,
} from './spec';

/** The random stream of teacher-forcing draws (the engine's init is 0, dropout 1; the pipeline's 2..7). */
export const TEACHER_STREAM = 8;

export type Seq2SeqSession = TrainingSession<Seq2SeqModel>;

export interface Seq2SeqTrainingOptions extends TrainingOptions {
  readonly teacherForcing?: number;   // default 1
}

/** Fills params (seq2seqLayout(spec) order) in place, PyTorch's defaults (see the header). */
export function initSeq2SeqParams(spec: Seq2SeqSpec, params: Vec, rng: Rng, options: InitOptions = {}): void {
  const layout = seq2seqLayout(spec);
  const byName = new Map(layout.map((e) => [e.name, e]));
  const at = (name: string) => { const e = byName.get(name)!; return params.subarray(e.offset, e.offset + e.size); };
  // The encoder and the decoder cell through init.ts (recurrent layouts), then copied over; their
  // unused heads draw numbers too, which keeps the streams fixed by the layout alone.
  const copyFrom = (sub: ModelSpec, rename: (name: string) => string | null) => {
    const subLayout = paramLayout(sub);
    const last = subLayout[subLayout.length - 1];
    const scratch = allocVec('f64', last.offset + last.size);
    initParams(sub, scratch, rng, options);
    for (const e of subLayout) {
      const name = rename(e.name);
      if (name) at(name).set(scratch.subarray(e.offset, e.offset + e.size));
    }
  };
  copyFrom(encoderSpec(spec), (name) => (name.startsWith('head.') ? null : `encoder.${name}`));
  if (spec.embedding > 0) {
    const table = at('decoder.embedding');
    for (let i = 0; i < table.length; i++) table[i] = rng.normal();
  }
  copyFrom(decoderCellSpec(spec), (name) => (name.startsWith('layer0.') ? `decoder.${name.slice('layer0.'.length)}` : null));
  const uniform = (name: string, fanIn: number) => {
    const v = at(name), bound = 1 / Math.sqrt(fanIn);
    for (let i = 0; i < v.length; i++) v[i] = rng.uniformIn(-bound, bound);
  };
  const Hd = decoderHidden(spec), F = memorySize(spec), A = attentionSize(spec);
  if (spec.attention === 'additive') { uniform('attention.Ws', Hd); uniform('attention.Wh', F); uniform('attention.v', A); }
  if (spec.attention === 'general') uniform('attention.Wa', F);
  uniform('head.W', headInputSize(spec));
  uniform('head.b', headInputSize(spec));
}

export function createSeq2SeqSession(spec: Seq2SeqSpec, options: Seq2SeqTrainingOptions): Seq2SeqSession {
  const session = newSession(createSeq2SeqModel(spec, options.dtype ?? 'f32'), (params, rng) => initSeq2SeqParams(spec, params, rng, options.init), options);
  session.rngs.teacher = new Rng(options.seed, TEACHER_STREAM);
  return session;
}

/** A seq2seq session continuing exactly where the checkpoint left off. */
export function restoreSeq2SeqSession(checkpoint: Checkpoint): Seq2SeqSession {
  const { spec } = checkpoint;
  if (!isSeq2SeqSpec(spec)) throw new Error(`restoreSeq2SeqSession: the checkpoint holds a ${modelKind(spec)} model, not seq2seq`);
  const session = resumeSession(createSeq2SeqModel(spec, dtypeOf(checkpoint.params)), checkpoint);
  if (!session.rngs.teacher) throw new Error('restoreSeq2SeqSession: the checkpoint has no teacher-forcing rng state');
  return session;
}

export interface Seq2SeqStepOptions {
  readonly startToken: number;       // y_0 (RNN Lab: <eos>)
  readonly teacherForcing?: number;  // share of steps fed the true previous token; default 1
  readonly forced?: Uint8Array;      // (Ty, B) the choice made by the caller instead (fixtures)
}

/** One update on a batch: forward with teacher forcing, loss over real target steps, backward, update. */
export function seq2seqTrainStep(session: Seq2SeqSession, batch: Seq2SeqBatch, opts: Seq2SeqStepOptions): StepMetrics {
  const { model } = session;
  model.zeroGrads();
  const out = model.forward(batch, {
    train: true, startToken: opts.startToken, teacherForcing: opts.teacherForcing, forced: opts.forced,
    teacherRng: session.rngs.teacher, rng: session.rngs.dropout,
  });
  const loss = softmaxCrossEntropy(out.logits, batch.target, out.dLogits, batch.Ty * batch.B, model.spec.targetVocab, out.mask);
  model.backward(out.dLogits);
  return { ...applyUpdate(session), loss, dLda: model.dLdaNorms() };
}
