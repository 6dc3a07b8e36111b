// Sampling from a language model, one token at a time: priming, temperature (0 = greedy argmax),
// top-k, top-p (nucleus), stop tokens and a stop string, seeded. Each generated token costs one
// model step with the state carried (the sequence is never re-run), and no numeric buffer is
// allocated per token. Works against StepModel, which the engine's Model (modelStepper) and the
// onnxruntime backend both implement. C = vocabulary size (logits per step).

import type { Model, RecurrentState } from './model';
import { Rng } from './rng';
import { activeWasmEngine } from './wasm';
import { wasmStepper } from './wasm/stepper';

/** One step of batch 1: feed a token, update state in place, get the next token's logits (C). */
export interface StepModel<S> {
  step(token: number, state: S): ArrayLike<number>;
  initialState(): S;
}

export interface SampleOptions {
  /** Token ids fed before sampling; the logits after the last one give the first sample. Not empty. */
  readonly prime: readonly number[];
  /** Tokens to generate at most. */
  readonly length: number;
  /** Softmax temperature; 0 = greedy (argmax, top-k/top-p ignored). Default 1. */
  readonly temperature?: number;
  /** Keep the k most likely tokens; 0 = all. Default 0. */
  readonly topK?: number;
  /** Keep the smallest set of most likely tokens whose probability reaches p; 1 = all. Default 1. */
  readonly topP?: number;
  /** Tokens never drawn (e.g. <pad>, <unk>: placeholders, not text). */
  readonly excludeTokens?: readonly number[];
  /** Generation ends when one of these is drawn; it is not emitted (e.g. <eos>). */
  readonly stopTokens?: readonly number[];
  /** Generation ends after the token whose text completes this string (that token is emitted). Needs decode. */
  readonly stopString?: string;
  readonly decode?: (token: number) => string;
  /** The random source: rng if given, else a new Rng(seed ?? 0). */
  readonly rng?: Rng;
  readonly seed?: number;
}

/**
 * The engine's model as a StepModel (batch 1, state carried in place): on the WASM kernels, the
 * batch-1 plan (wasm/stepper.ts: the weights read at each initialState), else Model.step.
 */
export function modelStepper(model: Model): StepModel<RecurrentState> {
  const engine = activeWasmEngine();
  return (engine && wasmStepper(model, engine)) ?? { step: (token, state) => model.step(token, state), initialState: () => model.initialState(1) };
}

/** Picks one token from logits (C) with temperature, top-k, top-p; buffers grow once to C and are reused. */
export class TokenPicker {
  private probs = new Float64Array(0);   // (C) unnormalised exp((logit - max) / temperature)
  private order = new Int32Array(0);     // (C) token ids by probability, descending
  private excluded = new Uint8Array(0);  // (C) 1 = never drawn
  private readonly byProbability = (a: number, b: number): number => this.probs[b] - this.probs[a] || a - b;
  /** Probability of the last picked token under the distribution it was drawn from (1 when greedy). */
  lastProbability = 1;

  constructor(
    private readonly rng: Rng,
    private readonly temperature = 1,
    private readonly topK = 0,
    private readonly topP = 1,
    private readonly excludeTokens: readonly number[] = [],
  ) {
    if (!(temperature >= 0) || !Number.isFinite(temperature)) throw new Error(`sampler: temperature must be a finite number ≥ 0, got ${temperature}`);
    if (!Number.isInteger(topK) || topK < 0) throw new Error(`sampler: topK must be an integer ≥ 0 (0 = off), got ${topK}`);
    if (!(topP > 0 && topP <= 1)) throw new Error(`sampler: topP must be in (0, 1] (1 = off), got ${topP}`);
  }

  pick(logits: ArrayLike<number>): number {
    const C = logits.length;
    if (C === 0) throw new Error('sampler: the model returned no logits');
    if (this.excluded.length !== C) {
      this.excluded = new Uint8Array(C);
      for (const t of this.excludeTokens) if (t >= 0 && t < C) this.excluded[t] = 1;
    }
    const excluded = this.excluded;
    let best = -1;
    for (let i = 0; i < C; i++) if (!excluded[i] && (best < 0 || logits[i] > logits[best])) best = i;
    if (best < 0) throw new Error('sampler: every token is excluded');
    if (this.temperature === 0) {
      this.lastProbability = 1;
      return best;
    }
    if (this.probs.length !== C) {
      this.probs = new Float64Array(C);
      this.order = new Int32Array(C);
    }
    const { probs, order } = this;
    const max = logits[best];
    let total = 0;
    for (let i = 0; i < C; i++) total += probs[i] = excluded[i] ? 0 : Math.exp((logits[i] - max) / this.temperature);
    if ((this.topK === 0 || this.topK >= C) && this.topP === 1) {
      return this.draw(probs, null, C, total);
    }
    for (let i = 0; i < C; i++) order[i] = i;
    order.sort(this.byProbability);
    let keep = this.topK > 0 ? Math.min(this.topK, C) : C;
    let kept = 0;
    for (let n = 0; n < keep; n++) kept += probs[order[n]];
    if (this.topP < 1) {
      const threshold = this.topP * kept;
      let cumulative = 0;
      for (let n = 0; n < keep; n++) {
        cumulative += probs[order[n]];
        if (cumulative >= threshold) { keep = n + 1; kept = cumulative; break; }
      }
    }
    return this.draw(probs, order, keep, kept);
  }

  /** Draws among the first `count` tokens (in `order`, or 0..count-1) with weights summing to total. */
  private draw(probs: Float64Array, order: Int32Array | null, count: number, total: number): number {
    const target = this.rng.uniform() * total;
    let cumulative = 0;
    let token = order ? order[0] : 0;
    for (let n = 0; n < count; n++) {
      token = order ? order[n] : n;
      cumulative += probs[token];
      if (target < cumulative) break;
    }
    this.lastProbability = probs[token] / total;
    return token;
  }
}

/** Streams generated token ids: prime, then up to `length` tokens, one model step each. */
export function* sampleTokens<S>(model: StepModel<S>, options: SampleOptions): Generator<number, void, undefined> {
  const { prime, length } = options;
  if (prime.length === 0) throw new Error('sampler: prime must hold at least one token (e.g. <eos> to start fresh)');
  if (!Number.isInteger(length) || length < 0) throw new Error(`sampler: length must be an integer ≥ 0, got ${length}`);
  const stopString = options.stopString ?? '';
  const decode = options.decode;
  if (stopString !== '' && !decode) throw new Error('sampler: stopString needs decode (token id → text)');
  const picker = new TokenPicker(options.rng ?? new Rng(options.seed ?? 0), options.temperature ?? 1, options.topK ?? 0, options.topP ?? 1, options.excludeTokens);
  const stopTokens = new Set(options.stopTokens ?? []);

  const state = model.initialState();
  let logits: ArrayLike<number> = [];
  for (const token of prime) logits = model.step(token, state);
  let tail = ''; // the last stopString.length - 1 characters generated, so a match across tokens is seen
  for (let n = 0; n < length; n++) {
    const token = picker.pick(logits);
    if (stopTokens.has(token)) return;
    yield token;
    if (stopString !== '' && decode) {
      const recent = tail + decode(token);
      if (recent.includes(stopString)) return;
      tail = stopString.length > 1 ? recent.slice(-(stopString.length - 1)) : '';
    }
    if (n + 1 < length) logits = model.step(token, state);
  }
}

/**
 * Callback form: calls onToken for each generated token (return false to stop early) and returns
 * all generated ids.
 */
export function sample<S>(model: StepModel<S>, options: SampleOptions, onToken?: (token: number, index: number) => boolean | void): number[] {
  const out: number[] = [];
  for (const token of sampleTokens(model, options)) {
    out.push(token);
    if (onToken && onToken(token, out.length - 1) === false) break;
  }
  return out;
}
