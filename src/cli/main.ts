// The rnn-lab command line: dispatch to a command, map errors to exit codes
// (0 done, 1 the work failed, 2 bad usage or input, with a one-line message).
import { isInputError } from '../pipeline/errors';
import { EXPORT_USAGE, exportCommand } from './exportOnnx';
import { EXPORT_PYTORCH_USAGE, exportPyTorchCommand } from './exportPyTorch';
import { LABEL_USAGE, PREDICT_USAGE, SAMPLE_USAGE, labelCommand, predictCommand, sampleCommand } from './infer';
import type { CliIO } from './output';
import { TRAIN_USAGE, train } from './train';
import { ANALOGY_USAGE, DEBIAS_USAGE, EXPORT_VECTORS_USAGE, NEIGHBORS_USAGE, analogyCommand, debiasCommand, exportVectorsCommand, neighborsCommand } from './vectors';
import { TRANSLATE_USAGE, translateCommand } from './translate';

const BENCH_USAGE = 'rnn-lab bench [--json]';

export const USAGE = ['usage:', TRAIN_USAGE, SAMPLE_USAGE, LABEL_USAGE, PREDICT_USAGE, TRANSLATE_USAGE, EXPORT_USAGE, EXPORT_PYTORCH_USAGE, NEIGHBORS_USAGE, ANALOGY_USAGE, EXPORT_VECTORS_USAGE, DEBIAS_USAGE, BENCH_USAGE]
  .map((line, i) => (i === 0 ? line : `  ${line}`)).join('\n')
  + '\nMODEL is a run folder or an .onnx file (neighbors, analogy, export-vectors, debias: also a GloVe / word2vec .txt file). Exit codes: 0 done, 1 failed, 2 bad usage or input.\n';

export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'train': return await train(rest, io);
      case 'sample': return sampleCommand(rest, io);
      case 'label': return labelCommand(rest, io);
      case 'predict': return predictCommand(rest, io);
      case 'translate': return translateCommand(rest, io);
      case 'export': return exportCommand(rest, io);
      case 'export-pytorch': return exportPyTorchCommand(rest, io);
      case 'neighbors': return neighborsCommand(rest, io);
      case 'analogy': return analogyCommand(rest, io);
      case 'export-vectors': return exportVectorsCommand(rest, io);
      case 'debias': return debiasCommand(rest, io);
      case 'bench': return await bench(rest, io);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.out(USAGE);
        return command === undefined ? 2 : 0;
      default:
        io.err(`rnn-lab: unknown command ${JSON.stringify(command)}; expected train, sample, label, predict, translate, export, export-pytorch, neighbors, analogy, export-vectors, debias or bench\n${USAGE}`);
        return 2;
    }
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    io.err(`rnn-lab ${command}: ${message.split('\n')[0]}\n`);
    return isInputError(e) ? 2 : 1;
  }
}

/** `rnn-lab bench` belongs to the speed work (src/cli/bench.ts); required on use, so other commands start fast. */
async function bench(argv: readonly string[], io: CliIO): Promise<number> {
  const { runBench } = require('./bench') as typeof import('./bench');
  return await runBench(argv, io);
}
