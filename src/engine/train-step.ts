// One training step on one minibatch (zero grads, forward, loss, backward, per-group gradient
// norms, clipping, lr schedule, optimizer update) and the session it advances: model, optimizer,
// schedule, clipping, rngs, step count and the state carried across truncated-BPTT windows, with
// checkpoint snapshot/restore so a resumed run gives the same losses. No files, no data formats.
// The session and the update after backward (applyUpdate) serve every model kind: another kind
// (seq2seq/train.ts) writes its own forward/loss/backward and calls newSession, applyUpdate and
// resumeSession.
//
// T = window length, B = batch, C = head outputs.

import { copyState, createModel, type Batch, type Model, type RecurrentState } from './model';
import { sequenceCrossEntropy, sigmoidCrossEntropy, softmaxCrossEntropy } from './loss';
import { createOptimizer, type Optimizer, type OptimizerConfig } from './optim';
import { learningRate, validateSchedule, type ScheduleConfig } from './schedule';
import { ClipCounter, clipGradNorm, clipGradValue, l2Norm, type ClipResult } from './clip';
import { initParams, type InitOptions } from './init';
import { Rng } from './rng';
import { type Checkpoint } from './checkpoint';
import { isRecurrentSpec, modelKind, type AnyModelSpec } from './modelKinds';
import type { ModelSpec, ParamEntry } from './spec';
import { dtypeOf, vecFrom, type DType, type Vec } from './tensor';

/** What the batch is scored against; the mask for padding comes from batch.lengths. */
export type StepTargets =
  | { readonly kind: 'softmax'; readonly targets: Int32Array }         // (T, B) class ids: next token (lm) or tag
  | { readonly kind: 'sigmoid'; readonly targets: ArrayLike<number> }  // (T, B, C) in {0, 1}
  | { readonly kind: 'sequence'; readonly labels: Int32Array };        // (B) one class per sequence (manyToOne)

export interface TrainingOptions {
  readonly optimizer: OptimizerConfig;
  readonly schedule: ScheduleConfig;
  readonly clipNorm?: number;        // clip by global norm when > 0
  readonly clipValue?: number;       // clip each gradient to ±clipValue when > 0 (after the norm clip)
  readonly seed: number;             // init uses stream 0 of the seed, dropout stream 1
  readonly init?: InitOptions;
  readonly dtype?: DType;            // default f32
}

/** Gradient norm of one parameter group: 'embedding', 'layer0', 'layer1', ..., 'head'. */
export interface GroupNorm {
  readonly group: string;
  readonly norm: number;
}

export interface StepMetrics {
  readonly step: number;             // the step just done (0-based)
  readonly loss: number;
  readonly gradNorm: number;         // global ‖g‖ before clipping
  readonly clipped: boolean;
  readonly lr: number;               // the lr this update used
  readonly groupNorms: readonly GroupNorm[]; // before clipping
  readonly dLda: Float64Array;       // (T) ‖∂L/∂a<t>‖ of layer 0
}

export const INIT_STREAM = 0;
export const DROPOUT_STREAM = 1;

/** What a session trains: any model kind with a flat params/grads pair (the recurrent Model is one). */
export interface Trainable {
  readonly spec: AnyModelSpec;
  readonly layout: readonly ParamEntry[];
  readonly params: Vec;
  readonly grads: Vec;
  zeroGrads(): void;
}

export interface TrainingSession<M extends Trainable = Model> {
  readonly model: M;
  readonly optimizer: Optimizer;
  readonly schedule: ScheduleConfig;
  readonly clipNorm: number;
  readonly clipValue: number;
  readonly clipCounter: ClipCounter;
  /** Named random sources saved in checkpoints; 'dropout' is the engine's; callers may add (e.g. 'data'). */
  readonly rngs: Record<string, Rng>;
  /** Optimizer updates done; the next update uses learningRate(schedule, step). */
  step: number;
  /** Final state of the last window when carrying (truncated BPTT); null = start from zeros. */
  carried: RecurrentState | null;
}

export function createTrainingSession(spec: ModelSpec, options: TrainingOptions): TrainingSession {
  return newSession(createModel(spec, options.dtype ?? 'f32'), (params, rng) => initParams(spec, params, rng, options.init), options);
}

/** A fresh session around any model; init fills its params from the init stream of the seed. */
export function newSession<M extends Trainable>(model: M, init: (params: Vec, rng: Rng) => void, options: TrainingOptions): TrainingSession<M> {
  validateSchedule(options.schedule);
  init(model.params, new Rng(options.seed, INIT_STREAM));
  return {
    model,
    optimizer: createOptimizer(options.optimizer, model.params, model.grads),
    schedule: options.schedule,
    clipNorm: options.clipNorm ?? 0,
    clipValue: options.clipValue ?? 0,
    clipCounter: new ClipCounter(),
    rngs: { dropout: new Rng(options.seed, DROPOUT_STREAM) },
    step: 0,
    carried: null,
  };
}

/**
 * One update. carryState: start from the state the last carrying step left (zeros the first time,
 * after session.carried = null, or when the batch size changed) and keep this window's final state
 * for the next (language models over a long text); false: every sequence starts from zeros
 * (tagging, classification). No gradient flows into the carried state (truncated BPTT).
 */
export function trainStep(session: TrainingSession, batch: Batch, targets: StepTargets, carryState = false): StepMetrics {
  const { model } = session;
  const { spec } = model;
  const C = spec.outputs;
  const initial = carryState && session.carried && session.carried.B === batch.B ? session.carried : undefined;

  model.zeroGrads();
  const out = model.forward(batch, { train: true, state: initial, rng: session.rngs.dropout });
  let loss: number;
  switch (targets.kind) {
    case 'softmax':
      expectLength('softmax targets', targets.targets.length, batch.T * batch.B, '(T, B)');
      loss = softmaxCrossEntropy(out.logits, targets.targets, out.dLogits, batch.T * batch.B, C, out.mask);
      break;
    case 'sigmoid':
      expectLength('sigmoid targets', targets.targets.length, batch.T * batch.B * C, '(T, B, C)');
      loss = sigmoidCrossEntropy(out.logits, targets.targets, out.dLogits, batch.T * batch.B, C, out.mask);
      break;
    case 'sequence':
      expectLength('sequence labels', targets.labels.length, batch.B, '(B)');
      loss = sequenceCrossEntropy(out.logits, targets.labels, out.dLogits, batch.B, C);
      break;
    default: {
      const unknown: never = targets;
      throw new Error(`trainStep: unknown targets kind ${JSON.stringify((unknown as { kind: unknown }).kind)}`);
    }
  }
  if (carryState) keepState(session, out.state);
  model.backward(out.dLogits);
  return { ...applyUpdate(session), loss, dLda: model.dLdaNorms() };
}

/** What applyUpdate reports: StepMetrics without the loss and ‖∂L/∂a<t>‖, which the caller knows. */
export type UpdateMetrics = Omit<StepMetrics, 'loss' | 'dLda'>;

/**
 * After backward (grads hold this step's gradient): per-group norms, clipping, the scheduled lr,
 * the optimizer update and the step count. Shared by every model kind's training step.
 */
export function applyUpdate(session: TrainingSession<Trainable>): UpdateMetrics {
  const { model } = session;
  const groupNorms = gradientGroupNorms(model);
  // The groups tile the layout: the global norm from theirs, without a second pass over the gradients.
  const norm = Math.sqrt(groupNorms.reduce((sum, g) => sum + g.norm * g.norm, 0));
  let clip: ClipResult = { norm, clipped: false };
  if (session.clipNorm > 0) clip = clipGradNorm(model.grads, session.clipNorm, norm);
  if (session.clipValue > 0) {
    const byValue = clipGradValue(model.grads, session.clipValue);
    clip = { norm: clip.norm, clipped: clip.clipped || byValue.clipped };
  }
  session.clipCounter.record(clip);

  const lr = learningRate(session.schedule, session.step);
  session.optimizer.step(lr);
  const step = session.step++;
  return { step, gradNorm: clip.norm, clipped: clip.clipped, lr, groupNorms };
}

function expectLength(what: string, got: number, expected: number, shape: string): void {
  if (got !== expected) throw new Error(`trainStep: ${what} has ${got} values, expected ${shape} = ${expected}`);
}

/** Copies the window's final state into the session's own buffers (the model reuses its). */
function keepState(session: TrainingSession, state: RecurrentState): void {
  session.carried = copyState(state, session.carried);
}

const copyVec = (v: Vec): Vec => vecFrom(dtypeOf(v), v);

/** ‖g‖ per group of consecutive layout entries sharing a name prefix (embedding, layer{l}, head; seq2seq: encoder, decoder, attention, head). */
export function gradientGroupNorms(model: Trainable): GroupNorm[] {
  const norms: GroupNorm[] = [];
  let group = '', start = 0, end = 0;
  const flush = () => { if (group) norms.push({ group, norm: l2Norm(model.grads, start, end - start) }); };
  for (const entry of model.layout) {
    const name = entry.name.split('.')[0];
    if (name !== group) { flush(); group = name; start = entry.offset; }
    end = entry.offset + entry.size;
  }
  flush();
  return norms;
}

/** Everything needed to resume, copied; pass `extra` (JSON) for the caller's own position (data cursor...). */
export function snapshotSession(session: TrainingSession<Trainable>, extra: unknown = null): Checkpoint {
  const rngs: Record<string, ReturnType<Rng['getState']>> = {};
  for (const [name, rng] of Object.entries(session.rngs)) rngs[name] = rng.getState();
  return {
    spec: session.model.spec,
    params: copyVec(session.model.params),
    step: session.step,
    optimizer: { config: session.optimizer.config, state: session.optimizer.exportState() },
    schedule: session.schedule,
    clip: { maxNorm: session.clipNorm || null, maxValue: session.clipValue || null, steps: session.clipCounter.steps, clipped: session.clipCounter.clipped },
    rngs,
    states: session.carried ? { carried: copyState(session.carried) } : {},
    extra,
  };
}

/** A session continuing exactly where the checkpoint's left off (model in the checkpoint's dtype). */
export function restoreSession(checkpoint: Checkpoint): TrainingSession {
  const { spec } = checkpoint;
  if (!isRecurrentSpec(spec)) throw new Error(`restoreSession: the checkpoint holds a ${modelKind(spec)} model; restore it with its own kind's session`);
  return resumeSession(createModel(spec, dtypeOf(checkpoint.params)), checkpoint);
}

/** A session around `model` (built for checkpoint.spec, in its dtype) continuing where the checkpoint left off. */
export function resumeSession<M extends Trainable>(model: M, checkpoint: Checkpoint): TrainingSession<M> {
  const { optimizer, schedule } = checkpoint;
  if (!optimizer || !schedule) throw new Error('restoreSession: the checkpoint has no optimizer state or schedule (weights only?)');
  validateSchedule(schedule);
  if (model.params.length !== checkpoint.params.length) {
    throw new Error(`restoreSession: the model has ${model.params.length} parameters, the checkpoint ${checkpoint.params.length}`);
  }
  model.params.set(checkpoint.params);
  const opt = createOptimizer(optimizer.config, model.params, model.grads);
  opt.importState(optimizer.state);
  const clipCounter = new ClipCounter();
  clipCounter.steps = checkpoint.clip?.steps ?? 0;
  clipCounter.clipped = checkpoint.clip?.clipped ?? 0;
  const rngs: Record<string, Rng> = {};
  for (const [name, state] of Object.entries(checkpoint.rngs)) {
    rngs[name] = new Rng(0);
    rngs[name].setState(state);
  }
  if (!rngs.dropout) throw new Error('restoreSession: the checkpoint has no dropout rng state');
  const carried = checkpoint.states.carried ?? null;
  return {
    model,
    optimizer: opt,
    schedule,
    clipNorm: checkpoint.clip?.maxNorm ?? 0,
    clipValue: checkpoint.clip?.maxValue ?? 0,
    clipCounter,
    rngs,
    step: checkpoint.step,
    carried: carried ? copyState(carried) : null,
  };
}
