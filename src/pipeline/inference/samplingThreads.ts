// Sampling one token at a time is bound by reading the model's weights: on two cores each thread
// reads half the rows of every large product of a step, and each half stays in its own core's cache
// (model B of the bench, GRU 2×256: 13K → 26K tokens/s). A long sample of a large model borrows the
// engine's second thread for its length when the machine has two cores and no RNN Lab training runs
// (cores.ts; the claim is held meanwhile, so a training that starts takes one core).
import type { ModelSpec } from '../../engine/spec';
import { activeWasmEngine } from '../../engine/wasm';
import { stepWork } from '../../engine/wasm/stepper';
import { claimCores } from '../training/cores';

/** Below this much work in all (about 15 ms on one core) starting the helper thread costs more than it saves. */
const MIN_SAMPLE_MACS = 2e8;

/** Starts the active engine's second thread for a sample of `length` tokens of spec when that pays; returns what ends it. */
export function borrowSecondThread(spec: ModelSpec, length: number): () => void {
  const engine = activeWasmEngine();
  const work = stepWork(spec);
  if (!engine || engine.kernels.team || !work.splits || work.macs * length < MIN_SAMPLE_MACS) return () => undefined;
  const claim = claimCores('auto');
  if (claim.threads() < 2 || !engine.kernels.useSecondThread()) {
    claim.release();
    return () => undefined;
  }
  return () => {
    engine.kernels.stopSecondThread();
    claim.release();
  };
}
