// Every rnn-lab command, in the order `rnn-lab --help` lists them: one entry each, so a new command is
// one line here (its CliCommand, or usage + summary + run) and gets `rnn-lab COMMAND --help` for free.
import type { CliCommand } from './command';
import { evalCommand } from './eval';
import { EXPORT_USAGE, exportCommand } from './exportOnnx';
import { EXPORT_PYTORCH_USAGE, exportPyTorchCommand } from './exportPyTorch';
import { LABEL_USAGE, PREDICT_USAGE, SAMPLE_USAGE, labelCommand, predictCommand, sampleCommand } from './infer';
import { runsCommand } from './runs';
import { TRAIN_USAGE, train } from './train';
import { TRANSLATE_USAGE, translateCommand } from './translate';
import { ANALOGY_USAGE, DEBIAS_USAGE, EXPORT_VECTORS_USAGE, NEIGHBORS_USAGE, analogyCommand, debiasCommand, exportVectorsCommand, neighborsCommand } from './vectors';

const BACKEND: readonly [string, string] = ['--backend engine|ort', 'run the model in the built-in engine (default) or in onnxruntime'];

export const COMMANDS: readonly CliCommand[] = [
  {
    name: 'train', usage: TRAIN_USAGE, run: train,
    summary: 'Trains a model on FILE (a data file, or a .rnnconfig that names its data) in a worker thread, writing a run '
      + 'folder; with --resume, FILE is a run folder and training continues from its checkpoint.bin.',
    options: [
      ['--config X.rnnconfig', 'the config to train with (default: the schema\'s defaults; refused with --resume)'],
      ['--out RUN_DIR', 'the run folder to write (default .rnnlab/runs/<yyyymmdd-hhmmss>-<name>)'],
      ['--steps N', 'train for N steps in all (overrides training.steps; with --resume, a new total)'],
      ['--seed S', 'the random seed (overrides training.seed, 0..2147483647)'],
      ['--threads 1|2', 'kernel threads of the run (default: two when the machine has two cores and no other RNN Lab training runs)'],
      ['--json', 'print the worker\'s messages (started, progress, sample, checkpoint, done, error), one JSON object a line'],
      ['--resume', 'continue the run folder FILE from its checkpoint (stopped, crashed or finished with more --steps)'],
    ],
    notes: 'Ctrl-C stops the run with a checkpoint; `rnn-lab train RUN_DIR --resume` continues it.',
  },
  {
    name: 'sample', usage: SAMPLE_USAGE, run: sampleCommand,
    summary: 'Generates text from a language model, primed with --prime; the defaults are the config\'s sampling section.',
    options: [
      ['--prime TEXT', 'text fed to the model before sampling (sampling.prime)'],
      ['--temperature T', '0..10: below 1 more conservative, above 1 more surprising, 0 always the most likely token'],
      ['--top-k K', 'sample among the K most likely tokens (0 = all)'],
      ['--top-p P', 'nucleus sampling: among the most likely tokens whose probabilities add up to P, in (0, 1]'],
      ['--length N', 'tokens to generate, 1..100000'],
      ['--seed S', 'the random seed, 0..2147483647 (default 0)'],
      BACKEND,
      ['--json', 'print {"text": ...} once the text is complete'],
    ],
  },
  {
    name: 'label', usage: 'rnn-lab label MODEL FILE [--json] [--backend engine|ort]', run: labelCommand,
    summary: 'Labels FILE: a tagger\'s label per token, a classifier\'s class per line, a language model\'s surprisal per '
      + 'token. A labelled file in the model\'s data format (token<TAB>label, label<TAB>text) is read for its tokens or texts.',
    options: [
      ['--json', 'one object a line: {"token","start","end","label","p"}, lm {"token","start","end","surprisal"}, classify {"line","start","end","label","p"} (and "gold" from a labelled file)'],
      BACKEND,
    ],
    notes: LABEL_USAGE.slice(LABEL_USAGE.indexOf('(')).replace(/^\(|\)$/g, '') + '. Surprisal is in nats.',
  },
  evalCommand,
  {
    name: 'predict', usage: PREDICT_USAGE, run: predictCommand,
    summary: 'Prints the raw pre-softmax outputs: {"tokens": [...], "logits": [[...], ...]}, a row per input step (one in all for a classifier).',
    options: [['--ids 1,2,3', 'token ids as input'], ['--text TEXT', 'text as input, tokenized as in training'], BACKEND, ['--json', 'the output is JSON (always)']],
  },
  {
    name: 'translate', usage: TRANSLATE_USAGE, run: translateCommand,
    summary: 'Translates each source line of FILE (a source<TAB>target file is read for its sources) or --text with a seq2seq '
      + 'model, by beam search scored log P / T^α (DESIGN.md §4).',
    options: [
      ['--text TEXT', 'one source to translate instead of FILE'],
      ['--beam K', 'beam width (1 = greedy); default: the config\'s sampling.beam'],
      ['--length-penalty A', 'α of log P / T^α; default: the config\'s sampling.lengthPenalty'],
      ['--max-length N', 'the longest output, in target tokens'],
      BACKEND,
      ['--json', 'one object per source line: {"line","source","output","logProb","attention":[[...], ...]}'],
    ],
  },
  {
    name: 'export', usage: EXPORT_USAGE, run: exportCommand,
    summary: 'Writes a run\'s model.onnx (with validation data, its lowest-validation-loss model) to OUT.onnx, atomically.',
  },
  {
    name: 'export-pytorch', usage: EXPORT_PYTORCH_USAGE, run: exportPyTorchCommand,
    summary: 'Writes a self-contained PyTorch project (train.py, README.md, requirements.txt) to OUT_DIR: the same model, '
      + 'data, optimizer and schedule, continuing RUN_DIR\'s weights or starting from CONFIG\'s seed (DESIGN.md §4).',
  },
  {
    name: 'neighbors', usage: NEIGHBORS_USAGE, run: neighborsCommand,
    summary: 'The words nearest to WORD by cosine in a model\'s embedding or a GloVe / word2vec .txt file: {"word", "neighbors": [{"word", "cosine"}, ...]}.',
  },
  {
    name: 'analogy', usage: ANALOGY_USAGE, run: analogyCommand,
    summary: '"A is to B as C is to ?": the words nearest by cosine to B − A + C (unit vectors), A, B and C excluded.',
  },
  {
    name: 'export-vectors', usage: EXPORT_VECTORS_USAGE, run: exportVectorsCommand,
    summary: 'Writes a model\'s embedding (or a vectors file) as GloVe text: a word and its numbers on each line.',
  },
  {
    name: 'debias', usage: DEBIAS_USAGE, run: debiasCommand,
    summary: 'Hard debiasing (Bolukbasi et al.): the direction of the --pairs neutralised in every other word, the --equalize pairs equalised; writes unit vectors.',
  },
  runsCommand,
  {
    name: 'bench', usage: 'rnn-lab bench [--json] [--quick] [--threads 1|2] [--python PATH] [--baseline PATH|none] [--no-quality]', ownHelp: true,
    summary: 'Measures training and sampling speed against PyTorch; `rnn-lab bench --help` lists its options.',
    // The speed work (src/cli/bench.ts), required on use so other commands start fast.
    run: (argv, io) => (require('./bench') as typeof import('./bench')).runBench(argv, io),
  },
];
