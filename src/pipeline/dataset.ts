// From a loaded config to training data: task (given or detected), tokenizer and vocabulary learnt
// from the training part, labels, and the train / validation split (a share or a separate file).
import * as path from 'node:path';
import { Rng } from '../engine/rng';
import type { ModelSpec } from '../engine/spec';
import type { Seq2SeqSpec } from '../engine/seq2seq/spec';
import type { Example } from './batching';
import type { RnnConfig } from './config';
import { inputError, shortValue, someOf } from './errors';
import { detectTask, parseLabelled, parsePairs, parseTagged, type SequencePair, type Task } from './formats';
import type { PairExample } from './seq2seq/batches';
import type { IdArray } from './idBuffer';
import { encodeLmFile, readLmCorpus } from './lmCorpus';
import { readTextFile } from './textFile';
import { Tokenizer, forEachPiece, vocabFromCounts, LINE_BREAK } from './tokenizer';

export type Dataset =
  | { readonly task: 'lm'; readonly tokenizer: Tokenizer; readonly labels: readonly string[];
      readonly train: IdArray; readonly validation: IdArray | null }
  | { readonly task: 'tag' | 'classify'; readonly tokenizer: Tokenizer; readonly labels: readonly string[];
      readonly train: Example[]; readonly validation: Example[] }
  | { readonly task: 'seq2seq'; readonly tokenizer: Tokenizer; readonly targetTokenizer: Tokenizer; readonly labels: readonly string[];
      readonly train: PairExample[]; readonly validation: PairExample[] };

/** Data splits use their own random stream, so changing the model never changes the split. */
const SPLIT_STREAM = 7;

export function resolveTask(config: RnnConfig): Task {
  return config.task ?? detectTask(config.data.train);
}

export function prepareDataset(config: RnnConfig, task: Task = resolveTask(config)): Dataset {
  const { data } = config;
  switch (task) {
    case 'lm': {
      const corpus = readLmCorpus(data.train, { kind: data.tokenizer, lowercase: data.lowercase, minCount: data.minCount, maxVocab: data.maxVocab });
      if (typeof data.validation === 'string') {
        return { task, tokenizer: corpus.tokenizer, labels: [], train: corpus.ids, validation: encodeLmFile(data.validation, corpus.tokenizer) };
      }
      // The held-out share is the end of the text: contiguous, as a language model reads it.
      const held = Math.floor(corpus.ids.length * data.validation);
      const validation = held >= 2 ? corpus.ids.subarray(corpus.ids.length - held) : null;
      const train = validation ? corpus.ids.subarray(0, corpus.ids.length - held) : corpus.ids;
      if (train.length < 2) throw inputError(path.basename(data.train), `only ${corpus.ids.length} token(s); a language model needs at least 2 to train on`);
      return { task, tokenizer: corpus.tokenizer, labels: [], train, validation };
    }
    case 'tag': {
      // The file's tokens are the tokens (word level whatever data.tokenizer says); text to label is
      // split into words by the word tokenizer.
      const split = splitRows(parseTagged(readTextFile(data.train), data.train), data.validation, config.training.seed,
        (file) => parseTagged(readTextFile(file), file));
      const tokenizer = learnTokenizer('word', data, split.train.flatMap((s) => s.tokens), true);
      const labels = data.labels.length > 0 ? data.labels : sortedLabels(split.train.flatMap((s) => s.labels));
      const encode = (s: { tokens: string[]; labels: string[]; line: number }, file: string): Example => ({
        ids: Int32Array.from(s.tokens, (t) => tagTokenId(tokenizer, t)),
        labels: Int32Array.from(s.labels, (l) => labelId(labels, l, file, s.line)),
      });
      return { task, tokenizer, labels, train: split.train.map((s) => encode(s, data.train)), validation: split.validation.map((s) => encode(s, split.validationFile)) };
    }
    case 'classify': {
      const split = splitRows(parseLabelled(readTextFile(data.train), data.train), data.validation, config.training.seed,
        (file) => parseLabelled(readTextFile(file), file));
      const pieces = split.train.flatMap((r) => piecesOf(data.tokenizer, r.text, data.lowercase));
      const tokenizer = learnTokenizer(data.tokenizer, data, pieces, false);
      const labels = data.labels.length > 0 ? data.labels : sortedLabels(split.train.map((r) => r.label));
      const encode = (r: { label: string; text: string; line: number }, file: string): Example => {
        const ids = tokenizer.encode(r.text);
        if (ids.length === 0) throw inputError(`${path.basename(file)}:${r.line}`, 'the text has no tokens; expected "label<TAB>text"');
        return { ids, label: labelId(labels, r.label, file, r.line) };
      };
      return { task, tokenizer, labels, train: split.train.map((r) => encode(r, data.train)), validation: split.validation.map((r) => encode(r, split.validationFile)) };
    }
    case 'embed':
      throw new Error('prepareDataset: the embed task reads its text with readEmbedCorpus (src/pipeline/embedCorpus.ts)');
    case 'seq2seq': {
      // Source and target have their own vocabularies, both learnt from the training pairs.
      const split = splitRows(parsePairs(readTextFile(data.train), data.train), data.validation, config.training.seed,
        (file) => parsePairs(readTextFile(file), file));
      const tokenizer = learnTokenizer(data.tokenizer, data, split.train.flatMap((p) => piecesOf(data.tokenizer, p.source.trim(), data.lowercase)), false);
      const targetTokenizer = learnTokenizer(data.tokenizer, data, split.train.flatMap((p) => piecesOf(data.tokenizer, p.target.trim(), data.lowercase)), false);
      const { maxLength } = config.sampling, cut = config.training.sequenceLength;
      const encode = (p: SequencePair, file: string): PairExample => {
        const where = `${path.basename(file)}:${p.line}`;
        const source = tokenizer.encode(p.source.trim()), target = targetTokenizer.encode(p.target.trim());
        if (source.length === 0 || target.length === 0) throw inputError(where, `the ${source.length === 0 ? 'source' : 'target'} has no tokens; expected "source<TAB>target"`);
        if (target.length > maxLength) throw inputError(where, `the target has ${target.length} tokens, more than sampling.maxLength (${maxLength}); raise it or shorten the line`);
        return { source: source.length > cut ? source.subarray(0, cut) : source, target, reference: piecesOf(data.tokenizer, p.target.trim(), data.lowercase), line: p.line };
      };
      return {
        task, tokenizer, targetTokenizer, labels: [],
        train: split.train.map((p) => encode(p, data.train)), validation: split.validation.map((p) => encode(p, split.validationFile)),
      };
    }
  }
}

/** The seq2seq model's shape from the config and the data (attention, both vocabularies). */
export function seq2seqSpecFor(config: RnnConfig, dataset: Extract<Dataset, { task: 'seq2seq' }>): Seq2SeqSpec {
  const m = config.model;
  return {
    kind: 'seq2seq', cell: m.cell, sourceVocab: dataset.tokenizer.size, targetVocab: dataset.targetTokenizer.size, embedding: m.embedding,
    hidden: m.hidden, layers: m.layers, bidirectional: m.bidirectional, peephole: m.peephole, resetAfter: m.resetAfter,
    activation: m.activation, dropout: m.dropout, attention: m.attention,
  };
}

/** A tag file's token as an id: the file's tokens are the tokens, lowercased when the tokenizer lowercases. */
export const tagTokenId = (tokenizer: Tokenizer, token: string): number => tokenizer.idOf(tokenizer.spec.lowercase ? token.toLowerCase() : token);

/** The model's shape from the config and the data. */
export function modelSpecFor(config: RnnConfig, dataset: Dataset, configName: string): ModelSpec {
  const m = config.model;
  if (dataset.task === 'seq2seq') throw new Error('modelSpecFor: a seq2seq dataset takes seq2seqSpecFor');
  if (dataset.task === 'lm' && m.bidirectional) {
    throw inputError(configName, '/model/bidirectional must be false for a language model (it would see the tokens it predicts)');
  }
  if (dataset.task !== 'tag' && m.head === 'sigmoid') throw inputError(configName, '/model/head "sigmoid" applies only to the tag task');
  return {
    cell: m.cell, vocabSize: dataset.tokenizer.size, embedding: m.embedding, hidden: m.hidden, layers: m.layers,
    bidirectional: m.bidirectional, peephole: m.peephole, resetAfter: m.resetAfter, activation: m.activation,
    dropout: m.dropout, outputs: dataset.task === 'lm' ? dataset.tokenizer.size : dataset.labels.length,
    head: m.head, manyToOne: dataset.task === 'classify',
  };
}

function splitRows<R>(rows: R[], validation: number | string, seed: number, parseFile: (file: string) => R[]):
  { train: R[]; validation: R[]; validationFile: string } {
  if (typeof validation === 'string') return { train: rows, validation: parseFile(validation), validationFile: validation };
  const order = new Rng(seed, SPLIT_STREAM).shuffle([...rows.keys()]);
  const held = rows.length >= 2 ? Math.min(rows.length - 1, Math.round(rows.length * validation)) : 0;
  const heldSet = new Set(order.slice(0, held));
  return { train: rows.filter((_, i) => !heldSet.has(i)), validation: rows.filter((_, i) => heldSet.has(i)), validationFile: '' };
}

function piecesOf(kind: 'char' | 'word', text: string, lowercase: boolean): string[] {
  const out: string[] = [];
  forEachPiece(kind, text, lowercase, (p) => { if (!(kind === 'word' && p === LINE_BREAK)) out.push(p); });
  return out;
}

function learnTokenizer(kind: 'char' | 'word', opts: RnnConfig['data'], pieces: string[], pieceAsGiven: boolean): Tokenizer {
  const lowercase = opts.lowercase;
  const counts = new Map<string, number>();
  for (const raw of pieces) {
    const p = pieceAsGiven && lowercase ? raw.toLowerCase() : raw;
    counts.set(p, (counts.get(p) ?? 0) + 1);
  }
  return new Tokenizer({ kind, lowercase: kind === 'word' && lowercase, vocab: vocabFromCounts(counts, kind === 'char' ? 1 : opts.minCount, kind === 'char' ? 0 : opts.maxVocab) });
}

/** Labels in a stable order: numbers numerically ("0" < "1" < "10"), then text. */
function sortedLabels(all: string[]): string[] {
  return [...new Set(all)].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

function labelId(labels: readonly string[], label: string, file: string, line: number): number {
  const id = labels.indexOf(label);
  if (id < 0) throw inputError(`${path.basename(file)}:${line}`, `unknown label ${shortValue(label)}; the training data has ${someOf(labels)}`);
  return id;
}
