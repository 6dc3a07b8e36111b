// The second core: a helper thread that shares large GEMMs. It instantiates the same kernel module
// on the same shared memory and waits on a control block there. A GEMM is cut into chunks (column
// ranges, or row ranges when C is narrow) that both threads claim from an atomic counter, so a
// helper that is late or descheduled never stalls the caller: the caller takes whatever is left and
// waits only for chunks already claimed. Every element of C is computed by the same code in the same
// order on either thread, so results are bit-identical to one thread.
//
// Threads come from Node's worker_threads, found at run time (process.getBuiltinModule), so the
// engine keeps no static Node import; where there are no workers, GEMMs stay on one thread.

import type { WasmArena } from './arena';
import type { WasmModule } from './webassembly';

// Control block, int32 slots (ALPHA is read as float32). CLAIM = (task << 16) | next chunk index.
// KIND 0: a GEMM in chunks of columns or rows (gemm's arguments in M_..LDC); KIND 1: a row kernel
// (ROW_FNS[FN]) over chunks of CHUNK rows of M_, called (r0, r1, ...ARGS[0..NARGS), ws).
const SEQ = 0, CLAIM = 1, DONE = 2, QUIT = 3, TOTAL = 4, BY_ROWS = 5, CHUNK = 6, M_ = 7, N_ = 8, K_ = 9, ALPHA = 10,
  A_ = 11, ARS = 12, AKS = 13, B_ = 14, BKS = 15, BNS = 16, C_ = 17, LDC = 18, KIND = 19, FN = 20, NARGS = 21, INIT = 22, BIAS = 23, ARGS = 24;
const MAX_ARGS = 24;
/** Set to 1 by the helper once its module is instantiated and it polls (READY), and as it leaves its loop for good (GONE). */
const READY = ARGS + MAX_ARGS, GONE = READY + 1;
const SLOTS = GONE + 1;
/** Polls (~100-200 µs) before a waiting thread sleeps (Atomics.wait): long enough to bridge the pointwise work between two GEMMs of a step; the helper only runs when two cores are free. */
const SPIN_POLLS = 50_000;
/** The row kernels a KIND 1 task can run, by FN: each takes (r0, r1, ...args, ws) and touches only its rows. */
export const ROW_FNS = ['lstm_seq_fwd', 'lstm_seq_bwd', 'gru_seq_fwd', 'gru_seq_bwd', 'softmax_xent', 'adam_update', 'gemv_p8', 'gemv_p8x2'] as const;
export type RowFn = (typeof ROW_FNS)[number];

/**
 * Claims chunks of the current task and runs them; returns when no chunk of `task` is left. Kept as
 * source text so the helper (an eval'd worker) and the caller run exactly the same code, whatever a
 * bundler does to names. ex: the module's exports on this thread; seq: its ROW_FNS, in order.
 */
const WORK_CHUNKS_SOURCE = `
  for (;;) {
    const v = Atomics.load(ctl, ${CLAIM});
    if (v >>> 16 !== task) return;
    const index = v & 0xffff;
    if (index >= ctl[${TOTAL}]) return;
    if (Atomics.compareExchange(ctl, ${CLAIM}, v, v + 1) !== v) continue;
    const chunk = ctl[${CHUNK}], M = ctl[${M_}];
    if (ctl[${KIND}] === 1) {
      const r0 = index * chunk, r1 = Math.min(M, r0 + chunk), n = ctl[${NARGS}];
      const a = ctl.subarray(${ARGS}, ${ARGS} + n);
      seq[ctl[${FN}]](r0, r1, ...a, ws);
    } else {
      const N = ctl[${N_}], ars = ctl[${ARS}], ldc = ctl[${LDC}];
      if (ctl[${BY_ROWS}]) {
        const i0 = index * chunk, rows = Math.min(chunk, M - i0);
        ex.gemm(rows, 0, N, ctl[${K_}], f32[${ALPHA}], ctl[${A_}] + i0 * ars, ars, ctl[${AKS}], ctl[${B_}], ctl[${BKS}], ctl[${BNS}], ctl[${C_}] + i0 * ldc, ldc, ws, ctl[${INIT}], ctl[${BIAS}]);
      } else {
        const j0 = index * chunk;
        ex.gemm(M, j0, Math.min(N, j0 + chunk), ctl[${K_}], f32[${ALPHA}], ctl[${A_}], ars, ctl[${AKS}], ctl[${B_}], ctl[${BKS}], ctl[${BNS}], ctl[${C_}], ldc, ws, ctl[${INIT}], ctl[${BIAS}]);
      }
    }
    Atomics.add(ctl, ${DONE}, 1);
    Atomics.notify(ctl, ${DONE});
  }`;
type SeqKernel = (...args: number[]) => void;
interface TeamExports { gemm: GemmFn }
const workChunks = new Function('ctl', 'f32', 'task', 'ex', 'seq', 'ws', WORK_CHUNKS_SOURCE) as
  (ctl: Int32Array, f32: Float32Array, task: number, ex: TeamExports, seq: readonly SeqKernel[], ws: number) => void;

/** The helper thread's program (evaluated as a worker). */
const HELPER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, control, workspace } = workerData;
const ex = new WebAssembly.Instance(module, { env: { memory } }).exports;
const seq = ${JSON.stringify(ROW_FNS)}.map((name) => ex[name]);
const ctl = new Int32Array(memory.buffer, control, ${SLOTS});
const f32 = new Float32Array(memory.buffer, control, ${SLOTS});
Atomics.store(ctl, ${READY}, 1);
Atomics.notify(ctl, ${READY});
function workChunks(ctl, f32, task, ex, seq, ws) {${WORK_CHUNKS_SOURCE}
}
let seen = 0;
for (;;) {
  let polls = 0;
  while (Atomics.load(ctl, ${SEQ}) === seen) {
    if (++polls > ${SPIN_POLLS}) { Atomics.wait(ctl, ${SEQ}, seen); polls = 0; }
  }
  seen = Atomics.load(ctl, ${SEQ});
  if (ctl[${QUIT}]) { Atomics.store(ctl, ${GONE}, 1); Atomics.notify(ctl, ${GONE}); break; }
  workChunks(ctl, f32, seen & 0x7fff, ex, seq, workspace);
}
`;

type GemmFn = (M: number, j0: number, j1: number, K: number, alpha: number, A: number, ars: number, aks: number,
  B: number, bks: number, bns: number, C: number, ldc: number, ws: number, init: number, bias: number) => void;

interface NodeWorker {
  unref(): void;
  terminate(): Promise<number>;
}
type WorkerCtor = new (source: string, options: { eval: true; workerData: unknown }) => NodeWorker;

/** Chunks of a split GEMM (two per thread): columns in multiples of 8 (the micro-kernel width), or rows in multiples of 4. */
const MAX_CHUNKS = 4;
/** Chunks of a row kernel's rows: one per thread (a sequence kernel's GEMMs then have half the batch; more chunks would shrink them further). */
const ROW_CHUNKS = 2;

/** One helper thread sharing the GEMMs of the calling thread. */
export class GemmTeam {
  private readonly ctl: Int32Array;
  private readonly f32: Float32Array;
  private seq = 0;
  /** GEMMs handed out in chunks so far, and chunks the helper took (for tests and the bench). */
  splits = 0;

  private constructor(private readonly worker: NodeWorker, control: number, arena: WasmArena) {
    this.ctl = new Int32Array(arena.memory.buffer, control, SLOTS);
    this.f32 = new Float32Array(arena.memory.buffer, control, SLOTS);
  }

  /** Bytes of the control block start() needs in the arena. */
  static readonly CONTROL_BYTES = SLOTS * 4;

  /**
   * A helper thread on arena's memory running `module` (the same variant as the caller), or null
   * without worker_threads. control (CONTROL_BYTES) and workspace (the helper's GEMM workspace) are
   * the caller's, reused by each helper it starts: the arena never frees.
   */
  static start(arena: WasmArena, module: WasmModule, control: number, workspace: number): GemmTeam | null {
    const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
    const threads = proc?.getBuiltinModule?.('node:worker_threads') as { Worker?: WorkerCtor } | undefined;
    if (!threads?.Worker) return null;
    new Int32Array(arena.memory.buffer, control, SLOTS).fill(0);
    const worker = new threads.Worker(HELPER_SOURCE, { eval: true, workerData: { module, memory: arena.memory, control, workspace } });
    worker.unref(); // never keeps a process alive; it dies with its parent thread
    return new GemmTeam(worker, control, arena);
  }

  /** C (M,N) += alpha·op(A)·op(B) in chunks shared with the helper. Arguments as the module's gemm (bytes). */
  gemm(ex: TeamExports, M: number, N: number, K: number, alpha: number, A: number, ars: number, aks: number,
    B: number, bks: number, bns: number, C: number, ldc: number, ws: number, init = 0, bias = 0): void {
    const ctl = this.ctl;
    // Every chunk packs its own op(A) block (column chunks: all M×K of it) or op(B) block (row
    // chunks: all K×N): cut along the dimension whose repacking is cheaper.
    const byRows = N < M;
    const chunk = byRows ? Math.max(4, Math.ceil(M / MAX_CHUNKS / 4) * 4) : Math.max(8, Math.ceil(N / MAX_CHUNKS / 8) * 8);
    ctl[KIND] = 0; ctl[BY_ROWS] = byRows ? 1 : 0;
    ctl[M_] = M; ctl[N_] = N; ctl[K_] = K; this.f32[ALPHA] = alpha;
    ctl[A_] = A; ctl[ARS] = ars; ctl[AKS] = aks; ctl[B_] = B; ctl[BKS] = bks; ctl[BNS] = bns; ctl[C_] = C; ctl[LDC] = ldc;
    ctl[INIT] = init; ctl[BIAS] = bias;
    this.run(ex, [], chunk, Math.ceil((byRows ? M : N) / chunk), ws);
  }

  /**
   * A row kernel over rows [0, rows) in chunks of about half the rows (multiples of `align`), one
   * per thread: fn(r0, r1, ...args, ws). For a sequence kernel the rows are a recurrent layer's
   * batch, independent through the window, so the threads meet only at its end; for a batch-1 step's
   * gemv (align 8: whole packed panels) they are output rows. seq: this thread's ROW_FNS.
   */
  rows(ex: TeamExports, seq: readonly SeqKernel[], fn: RowFn, rows: number, args: readonly number[], ws: number, align = 4): void {
    if (args.length > MAX_ARGS) throw new Error(`GemmTeam.rows: ${args.length} arguments, at most ${MAX_ARGS}`);
    const ctl = this.ctl;
    const chunk = Math.max(align, Math.ceil(rows / ROW_CHUNKS / align) * align);
    ctl[KIND] = 1; ctl[FN] = ROW_FNS.indexOf(fn); ctl[M_] = rows; ctl[NARGS] = args.length;
    ctl.set(args, ARGS);
    this.run(ex, seq, chunk, Math.ceil(rows / chunk), ws);
  }

  private run(ex: TeamExports, seq: readonly SeqKernel[], chunk: number, total: number, ws: number): void {
    const ctl = this.ctl;
    ctl[TOTAL] = total; ctl[CHUNK] = chunk;
    const task = (this.seq = (this.seq + 1) & 0x7fff) || (this.seq = 1);
    Atomics.store(ctl, DONE, 0);
    Atomics.store(ctl, CLAIM, task << 16);
    Atomics.store(ctl, SEQ, task);
    Atomics.notify(ctl, SEQ);
    workChunks(ctl, this.f32, task, ex, seq, ws);
    // Only chunks the helper has claimed (and is running) can be outstanding.
    let polls = 0;
    for (let done = Atomics.load(ctl, DONE); done < total; done = Atomics.load(ctl, DONE)) {
      if (++polls > SPIN_POLLS) Atomics.wait(ctl, DONE, done, 1);
    }
    this.splits++;
  }

  /**
   * Blocks until the helper thread runs (it takes tens of milliseconds to start), at most timeoutMs;
   * true when it does. Work handed out before then is done by the caller alone, so only a
   * measurement needs this.
   */
  waitReady(timeoutMs: number): boolean {
    return this.awaitFlag(READY, timeoutMs);
  }

  /** Waits (Atomics.wait, woken by the helper's notify) until slot is set, at most timeoutMs; true when it is. */
  private awaitFlag(slot: number, timeoutMs: number): boolean {
    const until = performance.now() + timeoutMs;
    while (Atomics.load(this.ctl, slot) === 0) {
      const left = until - performance.now();
      if (left <= 0) return false;
      Atomics.wait(this.ctl, slot, 0, left);
    }
    return true;
  }

  /**
   * Stops the helper thread. True when it has left its loop (within a few milliseconds), so the
   * control block and workspace can serve another helper; false when it never answered (it had not
   * started, or is not scheduled): then they must not be reused.
   */
  stop(): boolean {
    this.ctl[QUIT] = 1;
    Atomics.store(this.ctl, SEQ, 0x7fff + 1);
    Atomics.notify(this.ctl, SEQ);
    const gone = this.awaitFlag(GONE, Atomics.load(this.ctl, READY) ? 200 : 0);
    void this.worker.terminate();
    return gone;
  }
}
