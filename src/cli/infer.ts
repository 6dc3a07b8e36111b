// rnn-lab sample | label | predict: thin wrappers over src/pipeline/inference/textInference.ts.
import * as path from 'node:path';
import { inputError } from '../pipeline/errors';
import { defaultSampleSettings } from '../pipeline/inference/sampleSettings';
import { labelText, predictLogits, sampleText } from '../pipeline/inference/textInference';
import { loadModel } from '../pipeline/loadModel';
import type { RnnConfig } from '../pipeline/config';
import type { SampleSettings } from '../protocol/inference';
import { readTextFile } from '../pipeline/textFile';
import { rnnconfigSchemaJson } from '../pipeline/schema';
import { backendOption, parseArgs, schemaNumberOption, UsageError } from './args';
import { jsonLine, type CliIO } from './output';
import { isSeq2SeqModel } from '../pipeline/seq2seq/model';
import { labelSeq2Seq } from './translate';

export const SAMPLE_USAGE = 'rnn-lab sample MODEL [--prime TEXT] [--temperature T] [--top-k K] [--top-p P] [--length N] [--seed S] [--backend engine|ort] [--json]';
const MAX_PRIME = (rnnconfigSchemaJson as { properties: { sampling: { properties: { prime: { maxLength: number } } } } }).properties.sampling.properties.prime.maxLength;
export const LABEL_USAGE = 'rnn-lab label MODEL FILE [--json] [--backend engine|ort]   (start/end: UTF-16 code unit offsets in FILE, as JavaScript and VS Code count)';
export const PREDICT_USAGE = 'rnn-lab predict MODEL (--ids 1,2,3 | --text TEXT) [--backend engine|ort] --json';

export function sampleCommand(argv: readonly string[], io: CliIO): number {
  const args = parseArgs(argv, ['prime', 'temperature', 'top-k', 'top-p', 'length', 'seed', 'backend'], ['json'], SAMPLE_USAGE);
  if (args.positional.length !== 1) throw new UsageError(`expected one MODEL; usage: ${SAMPLE_USAGE}`);
  // The ranges of the config's sampling fields (and training.seed), from the schema, checked before the model loads.
  const given = {
    length: schemaNumberOption(args, 'length', 'sampling.length'),
    temperature: schemaNumberOption(args, 'temperature', 'sampling.temperature'),
    topK: schemaNumberOption(args, 'top-k', 'sampling.topK'),
    topP: schemaNumberOption(args, 'top-p', 'sampling.topP'),
    seed: schemaNumberOption(args, 'seed', 'training.seed'),
  };
  const prime = args.options.get('prime');
  if (prime !== undefined && prime.length > MAX_PRIME) throw new UsageError(`--prime has ${prime.length} characters; expected at most ${MAX_PRIME} (sampling.prime)`);
  const model = loadModel(args.positional[0], backendOption(args));
  try {
    // An option, else the model's own config (its sampling section), else the schema's default. The
    // seed is 0 unless given (not training.seed's default): what rnn-lab sample has always drawn.
    const fromModel = (model.meta?.config as RnnConfig | null)?.sampling;
    const schema = defaultSampleSettings();
    const request: SampleSettings = {
      prime: prime ?? fromModel?.prime ?? schema.prime,
      length: given.length ?? fromModel?.length ?? schema.length,
      temperature: given.temperature ?? fromModel?.temperature ?? schema.temperature,
      topK: given.topK ?? fromModel?.topK ?? schema.topK,
      topP: given.topP ?? fromModel?.topP ?? schema.topP,
      seed: given.seed ?? 0,
    };
    if (args.flags.has('json')) {
      let text = request.prime;
      for (const piece of sampleText(model, request)) text += piece;
      io.out(jsonLine({ text }));
    } else {
      io.out(request.prime);
      for (const piece of sampleText(model, request)) io.out(piece);
      io.out('\n');
    }
    return 0;
  } finally {
    model.dispose();
  }
}

export function labelCommand(argv: readonly string[], io: CliIO): number {
  const args = parseArgs(argv, ['backend'], ['json'], LABEL_USAGE);
  if (args.positional.length !== 2) throw new UsageError(`expected MODEL and FILE; usage: ${LABEL_USAGE}`);
  const [modelPath, file] = args.positional;
  if (isSeq2SeqModel(modelPath)) return labelSeq2Seq(modelPath, file, args, io);
  const text = readTextFile(file);
  const model = loadModel(modelPath, backendOption(args));
  try {
    const labels = labelText(model, text);
    const json = args.flags.has('json');
    if (labels.kind === 'lines') {
      for (const l of labels.items) io.out(json ? jsonLine(l) : `${path.basename(file)}:${l.line}\t${l.label}\t${l.p.toFixed(3)}${gold(l.gold)}\n`);
    } else {
      for (const t of labels.items) {
        io.out(json ? jsonLine(t) : t.surprisal !== undefined
          ? `${JSON.stringify(t.token)}\t${t.start}-${t.end}\t${t.surprisal.toFixed(3)} nats\n`
          : `${t.token}\t${t.start}-${t.end}\t${t.label}\t${t.p!.toFixed(3)}${gold(t.gold)}\n`);
      }
    }
    return 0;
  } finally {
    model.dispose();
  }
}

const gold = (label: string | undefined) => (label === undefined ? '' : `\tgold ${label}`);

export function predictCommand(argv: readonly string[], io: CliIO): number {
  const args = parseArgs(argv, ['ids', 'text', 'backend'], ['json'], PREDICT_USAGE);
  if (args.positional.length !== 1) throw new UsageError(`expected one MODEL; usage: ${PREDICT_USAGE}`);
  const idsArg = args.options.get('ids'), text = args.options.get('text');
  if ((idsArg === undefined) === (text === undefined)) throw new UsageError(`give exactly one of --ids or --text; usage: ${PREDICT_USAGE}`);
  const model = loadModel(args.positional[0], backendOption(args));
  try {
    let input: { ids: number[] } | { text: string };
    if (idsArg !== undefined) {
      const parts = idsArg.split(',').map((s) => s.trim());
      if (parts.some((s) => !/^\d+$/.test(s))) throw inputError('--ids', `${JSON.stringify(idsArg)}: expected comma-separated token ids, e.g. 1,2,3`);
      input = { ids: parts.map(Number) };
    } else {
      input = { text: text! };
    }
    io.out(jsonLine(predictLogits(model, input)));
    return 0;
  } finally {
    model.dispose();
  }
}
