// Flat numeric buffers of the engine. Every engine buffer (params, grads, activations, caches,
// optimizer state) is allocated through allocVec, so the speed work can swap in an allocator that
// places float32 buffers inside WebAssembly memory (kernels then run in place, no copies).
//
// f64 is for gradient checks and reference comparisons; f32 is for training. Both run through the
// same code: functions take a Vec and never ask which one it is.

export type DType = 'f32' | 'f64';
export type Vec = Float32Array | Float64Array;

/** Returns a zero-filled buffer of n elements of the given type. */
export type VecAllocator = (dtype: DType, n: number) => Vec;

const plainAllocator: VecAllocator = (dtype, n) => (dtype === 'f32' ? new Float32Array(n) : new Float64Array(n));

let allocator: VecAllocator = plainAllocator;

/** A zero-filled buffer of n elements; the one way engine code gets memory. */
export function allocVec(dtype: DType, n: number): Vec {
  if (!Number.isInteger(n) || n < 0) throw new Error(`allocVec: expected a non-negative integer size, got ${n}`);
  return allocator(dtype, n);
}

/** Installs another allocator (e.g. WebAssembly memory); null restores plain typed arrays. */
export function setVecAllocator(next: VecAllocator | null): void {
  allocator = next ?? plainAllocator;
}

export const dtypeOf = (v: Vec): DType => (v instanceof Float32Array ? 'f32' : 'f64');

/** A new Vec of the given type holding the values of src (converted if the types differ). */
export function vecFrom(dtype: DType, src: ArrayLike<number>): Vec {
  const out = allocVec(dtype, src.length);
  for (let i = 0; i < src.length; i++) out[i] = src[i];
  return out;
}
