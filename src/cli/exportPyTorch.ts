// rnn-lab export-pytorch (RUN_DIR | CONFIG.rnnconfig) OUT_DIR: a self-contained PyTorch project
// (train.py, README.md, requirements.txt; from a run also start.json + start.bin) that trains the
// same model on one process or many (torchrun) and writes an RNN Lab run folder.
import * as path from 'node:path';
import { exportPyTorchProject } from '../pipeline/exportPyTorch';
import { parseArgs, UsageError } from './args';
import type { CliIO } from './output';

export const EXPORT_PYTORCH_USAGE = 'rnn-lab export-pytorch (RUN_DIR | CONFIG.rnnconfig) OUT_DIR';

export function exportPyTorchCommand(argv: readonly string[], io: CliIO): number {
  const args = parseArgs(argv, [], [], EXPORT_PYTORCH_USAGE);
  if (args.positional.length !== 2) throw new UsageError(`expected RUN_DIR or CONFIG.rnnconfig, and OUT_DIR; usage: ${EXPORT_PYTORCH_USAGE}`);
  const [source, outDir] = args.positional;
  const result = exportPyTorchProject(source, outDir);
  const from = result.fromRun ? `the run at step ${result.step}` : 'the seed';
  io.err(`wrote ${result.files.map((f) => path.relative(process.cwd(), f) || f).join(', ')} (${result.task}, starting from ${from})\n`);
  io.err(`run: python ${path.join(outDir, 'train.py')} DATA --out RUN_DIR   (or torchrun --standalone --nproc-per-node N ...)\n`);
  return 0;
}
