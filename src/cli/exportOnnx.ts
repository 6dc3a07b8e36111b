// rnn-lab export RUN_DIR OUT.onnx: the run's model as standard ONNX with its vocabulary and task in
// metadata_props; written atomically, so an existing OUT is replaced whole or not at all.
import * as path from 'node:path';
import { writeFileAtomic } from '../pipeline/atomicFile';
import { exportRunToOnnx } from '../pipeline/loadModel';
import { parseArgs, UsageError } from './args';
import type { CliIO } from './output';

export const EXPORT_USAGE = 'rnn-lab export RUN_DIR OUT.onnx';

export function exportCommand(argv: readonly string[], io: CliIO): number {
  const args = parseArgs(argv, [], [], EXPORT_USAGE);
  if (args.positional.length !== 2) throw new UsageError(`expected RUN_DIR and OUT.onnx; usage: ${EXPORT_USAGE}`);
  const [runDir, out] = args.positional;
  if (!out.toLowerCase().endsWith('.onnx')) throw new UsageError(`${out}: expected an output path ending in .onnx`);
  const bytes = exportRunToOnnx(runDir);
  writeFileAtomic(path.resolve(out), bytes);
  io.err(`wrote ${out} (${bytes.length} bytes)\n`);
  return 0;
}
