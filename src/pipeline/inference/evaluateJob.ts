// The inference worker's evaluate job: `rnn-lab eval`'s evaluateModelFile on a labelled file, then the
// report saved beside the model (eval-<file>.json). The model is loaded for the job into a WASM
// engine of its own (arenas never free, see modelCache.ts), dropped when the job ends.
import { activateWasmEngine, activeWasmEngine, createWasmEngine } from '../../engine/wasm';
import { evaluateModelFile, type EvalOptions } from '../eval/evalFile';
import { saveEvalReport } from '../eval/evalReportFile';
import type { EvalReport } from '../../protocol/evaluation';
import type { ModelRef } from '../../protocol/inference';

export interface EvaluationOutcome {
  readonly report: EvalReport;
  readonly step?: number;
  readonly saved: string;
}

/** Throws EvalCancelled when options.cancelled() says so between slices of the file. */
export function evaluateAndSave(model: ModelRef, file: string, options: EvalOptions): EvaluationOutcome {
  const before = activeWasmEngine();
  const engine = model.backend === 'engine' && before ? createWasmEngine({ threads: 1 }) : null;
  if (engine) activateWasmEngine(engine);
  try {
    const { report, step } = evaluateModelFile(model.path, file, model.backend, options);
    return { report, ...(step !== undefined ? { step } : {}), saved: saveEvalReport(model.path, file, report) };
  } finally {
    if (before) activateWasmEngine(before);
    engine?.kernels.stopSecondThread();
  }
}
