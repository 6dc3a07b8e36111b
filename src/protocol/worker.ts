// Messages between the extension host (or the CLI) and a training worker (worker_threads).
// Discriminated on `type`; both sides switch exhaustively. Types only.
import type { Task } from './api';

/** Sent once when the worker starts (workerData). */
export interface WorkerStart {
  readonly configPath?: string;     // the .rnnconfig to train with (absolute); absent = the schema's defaults on dataPath
  readonly runDir: string;          // the run folder to write (absolute); created if missing
  readonly dataPath?: string;       // overrides data.train of the config (Train on This File)
  readonly resume: boolean;         // continue from runDir's checkpoint
  readonly steps?: number;          // overrides training.steps
  readonly seed?: number;           // overrides training.seed
  readonly background?: boolean;    // lower the training thread's CPU priority so the editor's thread always wins (the extension sets it)
  readonly threads?: 1 | 2;         // kernel threads; absent = two while no other RNN Lab training runs (src/pipeline/training/cores.ts)
}

export type HostToWorker =
  | { readonly type: 'stop' }                                      // save a checkpoint, then end
  | { readonly type: 'sample'; readonly prime: string; readonly length: number; readonly temperature: number };

export interface ProgressReport {
  readonly step: number;
  readonly totalSteps: number;
  readonly epoch: number;
  readonly loss: number;
  readonly valLoss?: number;
  readonly tokensPerSec: number;
  readonly etaSec: number;
  readonly lr: number;
  readonly gradNorm?: number;                  // global, before clipping (absent: embed, whose SGD forms no batch gradient)
  readonly layerGradNorms: readonly number[];  // one per parameter group (embedding, layers, head)
  readonly clipRate: number;                   // share of steps clipped so far
  readonly clipped: boolean;                   // this step
  readonly dLda: readonly number[];            // ‖∂L/∂a<t>‖ for t = 1..T of the latest window (layer 0)
  readonly time: number;                       // ms since epoch
  readonly valExactMatch?: number;             // seq2seq, at evaluations: share of outputs equal to the target
  readonly valBleu?: number;                   // seq2seq, at evaluations: corpus BLEU-4, 0..1
}

/** embed: a probe word and its nearest neighbours by cosine, as the run stands. */
export interface ProbeNeighbors {
  readonly word: string;
  readonly neighbors: readonly { readonly word: string; readonly cosine: number }[];
}

export type WorkerToHost =
  | { readonly type: 'started'; readonly runDir: string; readonly totalSteps: number; readonly task: Task; readonly paramCount: number }
  | { readonly type: 'note'; readonly message: string; readonly warning?: boolean }   // something the user should know (e.g. how many words data.vectors had); warning: a setting without effect on this run
  | { readonly type: 'progress'; readonly progress: ProgressReport }
  | { readonly type: 'sample'; readonly step: number; readonly text: string }
  | { readonly type: 'checkpoint'; readonly step: number; readonly path: string }
  | { readonly type: 'neighbors'; readonly step: number; readonly probes: readonly ProbeNeighbors[] }   // embed, every evalEvery steps
  | { readonly type: 'done'; readonly reason: 'finished' | 'stopped' | 'early-stopped'; readonly step: number; readonly bestValLoss?: number; readonly bestStep?: number }
  | { readonly type: 'error'; readonly message: string; readonly badInput: boolean; readonly at?: FaultLocation };

/** The file a training error is about (absent: neither the config nor a data file). */
export interface FaultLocation {
  readonly kind: 'config' | 'data';   // config: a value, or the field naming a missing file; data: the file's content
  readonly file: string;              // absolute
  readonly line?: number;             // 1-based
}
