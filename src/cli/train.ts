// rnn-lab train FILE [--config X.rnnconfig] [--out RUN_DIR] [--steps N] [--seed S] [--threads 1|2] [--json] [--resume]
// FILE is the data file (or a .rnnconfig, or with --resume a run folder). Trains in a worker thread.
import * as path from 'node:path';
import type { WorkerToHost } from '../protocol/worker';
import { startTraining } from '../pipeline/training/trainingClient';
import { loadConfig } from '../pipeline/config';
import { newRunDir } from '../pipeline/runStore';
import { parseArgs, schemaNumberOption, UsageError } from './args';
import { bar, duration, jsonLine, type CliIO } from './output';

export const TRAIN_USAGE = 'rnn-lab train FILE [--config X.rnnconfig] [--out RUN_DIR] [--steps N] [--seed S] [--threads 1|2] [--json] [--resume]';

const RESUME_REFUSES: readonly (readonly [string, string])[] = [
  ['config', 'a resumed run trains with its own config.rnnconfig snapshot (edit that file in the run folder to change it, or start a new run with --config)'],
  ['seed', 'a resumed run continues the random streams its checkpoint saved'],
  ['out', 'a resumed run writes into its own folder, FILE (give the run folder as FILE)'],
];

export async function train(argv: readonly string[], io: CliIO): Promise<number> {
  const args = parseArgs(argv, ['config', 'out', 'steps', 'seed', 'threads'], ['json', 'resume'], TRAIN_USAGE);
  if (args.positional.length !== 1) throw new UsageError(`expected one FILE; usage: ${TRAIN_USAGE}`);
  const file = path.resolve(args.positional[0]);
  const steps = schemaNumberOption(args, 'steps', 'training.steps');
  const seed = schemaNumberOption(args, 'seed', 'training.seed');
  const threadsOption = args.options.get('threads');
  if (threadsOption !== undefined && threadsOption !== '1' && threadsOption !== '2') throw new UsageError(`--threads expects 1 or 2, got ${JSON.stringify(threadsOption)}; usage: ${TRAIN_USAGE}`);
  const threads = threadsOption === undefined ? undefined : threadsOption === '2' ? 2 : 1; // absent: two while no other training runs
  const json = args.flags.has('json');
  const resume = args.flags.has('resume');
  if (resume) {
    // A resumed run trains on with its own snapshot: options that would start it differently are refused, not ignored.
    for (const [option, why] of RESUME_REFUSES) {
      if (args.options.has(option)) throw new UsageError(`--${option} cannot be used with --resume: ${why}`);
    }
  }
  let configPath = args.options.get('config');
  let dataPath: string | undefined = file;
  if (!configPath && file.endsWith('.rnnconfig')) { configPath = file; dataPath = undefined; }
  // The run is named by the config's "name", else by the config file (training from a config), else the data file.
  const config = configPath && !resume ? loadConfig(path.resolve(configPath), dataPath) : undefined;
  const name = config?.name || path.basename(configPath && !dataPath ? configPath : file);
  const runDir = resume ? file : path.resolve(args.options.get('out') ?? newRunDir(path.resolve('.rnnlab', 'runs'), name));

  const handle = startTraining({
    configPath: configPath ? path.resolve(configPath) : undefined, dataPath: resume ? undefined : dataPath, runDir, resume, steps, seed, threads,
  });
  const show = json ? (m: WorkerToHost) => io.out(jsonLine(m)) : humanProgress(io);
  handle.onMessage(show);
  const removeInterrupt = io.onInterrupt(() => handle.stop());
  const outcome = await handle.outcome;
  removeInterrupt();
  if (outcome.type === 'error') {
    if (!json) io.err(`${io.isTTY ? '\n' : ''}rnn-lab train: ${outcome.message}\n`);
    return outcome.badInput ? 2 : 1;
  }
  return 0;
}

/** A redrawn progress bar on a terminal; a line per evaluation otherwise. */
function humanProgress(io: CliIO): (m: WorkerToHost) => void {
  let total = 0, rate = 'tok/s';
  return (m) => {
    switch (m.type) {
      case 'started':
        total = m.totalSteps;
        if (m.task === 'embed') rate = 'pairs/s';
        io.err(`training ${m.task} model (${m.paramCount} parameters) → ${m.runDir}\n`);
        break;
      case 'progress': {
        const p = m.progress;
        const text = `${bar(p.step / total)} ${p.step}/${total} loss ${p.loss.toFixed(3)}${p.valLoss !== undefined ? ` val ${p.valLoss.toFixed(3)}` : ''}`
          + (p.valExactMatch !== undefined ? ` exact ${(100 * p.valExactMatch).toFixed(1)}% BLEU ${(100 * (p.valBleu ?? 0)).toFixed(1)}` : '')
          + ` ${Math.round(p.tokensPerSec)} ${rate} ETA ${duration(p.etaSec)}`;
        if (io.isTTY) io.err(`\r${text}\x1b[K`);
        else if (p.valLoss !== undefined) io.err(text + '\n');
        break;
      }
      case 'sample':
        io.err(`${io.isTTY ? '\n' : ''}sample at step ${m.step}: ${JSON.stringify(m.text.slice(0, 120))}\n`);
        break;
      case 'checkpoint':
        break;
      case 'neighbors':
        if (!io.isTTY) io.err(`neighbours at step ${m.step}: ${m.probes.map((p) => `${p.word} → ${p.neighbors.slice(0, 5).map((n) => n.word).join(', ')}`).join('; ')}\n`);
        break;
      case 'note':
        io.err(`${io.isTTY ? '\n' : ''}${m.warning ? 'warning: ' : ''}${m.message}\n`);
        break;
      case 'done':
        io.err(`${io.isTTY ? '\n' : ''}${m.reason} at step ${m.step}${m.bestValLoss !== undefined ? `, best validation loss ${m.bestValLoss.toFixed(4)}` : ''}\n`);
        break;
      case 'error':
        break;
    }
  };
}
