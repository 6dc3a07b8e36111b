// The sequence kernels (a recurrent layer's window in one call: scripts/wasm/sequence.mjs; one-row
// windows step by step on gemv_p8) against the TypeScript reference (the per-step loop of gemm and
// pointwise kernels, sequenceKernels in src/engine/kernels.ts): a table of shapes, both directions, both variants (FMA and mul+add), the
// layer's output at a column offset with a wider row (as in a bidirectional layer), and dLdaSq.
import * as assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { referenceKernels, type Kernels } from '../../../src/engine/kernels';
import { WasmArena } from '../../../src/engine/wasm/arena';
import { createWasmKernels, type WasmKernels } from '../../../src/engine/wasm/kernels';

setFlagsFromString('--experimental-wasm-relaxed-simd');

interface SeqCase { cell: 'lstm' | 'gru'; T: number; B: number; H: number; reverse: boolean; D: number; sq: boolean }
const cases: SeqCase[] = [
  { cell: 'lstm', T: 1, B: 1, H: 4, reverse: false, D: 1, sq: false },
  { cell: 'lstm', T: 5, B: 3, H: 12, reverse: false, D: 1, sq: true },
  { cell: 'lstm', T: 7, B: 9, H: 20, reverse: true, D: 2, sq: true },
  { cell: 'lstm', T: 6, B: 32, H: 128, reverse: false, D: 1, sq: true },
  { cell: 'lstm', T: 4, B: 5, H: 72, reverse: true, D: 2, sq: false },
  { cell: 'gru', T: 1, B: 1, H: 4, reverse: false, D: 1, sq: true },
  // One-row windows (a stream read in order) on gemv_p8 when G*H % 8 = 0; H = 12 GRU (36) keeps the 4-row kernel.
  { cell: 'lstm', T: 9, B: 1, H: 12, reverse: false, D: 1, sq: true },
  { cell: 'lstm', T: 7, B: 1, H: 20, reverse: true, D: 2, sq: false },
  { cell: 'gru', T: 9, B: 1, H: 8, reverse: false, D: 1, sq: true },
  { cell: 'gru', T: 6, B: 1, H: 16, reverse: true, D: 2, sq: true },
  { cell: 'gru', T: 5, B: 1, H: 12, reverse: false, D: 1, sq: false },
  { cell: 'gru', T: 5, B: 6, H: 12, reverse: true, D: 2, sq: true },
  { cell: 'gru', T: 4, B: 32, H: 256, reverse: false, D: 1, sq: true },
  { cell: 'gru', T: 3, B: 7, H: 100, reverse: false, D: 2, sq: false },
];

/** A pseudo-random float32 buffer (deterministic LCG, values in ±scale). */
function filled(n: number, seed: number, scale = 1): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 2 ** 31 - 1) * scale;
  }
  return out;
}

type Bufs = Record<string, Float32Array>;

/** Runs forward then backward of one case with kernels k on buffers made by `place`; returns every buffer and dLdaSq. */
function run(k: Kernels, c: SeqCase, place: (v: Float32Array) => Float32Array): { b: Bufs; sq: Float64Array | null } {
  const { T, B, H, D } = c, G = c.cell === 'lstm' ? 4 : 3, GH = G * H, DH = D * H, off = c.D === 2 ? H : 0;
  let seed = 1;
  const make = (n: number, scale = 0.5) => place(filled(n, seed++, scale));
  const b: Bufs = {
    gates: make(T * B * GH, 2), hs: make((T + 1) * B * H), cs: make((T + 1) * B * H), extra: make(T * B * H), recur: make(B * GH),
    R: make(GH * H, 0.3), Rb: make(GH, 0.3), out: make(T * B * DH), dOut: make(T * B * DH, 0.2),
    dGates: make(T * B * GH), dRecur: make(T * B * GH), dh: make(B * H, 0.1), dhPrev: make(B * H), dc: make(B * H, 0.1), dcPrev: make(B * H),
  };
  const sq = c.sq ? new Float64Array(T).fill(0.25) : null;
  if (c.cell === 'lstm') {
    k.lstmSequenceForward(T, B, H, c.reverse, b.gates, b.hs, b.cs, b.extra, b.R, b.out, off, DH);
    k.lstmSequenceBackward(T, B, H, c.reverse, b.dOut, off, DH, b.dGates, b.gates, b.extra, b.cs, b.R, b.dh, b.dhPrev, b.dc, b.dcPrev, sq);
  } else {
    k.gruSequenceForward(T, B, H, c.reverse, b.gates, b.hs, b.extra, b.recur, b.R, b.Rb, b.out, off, DH);
    k.gruSequenceBackward(T, B, H, c.reverse, b.dOut, off, DH, b.dGates, b.dRecur, b.gates, b.extra, b.hs, b.R, b.dh, b.dhPrev, sq);
  }
  return { b, sq };
}

function check(k: WasmKernels, arena: WasmArena, c: SeqCase): void {
  const ref = run(referenceKernels, c, (v) => v);
  const got = run(k, c, (v) => { const a = arena.allocF32(v.length)!; a.set(v); return a; });
  // What the window defines: every buffer the forward writes, dGates (and dRecur), dLdaSq. The
  // dh/dc scratch ends in either ping-pong buffer and is not part of the contract.
  const compared = ['gates', 'hs', 'extra', 'out', 'dGates', ...(c.cell === 'lstm' ? ['cs'] : ['dRecur'])];
  for (const name of compared) {
    const r = ref.b[name], g = got.b[name];
    let worst = 0, at = -1;
    for (let i = 0; i < r.length; i++) {
      const err = Math.abs(g[i] - r[i]) / Math.max(1, Math.abs(r[i]));
      if (!(err <= worst)) { worst = err; at = i; }
    }
    // float32 rounding through T steps of H-term dot products and the SIMD exp
    assert.ok(worst <= 2e-5, `${JSON.stringify(c)} ${name}[${at}]: wasm ${g[at]}, reference ${r[at]}`);
  }
  if (ref.sq && got.sq) {
    ref.sq.forEach((v, t) => assert.ok(Math.abs(got.sq![t] - v) <= 1e-5 * Math.max(1, v), `dLdaSq[${t}]: wasm ${got.sq![t]}, reference ${v}`));
  }
}

describe('WASM sequence kernels match the per-step TypeScript reference', () => {
  for (const fma of [false, true]) {
    const arena = new WasmArena();
    const k = createWasmKernels(arena, fma);
    for (const c of cases) it(`${k.name} ${c.cell} ${JSON.stringify(c)}`, () => check(k, arena, c));
    it(`${k.name} H not a multiple of 4, or operands outside the arena: the per-step fallback, same results`, () => {
      check(k, arena, { cell: 'lstm', T: 3, B: 2, H: 6, reverse: false, D: 1, sq: true });
      const c: SeqCase = { cell: 'gru', T: 3, B: 4, H: 8, reverse: true, D: 1, sq: true };
      const ref = run(referenceKernels, c, (v) => v), got = run(k, c, (v) => v.slice());
      ref.b.out.forEach((v, i) => assert.ok(Math.abs(got.b.out[i] - v) <= 1e-5, `out[${i}]`));
    });
  }
});
