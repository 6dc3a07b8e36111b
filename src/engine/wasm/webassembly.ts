// Typed access to the WebAssembly global: the project's tsconfig has no DOM lib, so the few parts
// the kernels use are declared here (as in lib.dom.d.ts) instead of a global declaration that would
// clash with it.

export interface WasmMemory {
  readonly buffer: ArrayBufferLike;
  grow(deltaPages: number): number;
}
export interface WasmMemoryDescriptor {
  initial: number;
  maximum?: number;
  shared?: boolean;
}
export type WasmModule = object;
export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}
interface WebAssemblyApi {
  Memory: new (descriptor: WasmMemoryDescriptor) => WasmMemory;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: Record<string, Record<string, unknown>>) => WasmInstance;
  validate(bytes: Uint8Array): boolean;
}

export const WebAssemblyApi = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;
