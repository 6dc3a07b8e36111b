// Batch-1 stepping on the WASM kernels (sampling: one token at a time, the state carried). Per
// token, a layer is one gemv_p8 of its packed R (and of its packed W above layer 0) and the cell's
// pointwise kernel; layer 0's input projection is a row of a (V, GH) table (the embedding, or the
// one-hot columns of W, projected once with the bias); the head is one more gemv_p8. Model.step
// runs the same equations through the general forward (a window of T = B = 1, with its per-call
// JavaScript); this is what it costs when nothing but the step is left.
//
// The weights are packed, and the table made, at initialState(): a sequence reads the parameters as
// they were when it began (a stepper made before training changes them still starts each new
// sequence on the new values). One plan per engine and model shape, reused by every stepper of
// such a model: the arena never frees, and the trainer makes a stepper for every sample.
//
// L = layers, H = hidden (H % 4 = 0), G = gates (lstm 4, gru 3), GH = G*H, E = embedding, V =
// vocabulary, C = outputs; N8 = N rounded up to a multiple of 8 (packed rows).

import type { Model, RecurrentState } from '../model';
import { gateCount, type ModelSpec } from '../spec';
import type { WasmEngine } from './index';
import { STEP_SPLIT_MIN_MACS, packRows8, packedSize, up8 } from './packRows8';
import { inputBias } from '../layers/recurrent';

/** Layer 0 projects a (V, GH) table at each sequence start when it has at most this many floats (4 MB); larger vocabularies project the token's embedding row at each step. */
const MAX_TABLE_FLOATS = 1 << 20;

interface LayerPlan {
  readonly W: Float32Array | null;    // (GH8, H) packed, layers above 0
  readonly R: Float32Array;           // (GH8, H) packed
  readonly bias: Float32Array;        // (GH8) Wb + Rb (gru: without Rbh, which the cell adds inside r⊙·)
  readonly gates: Float32Array;       // (GH8) pre-activations, then (lstm) activations
  readonly recur: Float32Array;       // (GH8) gru: R·hPrev
  readonly extra: Float32Array;       // (H) lstm tanh(c), gru Rh·hPrev + Rbh
  readonly rbh: Float32Array;         // (H) gru Rbh
}

/** Everything one model's batch-1 steps need, in the engine's arena. */
class StepPlan {
  private readonly L: number; private readonly H: number; private readonly GH: number; private readonly C: number;
  private readonly lstm: boolean;
  private readonly layers: LayerPlan[] = [];
  private readonly table: Float32Array | null;   // (V, GH) layer 0's input projection per token, bias included
  private readonly W0: Float32Array | null;      // (GH8, E) packed, when there is no table
  private readonly x0: Float32Array | null;      // (E rounded up to 4) the token's embedding row
  private readonly head: Float32Array;           // (C8, H) packed
  private readonly headBias: Float32Array;       // (C8)
  private readonly logits: Float32Array;         // (C8); step returns its first C
  private readonly hIn: Float32Array; private readonly hOut: Float32Array;  // (L, H)
  private readonly cIn: Float32Array; private readonly cOut: Float32Array;  // (L, H) lstm

  /** The model whose weights are packed now. */
  private owner: Model | null = null;

  constructor(private readonly spec: ModelSpec, private readonly engine: WasmEngine, alloc: (n: number) => Float32Array) {
    this.L = spec.layers; this.H = spec.hidden; this.GH = gateCount(spec.cell) * spec.hidden; this.C = spec.outputs;
    this.lstm = spec.cell === 'lstm';
    const { L, H, GH, C } = this, V = spec.vocabSize, E = spec.embedding;
    const useTable = V * GH <= MAX_TABLE_FLOATS;
    this.table = useTable ? alloc(V * GH) : null;
    this.W0 = useTable ? null : alloc(packedSize(GH, E));
    this.x0 = useTable ? null : alloc(Math.ceil(E / 4) * 4);
    for (let l = 0; l < L; l++) {
      this.layers.push({
        W: l > 0 ? alloc(packedSize(GH, H)) : null, R: alloc(packedSize(GH, H)), bias: alloc(up8(GH)),
        gates: alloc(up8(GH)), recur: alloc(up8(GH)), extra: alloc(H), rbh: alloc(H),
      });
    }
    this.head = alloc(packedSize(C, H)); this.headBias = alloc(up8(C)); this.logits = alloc(up8(C));
    this.hIn = alloc(L * H); this.hOut = alloc(L * H); this.cIn = alloc(L * H); this.cOut = alloc(L * H);
  }

  /** Supported: f32, one direction, H % 4 = 0, lstm without peepholes or gru with resetAfter, a per-step head, an embedding or a small one-hot vocabulary. */
  static supports(model: Model): boolean {
    const s = model.spec;
    return model.dtype === 'f32' && !s.bidirectional && !s.manyToOne && s.hidden % 4 === 0
      && ((s.cell === 'lstm' && !s.peephole) || (s.cell === 'gru' && s.resetAfter))
      && (s.embedding > 0 || s.vocabSize * gateCount(s.cell) * s.hidden <= MAX_TABLE_FLOATS);
  }

  private get ex() { return this.engine.kernels.exports; }

  /** Packs model's parameters as they are now. */
  pack(model: Model): void {
    this.owner = model;
    const { L, H, GH, C, spec } = this, V = spec.vocabSize, E = spec.embedding;
    const f32 = (name: string) => model.param(name) as Float32Array;
    for (let l = 0; l < L; l++) {
      const p = this.layers[l], B = model.param(`layer${l}.B`), Wb = B.subarray(0, GH), Rb = B.subarray(GH, 2 * GH);
      inputBias(spec, Wb, Rb, p.bias);
      packRows8(f32(`layer${l}.R`), GH, H, p.R);
      if (p.W) packRows8(f32(`layer${l}.W`), GH, H, p.W);
      if (spec.cell === 'gru') p.rbh.set(Rb.subarray(2 * H, 3 * H));
    }
    const W0 = model.param('layer0.W'), bias0 = this.layers[0].bias;
    if (this.table) {
      if (E > 0) {
        // table (V, GH) = embedding (V, E) · W0ᵀ + bias
        this.engine.kernels.gemm(false, true, V, GH, E, 1, model.param('embedding'), 0, E, W0, 0, E, 0, this.table, 0, GH, bias0, 0);
      } else {
        for (let v = 0; v < V; v++) for (let k = 0; k < GH; k++) this.table[v * GH + k] = W0[k * V + v] + bias0[k];
      }
    } else if (this.W0) {
      packRows8(f32('layer0.W'), GH, E, this.W0);
    }
    packRows8(f32('head.W'), C, H, this.head);
    this.headBias.set(model.param('head.b'));
  }

  step(model: Model, token: number, state: RecurrentState): Float32Array {
    const { L, H, GH, lstm, hIn, hOut, cIn, cOut, spec } = this;
    if (this.owner !== model) this.pack(model);
    if (state.B !== 1) throw new Error(`step: state is for a batch of ${state.B}, expected 1 (from initialState(1))`);
    if (!(token >= 0 && token < spec.vocabSize)) throw new Error(`step: token ${token} is outside the vocabulary 0..${spec.vocabSize - 1}`);
    const at = (v: Float32Array, floats = 0): number => v.byteOffset + floats * 4;
    hIn.set(state.h);
    if (lstm && state.c) cIn.set(state.c);
    const GH8 = up8(GH), first = this.layers[0];
    if (this.table) first.gates.set(this.table.subarray(token * GH, (token + 1) * GH));
    else {
      const E = spec.embedding;
      this.x0!.set(model.param('embedding').subarray(token * E, (token + 1) * E));
      this.engine.kernels.gemvPacked(GH8, E, at(this.x0!), at(this.W0!), at(first.gates), at(first.bias), 0);
    }
    for (let l = 0; l < L; l++) {
      const p = this.layers[l], hPrev = at(hIn, l * H), h = at(hOut, l * H);
      // lstm: gates = bias + W·x + R·hPrev; gru: gates = bias + W·x, recur = R·hPrev (the cell resets it).
      const [y, acc] = lstm ? [at(p.gates), 1] : [at(p.recur), 0];
      if (p.W) this.engine.kernels.gemvPacked2(GH8, H, at(hOut, (l - 1) * H), at(p.W), at(p.gates), at(p.bias), 0, H, hPrev, at(p.R), y, 0, acc);
      else this.engine.kernels.gemvPacked(GH8, H, hPrev, at(p.R), y, 0, acc);
      if (lstm) this.ex.lstm_fwd(1, H, at(p.gates), at(cIn, l * H), at(cOut, l * H), at(p.extra), h);
      else this.ex.gru_fwd(1, H, at(p.gates), at(p.recur), at(p.rbh), at(p.extra), h, hPrev);
    }
    this.engine.kernels.gemvPacked(up8(this.C), H, at(hOut, (L - 1) * H), at(this.head), at(this.logits), at(this.headBias), 0);
    state.h.set(hOut);
    if (lstm && state.c) state.c.set(cOut);
    return this.logits.subarray(0, this.C);
  }
}

/** Plans by engine and model shape: a plan's buffers are scratch, packed again at each sequence start, so models of one shape share them (the arena never frees, and a bench or a long session loads many). */
const plans = new WeakMap<WasmEngine, Map<string, StepPlan>>();

/**
 * The model's batch-1 stepper on engine's kernels, or null when the model is outside what the plan
 * covers (StepPlan.supports) or the arena has no room: then Model.step is the stepper.
 */
export function wasmStepper(model: Model, engine: WasmEngine): { step(token: number, state: RecurrentState): Float32Array; initialState(): RecurrentState } | null {
  if (!StepPlan.supports(model)) return null;
  const shape = JSON.stringify(model.spec);
  let byShape = plans.get(engine);
  if (!byShape) plans.set(engine, (byShape = new Map()));
  let plan = byShape.get(shape);
  if (!plan) {
    let full = false;
    const alloc = (n: number): Float32Array => {
      const v = engine.arena.allocF32(n);
      if (!v) { full = true; return new Float32Array(n); }
      return v;
    };
    plan = new StepPlan(model.spec, engine, alloc);
    if (full) return null;
    byShape.set(shape, plan);
  }
  const p = plan;
  return {
    // Another model of this shape may have packed the plan since this sequence began: pack this one's again.
    step: (token, state) => p.step(model, token, state),
    initialState: () => {
      p.pack(model);
      return model.initialState(1);
    },
  };
}

/**
 * Multiply-adds of one batch-1 step of spec, and whether the plan splits any of its products
 * between two threads (worth a second thread only then).
 */
export function stepWork(spec: ModelSpec): { macs: number; splits: boolean } {
  const GH = gateCount(spec.cell) * spec.hidden, H = spec.hidden;
  const products = [spec.embedding > 0 && spec.vocabSize * GH > MAX_TABLE_FLOATS ? GH * spec.embedding : 0, spec.outputs * H];
  for (let l = 0; l < spec.layers; l++) products.push(GH * (H + (l > 0 ? H : 0)));
  return { macs: products.reduce((a, b) => a + b, 0), splits: products.some((p) => p >= STEP_SPLIT_MIN_MACS) };
}
