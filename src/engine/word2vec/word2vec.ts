// A word2vec training session: the two tables, the example stream, the negative table, the
// learning rate and one step. No files: the pipeline gives the corpus and the counts.
//
// V = vocabulary, E = embedding width. params (2, V, E) = [Win; Wout] in one buffer, as spec.ts's
// layout names them: embedding (Win, the input vectors kept) and context (Wout, word2vec's syn1neg).
// Init as word2vec.c: Win uniform in [−0.5/E, 0.5/E), Wout zero.
// Learning rate as word2vec.c: linear from lr₀ at the first step to lr₀·1e-4 at the last,
//   lr(step) = lr₀ · max(1e-4, 1 − step / totalSteps).

import { Rng, type RngState } from '../rng';
import { allocVec, type DType, type Vec } from '../tensor';
import { ExampleStream, type StreamCursor } from './examples';
import { AliasTable, keepProbabilities } from './sampling';
import { sgnsSgdUpdate, type SgnsBatch } from './sgns';
import type { Word2VecSpec } from './spec';

export interface Word2VecOptions {
  readonly learningRate: number;   // lr₀
  readonly totalSteps: number;
  readonly batchPairs: number;     // (centre, context) pairs per step
  readonly window: number;
  readonly negatives: number;      // K
  readonly subsample: number;      // 0 = keep every word
  readonly seed: number;
  readonly dtype?: DType;          // default f32
}

/** The update a step runs (the TypeScript reference, or a WASM kernel with the same contract). */
export type SgdUpdate = (Win: Vec, Wout: Vec, h: Vec, dh: Vec, batch: SgnsBatch, E: number, lr: number) => number;

let update: SgdUpdate = sgnsSgdUpdate;
/** Installs another implementation of sgnsSgdUpdate; null restores the reference. */
export function setSgdUpdate(next: SgdUpdate | null): void {
  update = next ?? sgnsSgdUpdate;
}

export const INIT_STREAM = 0;
export const NEGATIVE_STREAM = 1;
const MIN_LR_RATIO = 1e-4;

export interface Word2VecSession {
  readonly spec: Word2VecSpec;
  readonly options: Word2VecOptions;
  readonly params: Vec;   // (2, V, E)
  readonly Win: Vec;      // (V, E), a view of params
  readonly Wout: Vec;     // (V, E), a view of params
  readonly rng: Rng;      // negatives
  readonly stream: ExampleStream;
  readonly table: AliasTable;
  step: number;
  readonly scratch: { readonly h: Vec; readonly dh: Vec };
}

/** What a checkpoint keeps to resume exactly. */
export interface Word2VecState {
  readonly params: Vec;
  readonly step: number;
  readonly rng: RngState;
  readonly cursor: StreamCursor;
}

export interface Word2VecStep {
  readonly step: number;          // the step just done, 0-based
  readonly loss: number;          // mean SGNS loss per example, before its update
  readonly lr: number;
  readonly pairs: number;
  readonly passesEnded: number;
}

export const word2vecLearningRate = (lr0: number, step: number, totalSteps: number): number =>
  lr0 * Math.max(MIN_LR_RATIO, 1 - step / totalSteps);

function checkOptions(spec: Word2VecSpec, o: Word2VecOptions, counts: ArrayLike<number>): void {
  const whole = (name: string, v: number, min: number) => {
    if (!Number.isInteger(v) || v < min) throw new Error(`word2vec: ${name} must be a whole number ≥ ${min}, got ${v}`);
  };
  whole('vocabSize', spec.vocabSize, 1);
  whole('embedding', spec.embedding, 1);
  whole('totalSteps', o.totalSteps, 1);
  whole('batchPairs', o.batchPairs, 1);
  if (!(o.learningRate > 0)) throw new Error(`word2vec: learningRate must be > 0, got ${o.learningRate}`);
  if (!(o.subsample >= 0)) throw new Error(`word2vec: subsample must be ≥ 0, got ${o.subsample}`);
  if (counts.length !== spec.vocabSize) throw new Error(`word2vec: ${counts.length} counts for a vocabulary of ${spec.vocabSize}`);
}

/**
 * A session over `corpus` (ids, -1 between sentences) with the vocabulary's `counts` (V); from
 * scratch, or continuing `state` (a checkpoint's).
 */
export function createWord2VecSession(spec: Word2VecSpec, options: Word2VecOptions, corpus: Int32Array, counts: ArrayLike<number>, state?: Word2VecState): Word2VecSession {
  checkOptions(spec, options, counts);
  const V = spec.vocabSize, E = spec.embedding;
  const dtype = options.dtype ?? 'f32';
  const params = allocVec(dtype, 2 * V * E);
  const rng = new Rng(options.seed, NEGATIVE_STREAM);
  if (state) {
    if (state.params.length !== params.length) throw new Error(`word2vec: the state has ${state.params.length} parameters, the spec needs 2·V·E = ${params.length}`);
    params.set(state.params);
    rng.setState(state.rng);
  } else {
    const init = new Rng(options.seed, INIT_STREAM);
    const bound = 0.5 / E;
    for (let i = 0; i < V * E; i++) params[i] = init.uniformIn(-bound, bound);
  }
  const keep = keepProbabilities(counts, options.subsample);
  const stream = new ExampleStream(corpus, { method: spec.method, window: options.window, negatives: options.negatives, keep, seed: options.seed }, state?.cursor);
  return {
    spec, options, params, rng, stream, table: new AliasTable(counts, 0.75), step: state?.step ?? 0,
    Win: params.subarray(0, V * E), Wout: params.subarray(V * E, 2 * V * E),
    scratch: { h: allocVec(dtype, E), dh: allocVec(dtype, E) },
  };
}

/** One step: the next batch of about batchPairs pairs, word2vec's SGD on it. */
export function word2vecStep(session: Word2VecSession): Word2VecStep {
  const { options } = session;
  const batch = session.stream.next(options.batchPairs, session.table, session.rng);
  const lr = word2vecLearningRate(options.learningRate, session.step, options.totalSteps);
  const loss = update(session.Win, session.Wout, session.scratch.h, session.scratch.dh, batch, session.spec.embedding, lr);
  const step = session.step++;
  return { step, loss: loss / Math.max(1, batch.N), lr, pairs: batch.pairs, passesEnded: batch.passesEnded };
}

export function word2vecState(session: Word2VecSession): Word2VecState {
  return { params: session.params.slice(), step: session.step, rng: session.rng.getState(), cursor: session.stream.cursor() };
}
