// One shared WebAssembly.Memory holding the engine's float32 buffers, so the WASM kernels run on
// them in place. Shared memory is used because growing it never detaches existing views (a plain
// Memory's grow() would invalidate every Float32Array handed out), and because a second thread can
// work on the same buffers (see ./parallel.ts).
//
// Allocation is a bump pointer and nothing is freed: a worker lives for one run, so its model and
// optimizer buffers are allocated once. Past the reserve, allocations fall back to plain typed
// arrays, which the kernels still accept (they copy them through a scratch area).

import { WebAssemblyApi, type WasmMemory } from './webassembly';

const PAGE = 65536;
/** 16384 pages = 1 GiB of address space, reserved, not committed: untouched pages cost nothing. */
export const MAX_PAGES = 16384;
const ALIGN = 64; // a cache line, so SIMD rows start aligned when their lengths allow

export class WasmArena {
  readonly memory: WasmMemory;
  /**
   * SharedArrayBuffer objects known to show this memory. V8 hands out a new wrapper object for the
   * same shared memory after a grow (even another memory's), so identity alone cannot tell a view
   * of ours: a random canary written at address 0 (never allocated) decides, and the answer is cached.
   */
  private readonly buffers = new WeakSet<ArrayBufferLike>();
  private readonly canary: Int32Array;
  private top: number;

  constructor(memory?: WasmMemory) {
    this.memory = memory ?? new WebAssemblyApi.Memory({ initial: 16, maximum: MAX_PAGES, shared: true });
    this.canary = new Int32Array([(Math.random() * 2 ** 31) | 0, (Math.random() * 2 ** 31) | 0, 0x524e4e4c]);
    new Int32Array(this.memory.buffer, 0, 3).set(this.canary);
    this.buffers.add(this.memory.buffer);
    this.top = ALIGN; // the first cache line holds the canary; a null pointer is never a buffer
  }

  /** Bytes handed out so far. */
  get used(): number {
    return this.top;
  }

  /** True when v lives in this arena's memory (so kernels can pass byteOffset as a pointer). */
  owns(v: ArrayBufferView): boolean {
    const buf = v.buffer;
    if (this.buffers.has(buf)) return true;
    if (!(buf instanceof SharedArrayBuffer) || buf.byteLength < 12) return false;
    const head = new Int32Array(buf, 0, 3);
    for (let i = 0; i < 3; i++) if (head[i] !== this.canary[i]) return false;
    this.buffers.add(buf);
    return true;
  }

  /** n zero float32s in the arena, or null when the reserve is exhausted. */
  allocF32(n: number): Float32Array | null {
    const start = this.reserve(n * 4);
    return start < 0 ? null : new Float32Array(this.memory.buffer, start, n);
  }

  /** Byte address of a fresh block of `bytes` bytes (zeroed by the memory), or -1 when full. */
  reserve(bytes: number): number {
    const start = this.top;
    const end = start + Math.ceil(bytes / ALIGN) * ALIGN;
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      const pages = Math.ceil((end - have) / PAGE);
      if (have / PAGE + pages > MAX_PAGES) return -1;
      try {
        this.memory.grow(pages);
      } catch {
        return -1; // past the memory's own maximum (a smaller memory passed in), or no address space left
      }
      this.buffers.add(this.memory.buffer);
    }
    this.top = end;
    return start;
  }

  /** The current full-size view (re-read after any allocation: growth makes a new buffer object). */
  f32(): Float32Array {
    const buf = this.memory.buffer;
    this.buffers.add(buf);
    return new Float32Array(buf);
  }
}
