// Decoding a seq2seq model: greedy (a batch of sources at once) and beam search (one source, width
// K), over Seq2SeqRunner, which the engine's model (engineRunner) and the onnxruntime backend
// (src/onnx/seq2seqOrt.ts) both implement, so `--backend ort` runs the very same search.
//
// Scores: log P(y | x) = Σ_t log softmax(logits_t)[y_t] over the output and its <eos>; candidates are
// ranked by the length-normalised score log P / T_y^α (T_y = output tokens + the <eos>; α =
// lengthPenalty; α = 0 ranks by log P). Beam search keeps the K best live hypotheses by log P at each
// step; a hypothesis that emits <eos> among the K best expansions is finished; the search stops when
// K are finished or at maxLength (unfinished hypotheses then compete with their own length).
// Tokens in excludeTokens (<pad>, <unk>) are never emitted; log P stays the model's full softmax.
//
// Tx = source steps, K = rows stepped together (hypotheses or sources), V = target vocabulary.

import { selectStateRows, type DecoderState, type EncodedSources, type Seq2SeqModel } from './model';
import { decoderHidden } from './spec';

/** One decoder step for K rows at a time; M is the encoded memory, S a decoder state of K rows. */
export interface Seq2SeqRunner<M, S> {
  readonly targetVocab: number;
  /** Encodes B time-major sources (Tx, B) of the given lengths; state has one row per source. */
  encode(source: Int32Array, Tx: number, B: number, lengths: Int32Array): { memory: M; state: S };
  /** Row k reads source rowOf[k] and feeds token prev[k]; returns logits (K, V), attention (K, Tx) or null, the next state. */
  step(memory: M, rowOf: Int32Array, prev: Int32Array, state: S): { logits: ArrayLike<number>; attention: ArrayLike<number> | null; state: S };
  /** A state of rows.length rows, row k a copy of state's row rows[k]. */
  selectRows(state: S, rows: ArrayLike<number>): S;
}

export interface SearchOptions {
  readonly startToken: number;                 // y_0 (RNN Lab: <eos>)
  readonly eosToken: number;
  readonly maxLength: number;                  // output tokens at most, <eos> not counted
  readonly lengthPenalty?: number;             // α, default DEFAULT_LENGTH_PENALTY; 0 = raw log P
  readonly excludeTokens?: readonly number[];  // never emitted
}

export interface Translation {
  readonly tokens: number[];                   // the output, without <eos>
  readonly logProb: number;                    // Σ log P, the <eos> included when finished
  readonly score: number;                      // logProb / T_y^α
  readonly finished: boolean;                  // ended with <eos> (else cut at maxLength)
  readonly attention: number[][];              // one row per output token, over the source's real steps; [] rows for none
}

export const DEFAULT_LENGTH_PENALTY = 0.7;

/** The engine's model as a runner. */
export function engineRunner(model: Seq2SeqModel): Seq2SeqRunner<EncodedSources, DecoderState> {
  return {
    targetVocab: model.spec.targetVocab,
    encode: (source, Tx, B, lengths) => { const memory = model.encode(source, Tx, B, lengths); return { memory, state: memory.state }; },
    step: (memory, rowOf, prev, state) => {
      const out = model.decodeStep(memory, rowOf, prev, state);
      return { logits: out.logits, attention: out.attention.length ? out.attention : null, state: out.state };
    },
    selectRows: (state, rows) => selectStateRows(state, rows, decoderHidden(model.spec)),
  };
}

const score = (logProb: number, length: number, alpha: number) => logProb / Math.pow(Math.max(1, length), alpha);

function checkOptions(opts: SearchOptions, V: number): void {
  if (!(Number.isInteger(opts.maxLength) && opts.maxLength >= 1)) throw new Error(`seq2seq search: maxLength must be a whole number ≥ 1, got ${opts.maxLength}`);
  for (const [name, id] of [['startToken', opts.startToken], ['eosToken', opts.eosToken]] as const) {
    if (!(Number.isInteger(id) && id >= 0 && id < V)) throw new Error(`seq2seq search: ${name} ${id} is outside the target vocabulary 0..${V - 1}`);
  }
  const alpha = opts.lengthPenalty ?? DEFAULT_LENGTH_PENALTY;
  if (!(alpha >= 0 && Number.isFinite(alpha))) throw new Error(`seq2seq search: lengthPenalty must be a number ≥ 0, got ${alpha}`);
}

/** log softmax of row k of logits (K, V) into out (V). */
function logSoftmaxRow(logits: ArrayLike<number>, k: number, V: number, out: Float64Array): void {
  let max = -Infinity;
  for (let v = 0; v < V; v++) max = Math.max(max, logits[k * V + v]);
  let sum = 0;
  for (let v = 0; v < V; v++) sum += Math.exp(logits[k * V + v] - max);
  const logZ = max + Math.log(sum);
  for (let v = 0; v < V; v++) out[v] = logits[k * V + v] - logZ;
}

const attentionRow = (attention: ArrayLike<number> | null, k: number, Tx: number, len: number): number[] =>
  attention ? Array.from({ length: len }, (_, j) => attention[k * Tx + j]) : [];

/** Greedy decoding of B sources (Tx, B) at once: the argmax at every step. */
export function greedySearch<M, S>(runner: Seq2SeqRunner<M, S>, source: Int32Array, Tx: number, B: number, lengths: Int32Array, opts: SearchOptions): Translation[] {
  const V = runner.targetVocab;
  checkOptions(opts, V);
  const alpha = opts.lengthPenalty ?? DEFAULT_LENGTH_PENALTY;
  const excluded = new Set(opts.excludeTokens ?? []);
  const enc = runner.encode(source, Tx, B, lengths);
  const tokens: number[][] = Array.from({ length: B }, () => []);
  const attention: number[][][] = Array.from({ length: B }, () => []);
  const logProb = new Float64Array(B);
  const finished = new Uint8Array(B);
  const logp = new Float64Array(V);
  let active = Int32Array.from({ length: B }, (_, b) => b);   // source of each live row
  let state = enc.state;
  let prev = new Int32Array(B).fill(opts.startToken);
  for (let t = 0; t < opts.maxLength && active.length > 0; t++) {
    const res = runner.step(enc.memory, active, prev, state);
    const keep: number[] = [], next: number[] = [];
    for (let k = 0; k < active.length; k++) {
      const b = active[k];
      logSoftmaxRow(res.logits, k, V, logp);
      let best = -1;
      for (let v = 0; v < V; v++) if (!excluded.has(v) && (best < 0 || logp[v] > logp[best])) best = v;
      logProb[b] += logp[best];
      if (best === opts.eosToken) { finished[b] = 1; continue; }
      tokens[b].push(best);
      attention[b].push(attentionRow(res.attention, k, Tx, lengths[b]));
      keep.push(k);
      next.push(best);
    }
    if (keep.length === 0) break;
    state = keep.length === active.length ? res.state : runner.selectRows(res.state, keep);
    active = Int32Array.from(keep, (k) => active[k]);
    prev = Int32Array.from(next);
  }
  return tokens.map((out, b) => ({
    tokens: out, logProb: logProb[b], finished: !!finished[b], attention: attention[b],
    score: score(logProb[b], out.length + (finished[b] ? 1 : 0), alpha),
  }));
}

interface Hypothesis { readonly tokens: number[]; readonly logProb: number; readonly attention: number[][] }

/** Beam search of width `beam` for one source (ids of length Tx); candidates best first (at most `beam`). */
export function beamSearch<M, S>(runner: Seq2SeqRunner<M, S>, source: ArrayLike<number>, beam: number, opts: SearchOptions): Translation[] {
  const V = runner.targetVocab;
  checkOptions(opts, V);
  if (!(Number.isInteger(beam) && beam >= 1)) throw new Error(`seq2seq search: beam must be a whole number ≥ 1, got ${beam}`);
  if (source.length < 1) throw new Error('seq2seq search: the source has no tokens');
  const alpha = opts.lengthPenalty ?? DEFAULT_LENGTH_PENALTY;
  const excluded = new Set(opts.excludeTokens ?? []);
  const Tx = source.length;
  const enc = runner.encode(Int32Array.from(source), Tx, 1, Int32Array.of(Tx));
  let live: Hypothesis[] = [{ tokens: [], logProb: 0, attention: [] }];
  let state = enc.state;
  const done: Translation[] = [];
  const logp = new Float64Array(V);
  for (let t = 0; t < opts.maxLength && live.length > 0 && done.length < beam; t++) {
    const K = live.length;
    const prev = Int32Array.from(live, (h) => (h.tokens.length ? h.tokens[h.tokens.length - 1] : opts.startToken));
    const res = runner.step(enc.memory, new Int32Array(K), prev, state);
    const expansions: { k: number; v: number; logProb: number }[] = [];
    for (let k = 0; k < K; k++) {
      logSoftmaxRow(res.logits, k, V, logp);
      for (let v = 0; v < V; v++) if (!excluded.has(v)) expansions.push({ k, v, logProb: live[k].logProb + logp[v] });
    }
    // Ties (rare) go to the lower row, then the lower token id, so both backends break them alike.
    expansions.sort((a, b) => b.logProb - a.logProb || a.k - b.k || a.v - b.v);
    const next: Hypothesis[] = [], rows: number[] = [];
    for (let rank = 0; rank < expansions.length && next.length < beam; rank++) {
      const e = expansions[rank], h = live[e.k];
      if (e.v === opts.eosToken) {
        if (rank < beam) done.push({ tokens: h.tokens, logProb: e.logProb, finished: true, attention: h.attention, score: score(e.logProb, h.tokens.length + 1, alpha) });
        continue;
      }
      next.push({ tokens: [...h.tokens, e.v], logProb: e.logProb, attention: [...h.attention, attentionRow(res.attention, e.k, Tx, Tx)] });
      rows.push(e.k);
    }
    live = next;
    if (live.length > 0) state = runner.selectRows(res.state, rows);
  }
  if (done.length < beam) {
    for (const h of live) done.push({ tokens: h.tokens, logProb: h.logProb, finished: false, attention: h.attention, score: score(h.logProb, h.tokens.length, alpha) });
  }
  return done.sort((a, b) => b.score - a.score).slice(0, beam);
}
