// rnn-lab translate, and label on a seq2seq model: thin wrappers over src/pipeline/seq2seq/translate.ts.
import * as path from 'node:path';
import { loadSeq2Seq } from '../pipeline/seq2seq/model';
import type { SourceTranslation } from '../protocol/inference';
import { translateOptions, translateText, unknownTokens } from '../pipeline/seq2seq/translate';
import { readTextFile } from '../pipeline/textFile';
import { backendOption, numberOption, parseArgs, UsageError, type Parsed } from './args';
import { jsonLine, type CliIO } from './output';

export const TRANSLATE_USAGE = 'rnn-lab translate MODEL (FILE | --text TEXT) [--beam K] [--length-penalty A] [--max-length N] [--backend engine|ort] [--json]';

function searchOptions(args: Parsed) {
  return {
    beam: numberOption(args, 'beam', { min: 1, integer: true }),
    lengthPenalty: numberOption(args, 'length-penalty', { min: 0 }),
    maxLength: numberOption(args, 'max-length', { min: 1, integer: true }),
  };
}

export function translateCommand(argv: readonly string[], io: CliIO): number {
  const args = parseArgs(argv, ['text', 'beam', 'length-penalty', 'max-length', 'backend'], ['json'], TRANSLATE_USAGE);
  const text = args.options.get('text');
  if (args.positional.length !== (text === undefined ? 2 : 1)) {
    throw new UsageError(`expected MODEL and a FILE, or MODEL and --text TEXT; usage: ${TRANSLATE_USAGE}`);
  }
  const given = searchOptions(args);
  if (text !== undefined && text.trim() === '') throw new UsageError('--text is blank: expected a source to translate');
  const input = text ?? readTextFile(args.positional[1]);
  const where = (line: number) => (text === undefined ? `${path.basename(args.positional[1])}:${line}` : `--text, line ${line}`);
  const model = loadSeq2Seq(args.positional[0], backendOption(args));
  try {
    const opts = translateOptions(model, { beam: given.beam, lengthPenalty: given.lengthPenalty, maxLength: given.maxLength });
    const json = args.flags.has('json');
    for (const t of translateText(model, input, opts)) {
      const unknown = warnUnknown(io, where, t);
      io.out(json
        ? jsonLine({ line: t.line, source: t.source, output: t.output, logProb: t.logProb, attention: t.attention, score: t.score, candidates: t.candidates,
          ...(unknown.length ? { unknown } : {}) })
        : `${t.output}\n`);
    }
    return 0;
  } finally {
    model.dispose();
  }
}

/** Source tokens the model never saw in training are read as <unk>: said on stderr, so a surprising output has its reason. */
function warnUnknown(io: CliIO, where: (line: number) => string, t: SourceTranslation): string[] {
  const unknown = unknownTokens(t);
  if (unknown.length) io.err(`warning: ${where(t.line)}: ${unknown.map((u) => JSON.stringify(u)).join(', ')} never seen in training, read as <unk>\n`);
  return unknown;
}

/** label MODEL FILE on a seq2seq model: each line's output, with its range and log-probability. */
export function labelSeq2Seq(modelPath: string, file: string, args: Parsed, io: CliIO): number {
  const text = readTextFile(file);
  const model = loadSeq2Seq(modelPath, backendOption(args));
  try {
    const json = args.flags.has('json');
    for (const t of translateText(model, text, translateOptions(model))) {
      const unknown = warnUnknown(io, (line) => `${path.basename(file)}:${line}`, t);
      io.out(json
        ? jsonLine({ line: t.line, start: t.start, end: t.end, output: t.output, logProb: t.logProb, ...(unknown.length ? { unknown } : {}) })
        : `${path.basename(file)}:${t.line}\t${t.output}\t${t.logProb.toFixed(3)}\n`);
    }
    return 0;
  } finally {
    model.dispose();
  }
}
