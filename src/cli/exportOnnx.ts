// rnn-lab export RUN_DIR OUT.onnx: the run's model as standard ONNX with its vocabulary and task in
// metadata_props; written atomically, so an existing OUT is replaced whole or not at all. A seq2seq
// run is two graphs: OUT.encoder.onnx and OUT.decoder.onnx.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../pipeline/atomicFile';
import { inputError } from '../pipeline/errors';
import { exportRunToOnnx } from '../pipeline/loadModel';
import { exportSeq2SeqPair, isSeq2SeqModel } from '../pipeline/seq2seq/model';
import { parseArgs, UsageError } from './args';
import type { CliIO } from './output';

export const EXPORT_USAGE = 'rnn-lab export RUN_DIR OUT.onnx';

export function exportCommand(argv: readonly string[], io: CliIO): number {
  const args = parseArgs(argv, [], [], EXPORT_USAGE);
  if (args.positional.length !== 2) throw new UsageError(`expected RUN_DIR and OUT.onnx; usage: ${EXPORT_USAGE}`);
  const [runDir, out] = args.positional;
  if (!out.toLowerCase().endsWith('.onnx')) throw new UsageError(`${out}: expected an output path ending in .onnx`);
  const target = path.resolve(out);
  const folder = path.dirname(target);
  if (!fs.existsSync(folder) || !fs.statSync(folder).isDirectory()) {
    throw inputError(out, `the folder ${path.dirname(out) || '.'} does not exist; create it first or choose another OUT.onnx`);
  }
  if (isSeq2SeqModel(runDir)) {
    for (const file of exportSeq2SeqPair(runDir, target)) io.err(`wrote ${file}\n`);
    return 0;
  }
  const bytes = exportRunToOnnx(runDir);
  writeFileAtomic(target, bytes);
  io.err(`wrote ${out} (${bytes.length} bytes)\n`);
  return 0;
}
