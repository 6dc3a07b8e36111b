// Switches the engine to WebAssembly SIMD for float32: float32 buffers are allocated in one shared
// WebAssembly memory and the kernels run on them in place. Call once per thread (worker, CLI)
// before creating a model; restoreReferenceKernels() undoes it (tests). The arena never frees
// (see arena.ts): meant for threads that live for one run or one command, not a long-lived host.

import { setKernels } from '../kernels';
import { setVecAllocator, type VecAllocator } from '../tensor';
import { WasmArena } from './arena';
import { createWasmKernels, type WasmKernels } from './kernels';
import { setSgdUpdate } from '../word2vec/word2vec';
import { wasmSgdUpdate } from './word2vec';

export { WasmArena } from './arena';
export { createWasmKernels, runtimeHasRelaxedSimd } from './kernels';

export interface WasmEngine {
  readonly arena: WasmArena;
  readonly kernels: WasmKernels;
}

let active: WasmEngine | null = null;

/**
 * Node 20's V8 has relaxed SIMD (the FMA variant) behind --experimental-wasm-relaxed-simd; newer
 * runtimes (Electron's, Node 22) ship it. On Node, turn the flag on at run time, before the first
 * compile; elsewhere (no process.getBuiltinModule) nothing happens and validation decides.
 */
function enableRelaxedSimdFlag(): void {
  type V8 = { setFlagsFromString(flags: string): void };
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const v8 = proc?.getBuiltinModule?.('node:v8') as V8 | undefined;
  v8?.setFlagsFromString('--experimental-wasm-relaxed-simd');
}

/** The installed WASM engine, or null while the TypeScript reference is active. */
export const activeWasmEngine = (): WasmEngine | null => active;

/**
 * RNN_LAB_THREADS=1|2 when set (the bench and users can pin it), else 1. Whether a training run gets
 * the second core is the pipeline's decision (src/pipeline/training/cores.ts: two cores and no other
 * RNN Lab training), passed in as useWasmKernels({ threads }).
 */
export function defaultThreads(): 1 | 2 {
  const proc = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  return proc?.env?.RNN_LAB_THREADS === '2' ? 2 : 1;
}

/**
 * Installs the WASM kernels and the arena allocator (f32 only; f64 stays plain). Returns the
 * engine, or null when this runtime has no WebAssembly SIMD (the reference kernels stay).
 * fma: force the relaxed-SIMD variant on or off (default: when the runtime validates it).
 * threads: 2 starts a helper thread sharing each large GEMM (default: see defaultThreads).
 */
export function useWasmKernels(opts: { fma?: boolean; threads?: 1 | 2 } = {}): WasmEngine | null {
  if (active) return active;
  if (opts.fma !== false) enableRelaxedSimdFlag();
  let engine: WasmEngine;
  try {
    const arena = new WasmArena();
    engine = { arena, kernels: createWasmKernels(arena, opts.fma) };
  } catch {
    return null; // no SIMD or no shared memory in this runtime
  }
  const allocate: VecAllocator = (dtype, n) =>
    dtype === 'f32' ? engine.arena.allocF32(n) ?? new Float32Array(n) : new Float64Array(n);
  if ((opts.threads ?? defaultThreads()) >= 2) engine.kernels.useSecondThread();
  setVecAllocator(allocate);
  setKernels(engine.kernels);
  setSgdUpdate(wasmSgdUpdate(engine.arena, engine.kernels.exports));
  active = engine;
  return engine;
}

/** Back to plain typed arrays and the TypeScript kernels (buffers already allocated stay valid). */
export function restoreReferenceKernels(): void {
  active?.kernels.stopSecondThread();
  setVecAllocator(null);
  setKernels(null);
  setSgdUpdate(null);
  active = null;
}
