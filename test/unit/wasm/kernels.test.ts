// The WebAssembly SIMD kernels against the TypeScript reference kernels: a table of shapes (odd
// sizes, every transpose, offsets, padded leading dimensions, alpha/beta), both variants (fused
// multiply-add and mul+add), operands inside the arena and outside it (copied through scratch).
import * as assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { kernels, referenceKernels, type Kernels } from '../../../src/engine/kernels';
import { allocVec } from '../../../src/engine/tensor';
import { restoreReferenceKernels, useWasmKernels } from '../../../src/engine/wasm';
import { WasmArena } from '../../../src/engine/wasm/arena';
import { WebAssemblyApi } from '../../../src/engine/wasm/webassembly';
import { createWasmKernels, runtimeHasRelaxedSimd, type WasmKernels } from '../../../src/engine/wasm/kernels';

// Node 20 has relaxed SIMD behind a flag; later runtimes ship it. Either way both variants run here.
setFlagsFromString('--experimental-wasm-relaxed-simd');

interface GemmCase {
  transA: boolean; transB: boolean; M: number; N: number; K: number;
  alpha?: number; beta?: number; pad?: number; off?: number; inArena?: boolean; bias?: boolean;
}

const cases: GemmCase[] = [
  { transA: false, transB: false, M: 1, N: 1, K: 1 },
  { transA: false, transB: false, M: 4, N: 8, K: 3 },
  { transA: false, transB: false, M: 7, N: 13, K: 5, alpha: 0.5, beta: 1 },
  { transA: false, transB: false, M: 33, N: 67, K: 17, pad: 3, off: 5, beta: 0.25 },
  { transA: true, transB: false, M: 9, N: 12, K: 31, pad: 1, off: 2 },
  { transA: true, transB: false, M: 64, N: 36, K: 40, alpha: -1, beta: 1 },
  { transA: false, transB: true, M: 1, N: 5, K: 7 },
  // M < 4 with transB: gemv_nt, eight rows of B at a time, then four, then one
  { transA: false, transB: true, M: 1, N: 37, K: 19 },
  { transA: false, transB: true, M: 1, N: 768, K: 256, beta: 1 },
  { transA: false, transB: true, M: 2, N: 8, K: 4, alpha: -0.5 },
  { transA: false, transB: true, M: 3, N: 20, K: 65, pad: 3, off: 2, beta: 0.5 },
  { transA: false, transB: true, M: 5, N: 3, K: 4, beta: 0 },
  { transA: false, transB: true, M: 32, N: 512, K: 128, beta: 1 },
  { transA: false, transB: true, M: 11, N: 9, K: 66, pad: 2, off: 3, alpha: 2, beta: 0.5 },
  { transA: true, transB: true, M: 6, N: 5, K: 7, off: 1 },
  { transA: true, transB: true, M: 20, N: 9, K: 300, alpha: 0.5, beta: 1, pad: 1 },
  { transA: false, transB: false, M: 9, N: 1030, K: 5, off: 7 },
  { transA: false, transB: true, M: 130, N: 13, K: 261, pad: 2, beta: 0.5 },
  { transA: true, transB: false, M: 67, N: 20, K: 515, off: 1 },
  { transA: false, transB: false, M: 3, N: 4, K: 0, beta: 0.5 },
  { transA: false, transB: true, M: 0, N: 4, K: 3 },
  { transA: false, transB: false, M: 6, N: 10, K: 9, inArena: false, off: 4, pad: 1, beta: 1 },
  // beta = 0 with a bias: the packed kernels write C and add the bias in their first K block
  { transA: false, transB: true, M: 37, N: 29, K: 300, bias: true, pad: 2, off: 1 },
  { transA: false, transB: true, M: 64, N: 96, K: 128, bias: true },
  { transA: true, transB: false, M: 20, N: 13, K: 70, bias: true, alpha: 0.5 },
  { transA: false, transB: false, M: 9, N: 1030, K: 5, bias: true, off: 3 },
  { transA: false, transB: true, M: 2, N: 11, K: 6, bias: true },
  { transA: false, transB: true, M: 12, N: 16, K: 8, bias: true, beta: 0.5 },
  { transA: false, transB: true, M: 12, N: 16, K: 8, bias: true, inArena: false },
  { transA: false, transB: true, M: 6, N: 10, K: 9, inArena: false, beta: 0 },
];

/** A pseudo-random float32 buffer (deterministic LCG, values in [-1, 1)). */
function filled(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

function checkGemm(k: WasmKernels, arena: WasmArena, c: GemmCase): void {
  const { transA, transB, M, N, K } = c;
  const alpha = c.alpha ?? 1, beta = c.beta ?? 0, pad = c.pad ?? 0, off = c.off ?? 0;
  const [aRows, aCols] = transA ? [K, M] : [M, K];
  const [bRows, bCols] = transB ? [N, K] : [K, N];
  const lda = aCols + pad, ldb = bCols + pad, ldc = N + pad;
  const place = (src: Float32Array): Float32Array => {
    if (c.inArena === false) return src.slice();
    const v = arena.allocF32(src.length)!;
    v.set(src);
    return v;
  };
  const A = filled(off + aRows * lda, 1), B = filled(off + bRows * ldb, 2), C0 = filled(off + M * ldc, 3);
  const bias = c.bias ? filled(off + N, 4) : null;
  const expected = C0.slice();
  referenceKernels.gemm(transA, transB, M, N, K, alpha, A, off, lda, B, off, ldb, beta, expected, off, ldc, bias, off);
  const a = place(A), b = place(B), got = place(C0);
  k.gemm(transA, transB, M, N, K, alpha, a, off, lda, b, off, ldb, beta, got, off, ldc, bias ? place(bias) : null, off);
  // float32 rounding of a K-term dot product: a few ulps per term of the magnitude involved.
  const tol = 1e-6 * (K + 4) * (Math.abs(alpha) + Math.abs(beta) + 1);
  for (let i = 0; i < got.length; i++) {
    assert.ok(Math.abs(got[i] - expected[i]) <= tol,
      `${JSON.stringify(c)} element ${i}: wasm ${got[i]}, reference ${expected[i]}, tolerance ${tol}`);
  }
  assert.deepEqual(a, place(A), 'A unchanged');
}

describe('WASM SIMD kernels match the TypeScript reference', () => {
  const variants = [false, ...(runtimeHasRelaxedSimd() ? [true] : [])];
  it('the runtime offers the fused multiply-add variant once the flag is set', () => {
    assert.equal(variants.length, 2);
  });
  for (const fma of variants) {
    const arena = new WasmArena();
    const k = createWasmKernels(arena, fma);
    describe(k.name, () => {
      for (const c of cases) it(`gemm ${JSON.stringify(c)}`, () => checkGemm(k, arena, c));

      it('addBiasRows and sumRows with strides and offsets, in and out of the arena', () => {
        for (const inArena of [true, false]) {
          const M = 5, N = 11, ld = 13, off = 3;
          const bias = filled(off + N, 4), C = filled(off + M * ld, 5), y = filled(off + N, 6);
          const toArena = (x: Float32Array) => { const v = arena.allocF32(x.length)!; v.set(x); return v; };
          const [b2, C2, y2] = inArena ? [toArena(bias), toArena(C), toArena(y)] : [bias.slice(), C.slice(), y.slice()];
          referenceKernels.addBiasRows(M, N, bias, off, C, off, ld);
          k.addBiasRows(M, N, b2, off, C2, off, ld);
          assert.deepEqual(Array.from(C2), Array.from(C));
          referenceKernels.sumRows(M, N, C, off, ld, y, off);
          k.sumRows(M, N, C2, off, ld, y2, off);
          assert.deepEqual(Array.from(y2), Array.from(y));
        }
      });

      it('beta = 0 clears NaNs already in C', () => {
        const C = arena.allocF32(6)!;
        C.fill(NaN);
        const A = arena.allocF32(6)!, B = arena.allocF32(6)!;
        A.fill(1); B.fill(2);
        k.gemm(false, true, 2, 3, 2, 1, A, 0, 2, B, 0, 2, 0, C, 0, 3);
        assert.deepEqual(Array.from(C), [4, 4, 4, 4, 4, 4]);
      });

      it('float64 operands go to the reference', () => {
        const A = new Float64Array([1, 2, 3, 4]), B = new Float64Array([1, 0, 0, 1]), C = new Float64Array(4);
        k.gemm(false, false, 2, 2, 2, 1, A, 0, 2, B, 0, 2, 0, C, 0, 2);
        assert.deepEqual(Array.from(C), [1, 2, 3, 4]);
      });
    });
  }

  it('views made before the shared memory grew stay valid after it grows', () => {
    const arena = new WasmArena();
    const early = arena.allocF32(4)!;
    early.set([1, 2, 3, 4]);
    const big = arena.allocF32(4 << 20)!; // 16 MB: forces growth
    big[big.length - 1] = 7;
    assert.deepEqual(Array.from(early), [1, 2, 3, 4]);
    assert.ok(arena.owns(early) && arena.owns(big));
  });

  it('with the arena full, operands outside it still get the right result (through the reference)', () => {
    // Room for the kernels' workspace (~1.1 MB) and little more: 200×200 operands cannot be copied in.
    const arena = new WasmArena(new WebAssemblyApi.Memory({ initial: 1, maximum: 20, shared: true }));
    const k = createWasmKernels(arena, false);
    assert.equal(arena.allocF32(200 * 200), null, 'a 160 kB buffer no longer fits');
    const n = 200, A = filled(n * n, 1), B = filled(n * n, 2), C = new Float32Array(n * n), expected = new Float32Array(n * n);
    referenceKernels.gemm(false, true, n, n, n, 1, A, 0, n, B, 0, n, 0, expected, 0, n);
    k.gemm(false, true, n, n, n, 1, A, 0, n, B, 0, n, 0, C, 0, n);
    assert.deepEqual(C, expected, 'bit-identical: the reference ran');
  });

  it('buffers stay recognised as in-arena (no scratch copy) after another memory grows', () => {
    const arena = new WasmArena(), other = new WasmArena();
    const k = createWasmKernels(arena, false);
    const [A, B, C] = [arena.allocF32(4)!, arena.allocF32(4)!, arena.allocF32(4)!];
    other.allocF32(4 << 20);
    A.set([1, 2, 3, 4]); B.set([1, 0, 0, 1]);
    const used = arena.used;
    k.gemm(false, false, 2, 2, 2, 1, A, 0, 2, B, 0, 2, 0, C, 0, 2);
    assert.deepEqual(Array.from(C), [1, 2, 3, 4]);
    assert.equal(arena.used, used, 'no scratch was reserved');
    assert.ok(!arena.owns(new Float32Array(new SharedArrayBuffer(64))) && !arena.owns(new Float32Array(4)));
  });
});

describe('useWasmKernels installs the arena allocator and the WASM kernels', () => {
  after(() => restoreReferenceKernels());
  it('f32 buffers land in the arena, f64 stay plain, and restore brings the reference back', () => {
    const engine = useWasmKernels();
    assert.ok(engine, 'this runtime has WebAssembly SIMD');
    assert.equal(kernels.name, engine.kernels.name);
    assert.ok(engine.arena.owns(allocVec('f32', 10)));
    assert.ok(allocVec('f64', 10) instanceof Float64Array);
    restoreReferenceKernels();
    assert.equal(kernels.name, referenceKernels.name);
    assert.ok(!engine.arena.owns(allocVec('f32', 10)));
  });
});

/** Every element within float32 rounding of the reference's (2e-6 relative, at least 2e-6), a NaN where the reference has one. */
function assertNearReference(got: Float32Array, ref: Float32Array, label: string): void {
  for (let i = 0; i < ref.length; i++) {
    const [r, w] = [ref[i], got[i]];
    if (Number.isNaN(r)) assert.ok(Number.isNaN(w), `${label}[${i}]: reference NaN, wasm ${w}`);
    else assert.ok(Math.abs(w - r) <= 2e-6 * Math.max(1, Math.abs(r)), `${label}[${i}]: wasm ${w}, reference ${r}`);
  }
}

describe('WASM pointwise cell math matches the TypeScript reference', () => {
  type Bufs = Record<string, Float32Array>;
  interface PointwiseCase {
    name: string;
    /** Buffer sizes in units of (B, H): e.g. gates of an LSTM are 4 rows of H per batch row. */
    shapes: Record<string, number>;
    /** Inputs are uniform in ±scale: pre-activations past saturation forward; gate values and gradients backward. */
    scale: number;
    run(k: Kernels, B: number, H: number, x: Bufs): void;
  }
  const cases: PointwiseCase[] = [
    { name: 'lstmPointwiseForward', shapes: { gates: 4, cPrev: 1, c: 1, tanhC: 1, h: 1 }, scale: 6,
      run: (k, B, H, x) => k.lstmPointwiseForward(B, H, x.gates, x.cPrev, null, x.c, x.tanhC, x.h) },
    { name: 'lstmPointwiseBackward', shapes: { dGates: 4, dcPrev: 1, dh: 1, dc: 1, gates: 4, tanhC: 1, cPrev: 1, c: 1 }, scale: 1,
      run: (k, B, H, x) => k.lstmPointwiseBackward(B, H, x.dGates, x.dcPrev, null, x.dh, x.dc, x.gates, x.tanhC, x.cPrev, x.c, null) },
    { name: 'gruPointwiseForward', shapes: { gates: 3, recur: 3, Rb: 3 / 32, extra: 1, h: 1, hPrev: 1 }, scale: 6,
      run: (k, B, H, x) => k.gruPointwiseForward(B, H, x.gates, x.recur, x.Rb, x.extra, x.h, x.hPrev) },
    { name: 'gruPointwiseBackward', shapes: { dGates: 3, dRecur: 3, dhPrev: 1, dh: 1, gates: 3, extra: 1, hPrev: 1 }, scale: 1,
      run: (k, B, H, x) => k.gruPointwiseBackward(B, H, x.dGates, x.dRecur, x.dhPrev, x.dh, x.gates, x.extra, x.hPrev) },
  ];
  const B = 32, H = 12;
  for (const fma of [false, true]) {
    const arena = new WasmArena();
    const k = createWasmKernels(arena, fma);
    for (const c of cases) {
      it(`${k.name} ${c.name} (B=${B}, H=${H}, inputs in ±${c.scale})`, () => {
        const ref: Bufs = {}, got: Bufs = {};
        let seed = 10;
        for (const [name, rows] of Object.entries(c.shapes)) {
          const n = Math.round(rows * B * H);
          const v = filled(n, seed++).map((x) => x * c.scale);
          ref[name] = v.slice();
          got[name] = arena.allocF32(n)!;
          got[name].set(v);
        }
        c.run(referenceKernels, B, H, ref);
        c.run(k, B, H, got);
        for (const name of Object.keys(c.shapes)) assertNearReference(got[name], ref[name], `${c.name} ${name}`);
      });
    }
    // The exp inside clamps its input to ±88 (pmin/pmax) and builds 2^n from float bits: values at
    // and past the clamp saturate as the reference does, and a NaN pre-activation stays NaN.
    it(`${k.name} lstmPointwiseForward at the exp's edges: ±88, past it, ±Infinity, ±0, NaN`, () => {
      const edges = [0, -0, 1e-30, -1e-30, 43.9, -43.9, 44.1, -44.1, 87.9, -87.9, 88, -88, 88.5, -88.5, 100, -100, 1e30, -1e30, Infinity, -Infinity, NaN];
      const EH = 4, EB = Math.ceil(edges.length / EH);
      const n = EB * EH;
      const ref = { gates: new Float32Array(4 * n), cPrev: new Float32Array(n), c: new Float32Array(n), tanhC: new Float32Array(n), h: new Float32Array(n) };
      // every gate block of element j gets edges[j] (the cell state then meets the edges through c̃ and f)
      for (let b = 0; b < EB; b++) for (let g = 0; g < 4; g++) for (let j = 0; j < EH; j++) ref.gates[b * 4 * EH + g * EH + j] = edges[(b * EH + j) % edges.length];
      ref.cPrev.fill(0.5);
      const got = Object.fromEntries(Object.entries(ref).map(([name, v]) => { const a = arena.allocF32(v.length)!; a.set(v); return [name, a]; })) as typeof ref;
      referenceKernels.lstmPointwiseForward(EB, EH, ref.gates, ref.cPrev, null, ref.c, ref.tanhC, ref.h);
      k.lstmPointwiseForward(EB, EH, got.gates, got.cPrev, null, got.c, got.tanhC, got.h);
      for (const name of ['gates', 'c', 'tanhC', 'h'] as const) assertNearReference(got[name], ref[name], name);
    });
  }
});

describe('WASM softmax cross-entropy matches the TypeScript reference', () => {
  // C: below, at and past the SIMD width, with tails; logits up to ±20 (softmax near one-hot).
  const shapes: [number, number, number][] = [[1, 1, 1], [5, 3, 4], [8, 4, 8], [9, 7, 20], [64, 96, 6], [3, 1003, 3], [33, 97, 12]];
  for (const fma of [false, true]) {
    const arena = new WasmArena();
    const k = createWasmKernels(arena, fma);
    for (const [N, C, scale] of shapes) {
      it(`${k.name} N=${N} C=${C} logits in ±${scale}`, () => {
        const logits = filled(N * C, 7).map((x) => x * scale);
        const targets = new Int32Array(N).map((_, r) => (r * 13 + 5) % C);
        const dRef = new Float32Array(N * C), count = N + 3;
        const lossRef = referenceKernels.softmaxCrossEntropyRows(N, C, logits, targets, dRef, count);
        const x = arena.allocF32(N * C)!, d = arena.allocF32(N * C)!;
        x.set(logits);
        const loss = k.softmaxCrossEntropyRows(N, C, x, targets, d, count);
        assert.ok(Math.abs(loss - lossRef) <= 1e-5 * Math.max(1, Math.abs(lossRef)), `loss: wasm ${loss}, reference ${lossRef}`);
        for (let i = 0; i < N * C; i++) assert.ok(Math.abs(d[i] - dRef[i]) <= 1e-6 * Math.max(1e-2, Math.abs(dRef[i])) + 1e-9, `dLogits[${i}]: wasm ${d[i]}, reference ${dRef[i]}`);
      });
    }
  }
});

describe('WASM rows by index match the TypeScript reference', () => {
  for (const fma of [false, true]) {
    const arena = new WasmArena();
    const k = createWasmKernels(arena, fma);
    for (const [M, N, V] of [[1, 1, 1], [9, 7, 4], [64, 512, 96], [5, 13, 30]]) {
      it(`${k.name} gatherRows and scatterAddRows M=${M} N=${N} from ${V} rows (repeated indices)`, () => {
        const idx = Int32Array.from({ length: M }, (_, r) => (r * 7 + 3) % V);
        const table = filled(V * N, 1), src = filled(M * N, 2), acc = filled(V * N, 3);
        const outRef = new Float32Array(M * N), accRef = acc.slice();
        referenceKernels.gatherRows(M, N, table, idx, outRef);
        referenceKernels.scatterAddRows(M, N, src, idx, accRef);
        const place = (x: Float32Array) => { const v = arena.allocF32(x.length)!; v.set(x); return v; };
        const t2 = place(table), out = place(new Float32Array(M * N)), s2 = place(src), a2 = place(acc);
        k.gatherRows(M, N, t2, idx, out);
        k.scatterAddRows(M, N, s2, idx, a2);
        assert.deepEqual(out, outRef);
        assert.deepEqual(a2, accRef, 'same additions in the same order');
      });
    }
  }
});

describe('WASM optimizer and norm kernels match the TypeScript reference', () => {
  const hypers = [
    { beta1: 0.9, beta2: 0.999, eps: 1e-8, stepSize: 0.002 / (1 - 0.9), bias2Sqrt: Math.sqrt(1 - 0.999), l2: 0, shrink: 1 },           // Adam, step 1
    { beta1: 0.8, beta2: 0.99, eps: 1e-6, stepSize: 0.01 / (1 - 0.8 ** 7), bias2Sqrt: Math.sqrt(1 - 0.99 ** 7), l2: 0.01, shrink: 1 }, // L2 decay
    { beta1: 0.9, beta2: 0.999, eps: 1e-8, stepSize: 0.001, bias2Sqrt: 0.5, l2: 0, shrink: 1 - 0.001 * 0.01 },                        // AdamW
  ];
  for (const fma of [false, true]) {
    const arena = new WasmArena();
    const k = createWasmKernels(arena, fma);
    for (const [i, h] of hypers.entries()) {
      for (const n of [1, 7, 1000, 40_003]) {
        it(`${k.name} adamUpdate n=${n}, hyper-parameters ${i}`, () => {
          const p = filled(n, 1), g = filled(n, 2).map((x) => x * 0.1), m = filled(n, 3).map((x) => x * 0.01), v = filled(n, 4).map((x) => x * x * 1e-4);
          const ref = [p, g, m, v].map((x) => x.slice());
          referenceKernels.adamUpdate(n, ref[0], ref[1], ref[2], ref[3], h);
          const got = [p, g, m, v].map((x) => { const a = arena.allocF32(n)!; a.set(x); return a; });
          k.adamUpdate(n, got[0], got[1], got[2], got[3], h);
          // float32 rounding of each term: relative to the terms' sizes, not the (possibly cancelling) result
          const scale = [(j: number) => Math.abs(p[j]) + h.stepSize, () => 0, (j: number) => Math.abs(m[j]) + Math.abs(g[j]), (j: number) => Math.abs(v[j]) + g[j] * g[j]];
          for (const [b, name] of ['p', 'g', 'm', 'v'].entries()) {
            for (let j = 0; j < n; j++) {
              const r = ref[b][j], w = got[b][j];
              assert.ok(Math.abs(w - r) <= 1e-6 * (Math.abs(r) + scale[b](j)), `${name}[${j}]: wasm ${w}, reference ${r}`);
            }
          }
        });
      }
    }
    for (const [n, off] of [[0, 0], [1, 0], [5, 3], [1027, 1]]) {
      it(`${k.name} sumSquares n=${n} at offset ${off}`, () => {
        const x = filled(n + off, 9), a = arena.allocF32(n + off)!;
        a.set(x);
        const r = referenceKernels.sumSquares(n, x, off);
        assert.ok(Math.abs(k.sumSquares(n, a, off) - r) <= 1e-12 * Math.max(1, r));
      });
    }
  }
});
