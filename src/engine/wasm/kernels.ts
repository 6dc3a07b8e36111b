// The kernels.ts interface implemented with WebAssembly SIMD for float32 (f64 goes to the
// TypeScript reference). Buffers inside the arena are used in place; any other Float32Array is
// copied through a scratch area first (correct, slower: allocate through allocVec to avoid it); if
// the arena is full and has no room for the scratch, that call runs the reference.
//
// M, N, K, op(A), op(B), lda/ldb/ldc as in ../kernels.ts. Pointers and strides passed to WASM are
// in bytes.

import { referenceKernels, sequenceKernels, type AdamHyper, type Kernels } from '../kernels';
import type { Vec } from '../tensor';
import type { WasmArena } from './arena';
import { GemmTeam, ROW_FNS, type RowFn } from './parallel';
import { STEP_SPLIT_MIN_MACS, packRows8 } from './packRows8';
import { GEMM_WORKSPACE_BYTES, kernelsFmaWasmBase64, kernelsWasmBase64 } from './kernels.generated';
import { WebAssemblyApi, type WasmMemory, type WasmModule } from './webassembly';

export interface KernelExports {
  /** Packed GEMM over the column range [j0, j1) of C; op(A)(i,k) at A + i*ars + k*aks, op(B)(k,j) at B + k*bks + j*bns. */
  gemm(M: number, j0: number, j1: number, K: number, alpha: number, A: number, ars: number, aks: number,
    B: number, bks: number, bns: number, C: number, ldc: number, ws: number, init: number, bias: number): void;
  gemm_xn(M: number, N: number, K: number, alpha: number, A: number, rs: number, ks: number, B: number, ldb: number, C: number, ldc: number): void;
  gemm_nt(M: number, N: number, K: number, alpha: number, A: number, lda: number, B: number, ldb: number, C: number, ldc: number): void;
  gemv_nt(M: number, N: number, K: number, alpha: number, A: number, lda: number, B: number, ldb: number, C: number, ldc: number): void;
  scale_rows(M: number, N: number, beta: number, C: number, ldc: number): void;
  add_rows(M: number, N: number, X: number, ldx: number, Y: number, ldy: number): void;
  lstm_fwd(B: number, H: number, gates: number, cPrev: number, c: number, tanhC: number, h: number): void;
  lstm_bwd(B: number, H: number, dGates: number, dcPrev: number, dh: number, dc: number, gates: number, tanhC: number, cPrev: number): void;
  gru_fwd(B: number, H: number, gates: number, recur: number, Rbh: number, extra: number, h: number, hPrev: number): void;
  gru_bwd(B: number, H: number, dGates: number, dRecur: number, dhPrev: number, dh: number, gates: number, extra: number, hPrev: number): void;
  /** op(B) (K,N) into 8-column panels over the whole K at dst (ceil(N/8)*8*K floats). */
  pack_b(N: number, K: number, B: number, bks: number, bns: number, dst: number): void;
  /** C (M,N) += alpha·op(A)·B on B packed by pack_b. */
  gemm_pb(M: number, N: number, K: number, alpha: number, A: number, ars: number, aks: number, Bp: number, C: number, ldc: number, ws: number, init: number): void;
  /** Sequence kernels (scripts/wasm/sequence.mjs) over batch rows [r0, r1); ws last. */
  lstm_seq_fwd(r0: number, r1: number, T: number, B: number, H: number, dir: number, gates: number, hs: number, cs: number, tanhC: number,
    Rp: number, out: number, ldo: number, ws: number): void;
  lstm_seq_bwd(r0: number, r1: number, T: number, B: number, H: number, dir: number, dOut: number, ldo: number, dGates: number, gates: number,
    tanhC: number, cs: number, Rp: number, dh: number, dhP: number, dc: number, dcP: number, sq: number, ws: number): void;
  gru_seq_fwd(r0: number, r1: number, T: number, B: number, H: number, dir: number, gates: number, hs: number, extra: number, recur: number,
    Rbh: number, Rp: number, out: number, ldo: number, ws: number): void;
  gru_seq_bwd(r0: number, r1: number, T: number, B: number, H: number, dir: number, dOut: number, ldo: number, dGates: number, dRecur: number,
    gates: number, extra: number, hs: number, Rp: number, dh: number, dhP: number, sq: number, ws: number): void;
  /** Softmax cross-entropy of rows [r0, r1) (scripts/wasm/softmax.mjs); invCountBits: 1/count as float32 bits. */
  softmax_xent(r0: number, r1: number, C: number, logits: number, targets: number, dLogits: number, rowOut: number, invCountBits: number, ws: number): void;
  /** word2vec's SGD over N SGNS examples (scripts/wasm/word2vec.mjs); scores (N, S) out. */
  sgns_sgd(N: number, C: number, S: number, E: number, inputs: number, outputs: number, Win: number, Wout: number,
    h: number, dh: number, lr: number, scores: number): void;
  gather_rows(M: number, N: number, X: number, idx: number, Y: number): void;
  sum_squares(n: number, X: number): number;
  adam_update(r0: number, r1: number, p: number, g: number, m: number, v: number, beta1: number, beta2: number, omb1: number, omb2: number, eps: number,
    stepSize: number, bias2Sqrt: number, l2: number, shrink: number, ws: number): void;
  scatter_add_rows(M: number, N: number, X: number, idx: number, Y: number): void;
  /** y[n0..n1) = (acc ? y : 0) + (bias ? bias : 0) + W·x on W packed in 8-row panels (scripts/wasm/gemv-packed.mjs, src/engine/wasm/stepper.ts). */
  gemv_p8(n0: number, n1: number, K: number, x: number, Wp: number, y: number, bias: number, acc: number): void;
  /** Two gemv_p8 over the same rows [n0, n1). */
  gemv_p8x2(n0: number, n1: number, K1: number, x1: number, W1: number, y1: number, bias1: number, acc1: number,
    K2: number, x2: number, W2: number, y2: number, bias2: number, acc2: number): void;
}

const decodeBase64 = (b64: string): Uint8Array => {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
};

/** True when this runtime validates the relaxed-SIMD (fused multiply-add) variant. */
export const runtimeHasRelaxedSimd = (): boolean => WebAssemblyApi.validate(decodeBase64(kernelsFmaWasmBase64));

/** A compiled kernel module (compile once per thread, instantiate against any arena's memory). */
export function compileKernelModule(fma: boolean): WasmModule {
  return new WebAssemblyApi.Module(decodeBase64(fma ? kernelsFmaWasmBase64 : kernelsWasmBase64));
}

export function instantiateKernels(module: WasmModule, memory: WasmMemory): KernelExports {
  const instance = new WebAssemblyApi.Instance(module, { env: { memory } });
  return instance.exports as unknown as KernelExports;
}

/**
 * Below this many rows of C, packing op(B) costs as much as the product itself (sampling is M = 1):
 * the unpacked kernels (gemm_nt dot products, gemm_xn broadcasts) run instead.
 */
const PACK_MIN_ROWS = 8;
/** GEMMs of at least this many multiply-adds (~10 µs of work) are shared with the helper thread. On a quiet 2-core machine 256K beat 1M and 4M (model A step 48-57 ms vs 56-58; B 255 vs 290); on a busy one the helper is not started at all (index.ts). */
const SPLIT_MIN_MACS = 1 << 18;

/** Extent in elements of a rows×cols matrix with leading dimension ld (what a kernel may touch). */
const extent = (rows: number, cols: number, ld: number): number => (rows === 0 || cols === 0 ? 0 : (rows - 1) * ld + cols);

export interface WasmKernels extends Kernels {
  readonly fma: boolean;
  /**
   * Starts a helper thread sharing each GEMM of at least minMacs multiply-adds (see parallel.ts);
   * false where threads are unavailable.
   */
  useSecondThread(minMacs?: number): boolean;
  /** Back to one thread (stops the helper). */
  stopSecondThread(): void;
  /** The helper, while one runs. */
  readonly team: GemmTeam | null;
  /** The raw exports (byte pointers), for measurements and the batch-1 stepper. */
  readonly exports: KernelExports;
  /**
   * gemv_p8 over all N8 rows (y = (acc ? y : 0) + bias + W·x, byte pointers, W packed by packRows8):
   * halves of whole panels on the two threads when the helper runs and the product reaches
   * STEP_SPLIT_MIN_MACS, else here.
   */
  gemvPacked(N8: number, K: number, x: number, W: number, y: number, bias: number, acc: number): void;
  /** Two gemvPacked over the same N8 rows (a layer's W·x and R·h): one hand-off for both. */
  gemvPacked2(N8: number, K1: number, x1: number, W1: number, y1: number, bias1: number, acc1: number,
    K2: number, x2: number, W2: number, y2: number, bias2: number, acc2: number): void;
}

/** Kernels on `arena`'s memory. fma: use the relaxed-SIMD variant (undefined = when the runtime has it). */
export function createWasmKernels(arena: WasmArena, fma?: boolean): WasmKernels {
  const useFma = fma ?? runtimeHasRelaxedSimd();
  const module = compileKernelModule(useFma);
  const wasm = instantiateKernels(module, arena.memory);
  let team: GemmTeam | null = null;
  let helperBlocks: [number, number] | null = null; // the helper's control block and workspace, kept for the next helper
  let splitMinMacs = SPLIT_MIN_MACS;
  const workspace = arena.reserve(GEMM_WORKSPACE_BYTES);
  if (workspace < 0) throw new Error('wasm kernels: no room in the WebAssembly arena for the GEMM workspace');
  let scratchPtr = 0, scratchBytes = 0, scratchUsed = 0;

  /** Scratch bytes x[off..off+n) needs: 0 when it lives in the arena. */
  const outside = (x: Float32Array, n: number): number => (arena.owns(x) ? 0 : Math.ceil((n * 4) / 64) * 64);
  /** Makes room for `bytes` of scratch copies; false when the arena is full (the caller then runs the reference). */
  const ensureScratch = (bytes: number): boolean => {
    scratchUsed = 0;
    if (bytes <= scratchBytes) return true;
    const size = Math.max(2 * bytes, 1 << 16); // the old block is dropped (nothing is freed)
    const p = arena.reserve(size);
    if (p < 0) return false;
    scratchPtr = p; scratchBytes = size;
    return true;
  };
  /** Byte address of x[off..off+n) in the arena: x itself when it lives there, else a scratch copy (room ensured). */
  const pointer = (x: Float32Array, off: number, n: number): number => {
    if (arena.owns(x)) return x.byteOffset + off * 4;
    const p = scratchPtr + scratchUsed;
    scratchUsed += Math.ceil((n * 4) / 64) * 64;
    arena.f32().set(x.subarray(off, off + n), p / 4);
    return p;
  };
  const copyBack = (x: Float32Array, off: number, n: number, p: number): void => {
    if (!arena.owns(x)) x.set(arena.f32().subarray(p / 4, p / 4 + n), off);
  };

  function gemm(
    transA: boolean, transB: boolean, M: number, N: number, K: number,
    alpha: number, A: Vec, aOff: number, lda: number,
    B: Vec, bOff: number, ldb: number,
    beta: number, C: Vec, cOff: number, ldc: number, bias: Vec | null = null, biasOff = 0,
  ): void {
    if (!(A instanceof Float32Array) || !(B instanceof Float32Array) || !(C instanceof Float32Array)) {
      referenceKernels.gemm(transA, transB, M, N, K, alpha, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc, bias, biasOff);
      return;
    }
    if (M === 0 || N === 0) return;
    const cN = extent(M, N, ldc), aN = transA ? extent(K, M, lda) : extent(M, K, lda), bN = transB ? extent(N, K, ldb) : extent(K, N, ldb);
    if (!ensureScratch(outside(C, cN) + outside(A, aN) + outside(B, bN))) {
      referenceKernels.gemm(transA, transB, M, N, K, alpha, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc, bias, biasOff);
      return;
    }
    const pc = pointer(C, cOff, cN);
    const packed = M >= PACK_MIN_ROWS || (transA && transB);
    // The packed kernels write C (and add the bias) in their first K block when beta = 0.
    const init = beta === 0 && alpha !== 0 && K > 0 && packed;
    const fusedBias = init && bias instanceof Float32Array && arena.owns(bias) ? bias.byteOffset + biasOff * 4 : 0;
    if (beta !== 1 && !init) wasm.scale_rows(M, N, beta, pc, ldc * 4);
    if (alpha !== 0 && K > 0) {
      const pa = pointer(A, aOff, aN);
      const pb = pointer(B, bOff, bN);
      const [ars, aks] = transA ? [4, lda * 4] : [lda * 4, 4];
      const [bks, bns] = transB ? [4, ldb * 4] : [ldb * 4, 4];
      if (team && M >= PACK_MIN_ROWS && M * N * K >= splitMinMacs) {
        team.gemm(wasm, M, N, K, alpha, pa, ars, aks, pb, bks, bns, pc, ldc * 4, workspace, init ? 1 : 0, fusedBias);
      } else if (packed) wasm.gemm(M, 0, N, K, alpha, pa, ars, aks, pb, bks, bns, pc, ldc * 4, workspace, init ? 1 : 0, fusedBias);
      else if (transB) (M < 4 ? wasm.gemv_nt : wasm.gemm_nt)(M, N, K, alpha, pa, lda * 4, pb, ldb * 4, pc, ldc * 4);
      else wasm.gemm_xn(M, N, K, alpha, pa, ars, aks, pb, ldb * 4, pc, ldc * 4);
    }
    copyBack(C, cOff, cN, pc);
    if (bias && !fusedBias) addBiasRows(M, N, bias, biasOff, C, cOff, ldc);
  }

  function addBiasRows(M: number, N: number, bias: Vec, biasOff: number, C: Vec, cOff: number, ldc: number): void {
    if (!(bias instanceof Float32Array) || !(C instanceof Float32Array)) {
      referenceKernels.addBiasRows(M, N, bias, biasOff, C, cOff, ldc);
      return;
    }
    if (M === 0 || N === 0) return;
    const cN = extent(M, N, ldc);
    if (!ensureScratch(outside(C, cN) + outside(bias, N))) {
      referenceKernels.addBiasRows(M, N, bias, biasOff, C, cOff, ldc);
      return;
    }
    const pc = pointer(C, cOff, cN);
    wasm.add_rows(M, N, pointer(bias, biasOff, N), 0, pc, ldc * 4);
    copyBack(C, cOff, cN, pc);
  }

  function sumRows(M: number, N: number, A: Vec, aOff: number, lda: number, y: Vec, yOff: number): void {
    if (!(A instanceof Float32Array) || !(y instanceof Float32Array)) {
      referenceKernels.sumRows(M, N, A, aOff, lda, y, yOff);
      return;
    }
    if (M === 0 || N === 0) return;
    const aN = extent(M, N, lda);
    if (!ensureScratch(outside(y, N) + outside(A, aN))) {
      referenceKernels.sumRows(M, N, A, aOff, lda, y, yOff);
      return;
    }
    const py = pointer(y, yOff, N);
    wasm.add_rows(M, N, pointer(A, aOff, aN), lda * 4, py, 0);
    copyBack(y, yOff, N, py);
  }

  // Pointwise cell math runs in WASM when every buffer is an f32 view in the arena and H % 4 == 0
  // (no peepholes for LSTM); otherwise the reference loop runs (same equations, f64 arithmetic).
  const inArena = (...vs: (Vec | null)[]): boolean => vs.every((v) => v === null || (v instanceof Float32Array && arena.owns(v)));
  const ptr = (v: Vec): number => v.byteOffset;

  function lstmPointwiseForward(B: number, H: number, gates: Vec, cPrev: Vec, P: Vec | null, c: Vec, tanhC: Vec, h: Vec): void {
    if (P || H % 4 !== 0 || !inArena(gates, cPrev, c, tanhC, h)) {
      referenceKernels.lstmPointwiseForward(B, H, gates, cPrev, P, c, tanhC, h);
      return;
    }
    wasm.lstm_fwd(B, H, ptr(gates), ptr(cPrev), ptr(c), ptr(tanhC), ptr(h));
  }

  function lstmPointwiseBackward(B: number, H: number, dGates: Vec, dcPrev: Vec, dP: Vec | null, dh: Vec, dc: Vec,
    gates: Vec, tanhC: Vec, cPrev: Vec, c: Vec, P: Vec | null): void {
    if (P || H % 4 !== 0 || !inArena(dGates, dcPrev, dh, dc, gates, tanhC, cPrev)) {
      referenceKernels.lstmPointwiseBackward(B, H, dGates, dcPrev, dP, dh, dc, gates, tanhC, cPrev, c, P);
      return;
    }
    wasm.lstm_bwd(B, H, ptr(dGates), ptr(dcPrev), ptr(dh), ptr(dc), ptr(gates), ptr(tanhC), ptr(cPrev));
  }

  function gruPointwiseForward(B: number, H: number, gates: Vec, recur: Vec, Rb: Vec, extra: Vec, h: Vec, hPrev: Vec): void {
    if (H % 4 !== 0 || !inArena(gates, recur, Rb, extra, h, hPrev)) {
      referenceKernels.gruPointwiseForward(B, H, gates, recur, Rb, extra, h, hPrev);
      return;
    }
    wasm.gru_fwd(B, H, ptr(gates), ptr(recur), ptr(Rb) + 2 * H * 4, ptr(extra), ptr(h), ptr(hPrev));
  }

  function gruPointwiseBackward(B: number, H: number, dGates: Vec, dRecur: Vec, dhPrev: Vec, dh: Vec, gates: Vec, extra: Vec, hPrev: Vec): void {
    if (H % 4 !== 0 || !inArena(dGates, dRecur, dhPrev, dh, gates, extra, hPrev)) {
      referenceKernels.gruPointwiseBackward(B, H, dGates, dRecur, dhPrev, dh, gates, extra, hPrev);
      return;
    }
    wasm.gru_bwd(B, H, ptr(dGates), ptr(dRecur), ptr(dhPrev), ptr(dh), ptr(gates), ptr(extra), ptr(hPrev));
  }

  // Sequence kernels: R packed once per call (pack_b) into `packed`, the window in one WASM call
  // (or row chunks shared with the helper thread). Fallback: the per-step loop over these kernels.
  let packedPtr = 0, packedBytes = 0, sqPtr = 0, sqBytes = 0;
  const region = (bytes: number, ptr: number, have: number): [number, number] | null => {
    if (bytes <= have) return [ptr, have];
    const p = arena.reserve(bytes); // the old block is dropped (nothing is freed); sizes settle after the first window
    return p < 0 ? null : [p, bytes];
  };
  /** R packed for the forward (op(B) = Rᵀ: K=H, N=GH) or the backward (op(B) = R: K=GH, N=H); 0 when there is no room. */
  const packR = (R: Vec, GH: number, H: number, forward: boolean): number => {
    const [N, K] = forward ? [GH, H] : [H, GH];
    const got = region(Math.ceil(N / 8) * 8 * K * 4, packedPtr, packedBytes);
    if (!got) return 0;
    [packedPtr, packedBytes] = got;
    if (forward) wasm.pack_b(N, K, ptr(R), 4, H * 4, packedPtr);
    else wasm.pack_b(N, K, ptr(R), H * 4, 4, packedPtr);
    return packedPtr;
  };
  /** Scratch for per-row Σdh² (T*B f64), 0 when not wanted or no room. */
  const sqScratch = (dLdaSq: Float64Array | null, T: number, B: number): number => {
    if (!dLdaSq) return 0;
    const got = region(T * B * 8, sqPtr, sqBytes);
    if (!got) return 0;
    [sqPtr, sqBytes] = got;
    return sqPtr;
  };
  const addSquares = (dLdaSq: Float64Array | null, sq: number, T: number, B: number): void => {
    if (!dLdaSq || !sq) return;
    const rows = new Float64Array(arena.memory.buffer, sq, T * B);
    for (let t = 0; t < T; t++) {
      let total = 0;
      for (let b = 0; b < B; b++) total += rows[t * B + b];
      dLdaSq[t] += total;
    }
  };
  /**
   * Packing R costs about one product of R with PACK_MIN_ROWS rows: a window of fewer rows in all
   * (sampling is T = B = 1) goes step by step on the unpacked kernels instead.
   */
  const worthPacking = (T: number, B: number, H: number): boolean => H % 4 === 0 && T * B >= PACK_MIN_ROWS;
  const rowFns = ROW_FNS.map((name) => wasm[name] as (...args: number[]) => void);
  /** A row kernel over rows [0, B): halves on the two threads when the helper runs, else here. */
  const runSeq = (fn: RowFn, B: number, ...args: number[]): void => {
    if (team && B >= 8) team.rows(wasm, rowFns, fn, B, args, workspace);
    else rowFns[ROW_FNS.indexOf(fn)](0, B, ...args, workspace);
  };
  const gemvPacked = (N8: number, K: number, x: number, W: number, y: number, bias: number, acc: number): void => {
    if (team && N8 >= 16 && N8 * K >= STEP_SPLIT_MIN_MACS) team.rows(wasm, rowFns, 'gemv_p8', N8, [K, x, W, y, bias, acc], workspace, 8);
    else wasm.gemv_p8(0, N8, K, x, W, y, bias, acc);
  };
  const gemvPacked2 = (N8: number, K1: number, x1: number, W1: number, y1: number, b1: number, a1: number,
    K2: number, x2: number, W2: number, y2: number, b2: number, a2: number): void => {
    if (team && N8 >= 16 && N8 * (K1 + K2) >= STEP_SPLIT_MIN_MACS) team.rows(wasm, rowFns, 'gemv_p8x2', N8, [K1, x1, W1, y1, b1, a1, K2, x2, W2, y2, b2, a2], workspace, 8);
    else wasm.gemv_p8x2(0, N8, K1, x1, W1, y1, b1, a1, K2, x2, W2, y2, b2, a2);
  };
  const fallback = sequenceKernels({ name: 'wasm', gemm, addBiasRows, sumRows, sumSquares,
    softmaxCrossEntropyRows: referenceKernels.softmaxCrossEntropyRows,
    gatherRows: referenceKernels.gatherRows, scatterAddRows: referenceKernels.scatterAddRows, adamUpdate: referenceKernels.adamUpdate, lstmPointwiseForward, lstmPointwiseBackward, gruPointwiseForward, gruPointwiseBackward });

  // Softmax cross-entropy: targets copied into the arena, per-row (sum, max - x[target]) pairs back.
  let lossPtr = 0, lossBytes = 0;
  const f32Bits = new Float32Array(1), bitsOf = new Int32Array(f32Bits.buffer);
  function softmaxCrossEntropyRows(N: number, C: number, logits: Vec, targets: Int32Array, dLogits: Vec, count: number): number {
    const got = inArena(logits, dLogits) ? region(N * 20 + 16, lossPtr, lossBytes) : null;
    if (!got) return referenceKernels.softmaxCrossEntropyRows(N, C, logits, targets, dLogits, count);
    [lossPtr, lossBytes] = got;
    const rowOut = lossPtr, tgt = lossPtr + N * 16;
    new Int32Array(arena.memory.buffer, tgt, N).set(targets.subarray(0, N));
    f32Bits[0] = 1 / count;
    runSeq('softmax_xent', N, C, ptr(logits), tgt, ptr(dLogits), rowOut, bitsOf[0]);
    const rows = new Float64Array(arena.memory.buffer, rowOut, 2 * N);
    let total = 0;
    for (let r = 0; r < N; r++) total += Math.log(rows[2 * r]) + rows[2 * r + 1];
    return total;
  }

  /**
   * One-row windows (a stream read in order: validation, eval, label) run step by step on R packed
   * for gemv_p8 (8 rows a panel, one pointer: the 4-row micro-kernel would compute 3 rows of
   * padding at each step); its large products split over the two threads like a sampling step's.
   * Needs GH % 8 = 0 (no padding rows, so the products write only their own gates) and H % 4 = 0.
   */
  const oneRowR = (R: Float32Array, GH: number, H: number): number => {
    const got = region(GH * H * 4, packedPtr, packedBytes);
    if (!got) return 0;
    [packedPtr, packedBytes] = got;
    packRows8(R, GH, H, new Float32Array(arena.memory.buffer, packedPtr, GH * H));
    return packedPtr;
  };
  const oneRowWindow = (B: number, H: number, GH: number, ...vs: Vec[]): boolean => B === 1 && GH % 8 === 0 && H % 4 === 0 && inArena(...vs);

  const sequence: Pick<Kernels, 'lstmSequenceForward' | 'lstmSequenceBackward' | 'gruSequenceForward' | 'gruSequenceBackward'> = {
    lstmSequenceForward(T, B, H, reverse, gates, hs, cs, tanhC, R, out, outOff, ldo) {
      const Rp1 = T > 1 && oneRowWindow(B, H, 4 * H, gates, hs, cs, tanhC, R, out) ? oneRowR(R as Float32Array, 4 * H, H) : 0;
      if (Rp1) {
        const G4 = 4 * H, h4 = H * 4;
        for (let s = 0; s < T; s++) {
          const t = reverse ? T - 1 - s : s, before = reverse ? t + 1 : t, after = reverse ? t : t + 1;
          const g = ptr(gates) + t * G4 * 4;
          gemvPacked(G4, H, ptr(hs) + before * h4, Rp1, g, 0, 1);
          wasm.lstm_fwd(1, H, g, ptr(cs) + before * h4, ptr(cs) + after * h4, ptr(tanhC) + t * h4, ptr(hs) + after * h4);
          out.set(hs.subarray(after * H, after * H + H), outOff + t * ldo);
        }
        return;
      }
      const Rp = worthPacking(T, B, H) && inArena(gates, hs, cs, tanhC, R, out) ? packR(R, 4 * H, H, true) : 0;
      if (!Rp) return fallback.lstmSequenceForward(T, B, H, reverse, gates, hs, cs, tanhC, R, out, outOff, ldo);
      runSeq('lstm_seq_fwd', B, T, B, H, reverse ? 1 : 0, ptr(gates), ptr(hs), ptr(cs), ptr(tanhC), Rp, ptr(out) + outOff * 4, ldo * 4);
    },
    lstmSequenceBackward(T, B, H, reverse, dOut, outOff, ldo, dGates, gates, tanhC, cs, R, dh, dhPrev, dc, dcPrev, dLdaSq) {
      const ok = worthPacking(T, B, H) && inArena(dOut, dGates, gates, tanhC, cs, R, dh, dhPrev, dc, dcPrev);
      const Rp = ok ? packR(R, 4 * H, H, false) : 0, sq = Rp ? sqScratch(dLdaSq, T, B) : 0;
      if (!Rp || (dLdaSq && !sq)) return fallback.lstmSequenceBackward(T, B, H, reverse, dOut, outOff, ldo, dGates, gates, tanhC, cs, R, dh, dhPrev, dc, dcPrev, dLdaSq);
      runSeq('lstm_seq_bwd', B, T, B, H, reverse ? 1 : 0, ptr(dOut) + outOff * 4, ldo * 4, ptr(dGates), ptr(gates), ptr(tanhC), ptr(cs), Rp,
        ptr(dh), ptr(dhPrev), ptr(dc), ptr(dcPrev), sq);
      addSquares(dLdaSq, sq, T, B);
    },
    gruSequenceForward(T, B, H, reverse, gates, hs, extra, recur, R, Rb, out, outOff, ldo) {
      const Rp1 = T > 1 && oneRowWindow(B, H, 3 * H, gates, hs, extra, recur, R, Rb, out) ? oneRowR(R as Float32Array, 3 * H, H) : 0;
      if (Rp1) {
        const h4 = H * 4;
        for (let s = 0; s < T; s++) {
          const t = reverse ? T - 1 - s : s, before = reverse ? t + 1 : t, after = reverse ? t : t + 1;
          gemvPacked(3 * H, H, ptr(hs) + before * h4, Rp1, ptr(recur), 0, 0);
          wasm.gru_fwd(1, H, ptr(gates) + t * 3 * h4, ptr(recur), ptr(Rb) + 2 * h4, ptr(extra) + t * h4, ptr(hs) + after * h4, ptr(hs) + before * h4);
          out.set(hs.subarray(after * H, after * H + H), outOff + t * ldo);
        }
        return;
      }
      const Rp = worthPacking(T, B, H) && inArena(gates, hs, extra, recur, R, Rb, out) ? packR(R, 3 * H, H, true) : 0;
      if (!Rp) return fallback.gruSequenceForward(T, B, H, reverse, gates, hs, extra, recur, R, Rb, out, outOff, ldo);
      runSeq('gru_seq_fwd', B, T, B, H, reverse ? 1 : 0, ptr(gates), ptr(hs), ptr(extra), ptr(recur), ptr(Rb) + 2 * H * 4, Rp, ptr(out) + outOff * 4, ldo * 4);
    },
    gruSequenceBackward(T, B, H, reverse, dOut, outOff, ldo, dGates, dRecur, gates, extra, hs, R, dh, dhPrev, dLdaSq) {
      const ok = worthPacking(T, B, H) && inArena(dOut, dGates, dRecur, gates, extra, hs, R, dh, dhPrev);
      const Rp = ok ? packR(R, 3 * H, H, false) : 0, sq = Rp ? sqScratch(dLdaSq, T, B) : 0;
      if (!Rp || (dLdaSq && !sq)) return fallback.gruSequenceBackward(T, B, H, reverse, dOut, outOff, ldo, dGates, dRecur, gates, extra, hs, R, dh, dhPrev, dLdaSq);
      runSeq('gru_seq_bwd', B, T, B, H, reverse ? 1 : 0, ptr(dOut) + outOff * 4, ldo * 4, ptr(dGates), ptr(dRecur), ptr(gates), ptr(extra), ptr(hs), Rp,
        ptr(dh), ptr(dhPrev), sq);
      addSquares(dLdaSq, sq, T, B);
    },
  };

  // Rows by index: the indices copied into the arena.
  let idxPtr = 0, idxBytes = 0;
  const indices = (idx: Int32Array, M: number): number => {
    const got = region(M * 4, idxPtr, idxBytes);
    if (!got) return 0;
    [idxPtr, idxBytes] = got;
    new Int32Array(arena.memory.buffer, idxPtr, M).set(idx.subarray(0, M));
    return idxPtr;
  };
  function gatherRows(M: number, N: number, table: Vec, idx: Int32Array, out: Vec): void {
    const p = inArena(table, out) && M > 0 ? indices(idx, M) : 0;
    if (!p) return referenceKernels.gatherRows(M, N, table, idx, out);
    wasm.gather_rows(M, N, ptr(table), p, ptr(out));
  }
  function scatterAddRows(M: number, N: number, src: Vec, idx: Int32Array, table: Vec): void {
    const p = inArena(src, table) && M > 0 ? indices(idx, M) : 0;
    if (!p) return referenceKernels.scatterAddRows(M, N, src, idx, table);
    wasm.scatter_add_rows(M, N, ptr(src), p, ptr(table));
  }

  const bits = (x: number): number => { f32Bits[0] = x; return bitsOf[0]; };
  function adamUpdate(n: number, p: Vec, g: Vec, m: Vec, v: Vec, h: AdamHyper): void {
    if (!inArena(p, g, m, v)) return referenceKernels.adamUpdate(n, p, g, m, v, h);
    // Halves on the two threads only when there is enough to share (a hand-off costs microseconds).
    if (n < 1 << 15) return wasm.adam_update(0, n, ptr(p), ptr(g), ptr(m), ptr(v), bits(h.beta1), bits(h.beta2), bits(1 - h.beta1), bits(1 - h.beta2), bits(h.eps), bits(h.stepSize), bits(h.bias2Sqrt), bits(h.l2), bits(h.shrink), workspace);
    runSeq('adam_update', n, ptr(p), ptr(g), ptr(m), ptr(v), bits(h.beta1), bits(h.beta2), bits(1 - h.beta1), bits(1 - h.beta2), bits(h.eps), bits(h.stepSize), bits(h.bias2Sqrt), bits(h.l2), bits(h.shrink));
  }

  function sumSquares(n: number, x: Vec, xOff: number): number {
    if (!(x instanceof Float32Array) || !arena.owns(x)) return referenceKernels.sumSquares(n, x, xOff);
    return n > 0 ? wasm.sum_squares(n, x.byteOffset + xOff * 4) : 0;
  }

  return {
    ...sequence, gatherRows, scatterAddRows, adamUpdate,
    lstmPointwiseForward, lstmPointwiseBackward, gruPointwiseForward, gruPointwiseBackward,
    get name() { return (useFma ? 'wasm-simd-fma' : 'wasm-simd') + (team ? ' ×2 threads' : ''); },
    fma: useFma, exports: wasm, gemvPacked, gemvPacked2,
    get team() { return team; },
    useSecondThread(minMacs = SPLIT_MIN_MACS) {
      splitMinMacs = minMacs;
      if (team) return true;
      helperBlocks ??= [arena.reserve(GemmTeam.CONTROL_BYTES), arena.reserve(GEMM_WORKSPACE_BYTES)];
      if (helperBlocks[0] < 0 || helperBlocks[1] < 0) return false;
      team = GemmTeam.start(arena, module, helperBlocks[0], helperBlocks[1]);
      return team !== null;
    },
    stopSecondThread() {
      if (team && !team.stop()) helperBlocks = null; // a helper that never answered may still touch them
      team = null;
    },
    gemm, addBiasRows, sumRows, sumSquares, softmaxCrossEntropyRows,
  };
}
