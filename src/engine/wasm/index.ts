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
 * A WASM engine (its own arena and kernels) without installing it; null when this runtime has no
 * WebAssembly SIMD. fma: force the relaxed-SIMD variant on or off (default: when the runtime
 * validates it). threads: 2 starts a helper thread sharing the large kernels (default: defaultThreads).
 */
export function createWasmEngine(opts: { fma?: boolean; threads?: 1 | 2 } = {}): WasmEngine | null {
  if (opts.fma !== false) enableRelaxedSimdFlag();
  let engine: WasmEngine;
  try {
    const arena = new WasmArena();
    engine = { arena, kernels: createWasmKernels(arena, opts.fma) };
  } catch {
    return null; // no SIMD or no shared memory in this runtime
  }
  if ((opts.threads ?? defaultThreads()) >= 2) engine.kernels.useSecondThread();
  return engine;
}

/**
 * Makes engine the active one: float32 buffers allocated from now on live in its arena and the
 * kernels run on it (buffers of another arena still work, through scratch copies). A long-lived
 * thread gives each model it loads an engine of its own and activates it before using the model,
 * so a model dropped takes its memory with it (src/pipeline/inference/modelCache.ts).
 */
export function activateWasmEngine(engine: WasmEngine): void {
  if (active === engine) return;
  const allocate: VecAllocator = (dtype, n) =>
    dtype === 'f32' ? engine.arena.allocF32(n) ?? new Float32Array(n) : new Float64Array(n);
  setVecAllocator(allocate);
  setKernels(engine.kernels);
  setSgdUpdate(wasmSgdUpdate(engine.arena, engine.kernels.exports));
  active = engine;
}

/**
 * Installs a WASM engine (createWasmEngine, activateWasmEngine) unless one is active, and returns
 * the active one; null when this runtime has no WebAssembly SIMD (the reference kernels stay).
 */
export function useWasmKernels(opts: { fma?: boolean; threads?: 1 | 2 } = {}): WasmEngine | null {
  if (active) return active;
  const engine = createWasmEngine(opts);
  if (engine) activateWasmEngine(engine);
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
