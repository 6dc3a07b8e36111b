// The second core: a helper thread that takes half of each large GEMM. It instantiates the same
// kernel module on the same shared memory and waits on a control block there; the caller splits
// C's columns in two (at a multiple of 8, the micro-kernel width), hands one range to the helper,
// computes the other, and waits. Every element of C is computed by the same code in the same order
// as on one thread, so results are bit-identical to the single-threaded kernels.
//
// Threads are created through Node's worker_threads, found at run time (process.getBuiltinModule),
// so the engine keeps no static Node import; where there are no workers, GEMMs stay on one thread.

import type { WasmArena } from './arena';
import type { WasmModule } from './webassembly';

// Control block (int32 slots; ALPHA is read as float32).
const SEQ = 0, DONE = 1, QUIT = 2, S_M = 3, S_J0 = 4, S_J1 = 5, S_K = 6, S_ALPHA = 7, S_A = 8, S_ARS = 9, S_AKS = 10, S_B = 11, S_BKS = 12, S_BNS = 13, S_C = 14, S_LDC = 15;
const SLOTS = 32;
/** Busy-wait this many polls for the next GEMM before sleeping (GEMMs come every few microseconds in a training step). */
const SPIN_POLLS = 200_000;

/** The helper thread's program (evaluated as a worker; plain JavaScript, no imports of ours). */
const HELPER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, control, workspace } = workerData;
const gemm = new WebAssembly.Instance(module, { env: { memory } }).exports.gemm;
const ctl = new Int32Array(memory.buffer, control, ${SLOTS});
const f32 = new Float32Array(memory.buffer, control, ${SLOTS});
let seen = 0;
for (;;) {
  let polls = 0;
  while (Atomics.load(ctl, ${SEQ}) === seen) {
    if (++polls > ${SPIN_POLLS}) { Atomics.wait(ctl, ${SEQ}, seen); polls = 0; }
  }
  seen = Atomics.load(ctl, ${SEQ});
  if (ctl[${QUIT}]) break;
  gemm(ctl[${S_M}], ctl[${S_J0}], ctl[${S_J1}], ctl[${S_K}], f32[${S_ALPHA}], ctl[${S_A}], ctl[${S_ARS}], ctl[${S_AKS}],
       ctl[${S_B}], ctl[${S_BKS}], ctl[${S_BNS}], ctl[${S_C}], ctl[${S_LDC}], workspace);
  Atomics.store(ctl, ${DONE}, seen);
}
`;

type GemmFn = (M: number, j0: number, j1: number, K: number, alpha: number, A: number, ars: number, aks: number,
  B: number, bks: number, bns: number, C: number, ldc: number, ws: number) => void;

interface NodeWorker {
  unref(): void;
  terminate(): Promise<number>;
}
type WorkerCtor = new (source: string, options: { eval: true; workerData: unknown }) => NodeWorker;

/** One helper thread sharing the GEMMs of the calling thread. */
export class GemmTeam {
  private readonly ctl: Int32Array;
  private readonly f32: Float32Array;
  private seq = 0;
  /** GEMMs handed to the helper so far (for tests and the bench). */
  splits = 0;

  private constructor(private readonly worker: NodeWorker, control: number, arena: WasmArena) {
    this.ctl = new Int32Array(arena.memory.buffer, control, SLOTS);
    this.f32 = new Float32Array(arena.memory.buffer, control, SLOTS);
  }

  /** A helper thread on arena's memory running `module` (the same variant as the caller), or null without worker_threads. */
  static start(arena: WasmArena, module: WasmModule, workspaceBytes: number): GemmTeam | null {
    const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
    const threads = proc?.getBuiltinModule?.('node:worker_threads') as { Worker?: WorkerCtor } | undefined;
    if (!threads?.Worker) return null;
    const control = arena.reserve(SLOTS * 4);
    const workspace = arena.reserve(workspaceBytes);
    if (control < 0 || workspace < 0) return null;
    const worker = new threads.Worker(HELPER_SOURCE, { eval: true, workerData: { module, memory: arena.memory, control, workspace } });
    worker.unref(); // never keeps a process alive; it dies with its parent thread
    return new GemmTeam(worker, control, arena);
  }

  /**
   * C[:, 0:N] += alpha·op(A)·op(B) with the columns [split, N) on the helper. Arguments as the
   * module's gemm (bytes); `gemm` is the caller's own instance.
   */
  gemm(gemm: GemmFn, split: number, M: number, N: number, K: number, alpha: number, A: number, ars: number, aks: number,
    B: number, bks: number, bns: number, C: number, ldc: number, ws: number): void {
    const ctl = this.ctl;
    ctl[S_M] = M; ctl[S_J0] = split; ctl[S_J1] = N; ctl[S_K] = K; this.f32[S_ALPHA] = alpha;
    ctl[S_A] = A; ctl[S_ARS] = ars; ctl[S_AKS] = aks; ctl[S_B] = B; ctl[S_BKS] = bks; ctl[S_BNS] = bns; ctl[S_C] = C; ctl[S_LDC] = ldc;
    const seq = ++this.seq;
    Atomics.store(ctl, SEQ, seq);
    Atomics.notify(ctl, SEQ);
    gemm(M, 0, split, K, alpha, A, ars, aks, B, bks, bns, C, ldc, ws);
    while (Atomics.load(ctl, DONE) !== seq) { /* the helper's half is about as long as ours */ }
    this.splits++;
  }

  /** Stops the helper thread. */
  stop(): void {
    this.ctl[QUIT] = 1;
    Atomics.store(this.ctl, SEQ, ++this.seq);
    Atomics.notify(this.ctl, SEQ);
    void this.worker.terminate();
  }
}
