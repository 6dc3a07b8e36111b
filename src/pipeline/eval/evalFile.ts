// Evaluating a model on a labelled file in its task's data format (DESIGN.md §4 "Evaluation"): one row
// per task in EVAL_TASKS, each scoring the file the way training validates (lm, tag, classify read it
// as a stream, a chunk of lines at a time, so a 100 MB file needs about one chunk of memory).
// `rnn-lab eval` and Evaluate Model on File both call evaluateModelFile. A task adds its row here.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { padBatch, type Example } from '../batching';
import { tagTokenId } from '../dataset';
import { inputError, InputError } from '../errors';
import { labelledLine, taggedLine, type Task } from '../formats';
import { loadModel, type Backend, type LoadedModel } from '../loadModel';
import type { ModelMeta } from '../modelMeta';
import { isSeq2SeqModel, loadSeq2Seq } from '../seq2seq/model';
import { evaluateSeq2SeqFile, translateOptions } from '../seq2seq/translate';
import { readTextFile, streamTextFile } from '../textFile';
import { forEachPiece, LINE_BREAK, type Tokenizer } from '../tokenizer';
import type { EvalProgress, EvalReport } from '../../protocol/evaluation';
import { ClassScorer } from './classScorer';
import { LmScorer } from './lmScorer';

export interface EvalOptions {
  /** Told after each chunk of the file (a few MB). */
  readonly onProgress?: (progress: EvalProgress) => void;
  /** Asked after each chunk; true ends the evaluation with EvalCancelled. */
  readonly cancelled?: () => boolean;
}

export class EvalCancelled extends Error {
  constructor() { super('the evaluation was cancelled'); }
}

/** What a task's row gets: the model with its vocabulary and labels, the file, the options. */
export interface EvalInput {
  readonly model: LoadedModel;
  readonly meta: ModelMeta;
  readonly tokenizer: Tokenizer;
  readonly file: string;
  readonly options: EvalOptions;
}

export type EvalTask = (input: EvalInput) => EvalReport;

export const EVAL_TASKS: { readonly [T in Task]?: EvalTask } = {
  lm: evaluateLmFile,
  tag: (input) => evaluateSequenceFile(input, 'tag'),
  classify: (input) => evaluateSequenceFile(input, 'classify'),
};

/** A model path (run folder or .onnx) on a file: the report and the training step of the weights. */
export function evaluateModelFile(modelPath: string, file: string, backend: Backend, options: EvalOptions = {}): { report: EvalReport; step?: number } {
  if (isSeq2SeqModel(modelPath)) return { report: evaluateSeq2SeqModel(modelPath, file, backend, options) };
  const model = loadModel(modelPath, backend);
  try {
    return { report: evaluateFile(model, file, options), step: model.step };
  } finally {
    model.dispose();
  }
}

/**
 * seq2seq (issue 13's scorer, which validation during training also calls): teacher-forced loss per
 * target token, exact match and corpus BLEU-4 of the model's configured search. It reads the whole file.
 */
function evaluateSeq2SeqModel(modelPath: string, file: string, backend: Backend, options: EvalOptions): EvalReport {
  const model = loadSeq2Seq(modelPath, backend);
  try {
    const r = evaluateSeq2SeqFile(model, readTextFile(file), path.basename(file), {
      ...translateOptions(model),
      onProgress: (done, total) => {
        options.onProgress?.({ done, total, unit: 'pairs' });
        if (options.cancelled?.()) throw new EvalCancelled();
      },
    });
    return { task: 'seq2seq', loss: r.loss, exactMatch: r.exactMatch, bleu: r.bleu };
  } finally {
    model.dispose();
  }
}

export function evaluateFile(model: LoadedModel, file: string, options: EvalOptions = {}): EvalReport {
  if (!model.meta || !model.tokenizer) {
    throw inputError(model.source, 'has no RNN Lab vocabulary (rnnlab.* metadata), so it cannot read a data file; expected a model trained by RNN Lab');
  }
  const task = EVAL_TASKS[model.meta.task];
  if (!task) throw inputError(model.source, `is a ${model.meta.task} model; eval is available for ${[...Object.keys(EVAL_TASKS), 'seq2seq'].join(', ')} models`);
  return task({ model, meta: model.meta, tokenizer: model.tokenizer, file, options });
}

/**
 * Progress and cancellation come after each slice of about this many characters (whole lines): a
 * chunk of the file (4 MB) takes tens of seconds to score at batch 1, too long to wait for a cancel.
 */
const SLICE_CHARS = 1 << 16;

/** The file in slices of whole lines, with progress and cancellation between them. */
function readChunks(file: string, options: EvalOptions, onText: (text: string, firstLine: number) => void): void {
  let totalBytes = 0;
  try { totalBytes = fs.statSync(file).size; } catch { /* streamTextFile says what is wrong */ }
  let done = 0;
  streamTextFile(file, (text, firstLine) => {
    for (const slice of linesInSlices(text, firstLine)) {
      onText(slice.text, slice.firstLine);
      done += Buffer.byteLength(slice.text, 'utf8');
      options.onProgress?.({ done, total: totalBytes, unit: 'bytes' });
      if (options.cancelled?.()) throw new EvalCancelled();
    }
  });
}

/** A chunk of whole lines (streamTextFile cuts at \n) cut after the first \n past each SLICE_CHARS. */
function* linesInSlices(text: string, firstLine: number): Generator<{ text: string; firstLine: number }> {
  let start = 0, line = firstLine;
  while (start < text.length) {
    const breakAt = text.length - start > SLICE_CHARS ? text.indexOf('\n', start + SLICE_CHARS) : -1;
    const end = breakAt >= 0 ? breakAt + 1 : text.length;
    const slice = text.slice(start, end);
    yield { text: slice, firstLine: line };
    for (let i = slice.indexOf('\n'); i >= 0; i = slice.indexOf('\n', i + 1)) line++;
    start = end;
  }
}

/** lm: every token of the file predicted from all before it, the first from a line start (as label does). */
function evaluateLmFile({ model, tokenizer, file, options }: EvalInput): EvalReport {
  const scorer = new LmScorer(model.windows, model.spec.outputs, tokenizer.idOf(LINE_BREAK));
  const { kind, lowercase } = tokenizer.spec;
  readChunks(file, options, (text) => forEachPiece(kind, text, lowercase, (piece) => scorer.push(tokenizer.idOf(piece))));
  const { tokens, loss } = scorer.finish();
  if (tokens === 0) throw inputError(path.basename(file), 'has no tokens to predict; expected text');
  return { task: 'lm', tokens, loss, perplexity: Math.exp(loss), bitsPerToken: loss / Math.LN2 };
}

/** tag: `token<TAB>label` lines, blank lines between sequences; classify: `label<TAB>text` lines. */
function evaluateSequenceFile({ model, meta, tokenizer, file, options }: EvalInput, task: 'tag' | 'classify'): EvalReport {
  const name = path.basename(file);
  const labels = meta.labels;
  const scorer = new ClassScorer(model.spec.outputs, model.spec.head, model.spec.manyToOne);
  const batchSize = batchSizeOf(meta);
  let batch: Example[] = [];
  const flush = () => {
    if (batch.length === 0) return;
    const padded = padBatch(batch);
    scorer.add(padded, model.forward(padded.tokens, padded.T, padded.B, padded.lengths));
    batch = [];
  };
  const labelId = (label: string, where: string) => {
    const id = labels.indexOf(label);
    if (id < 0) throw inputError(where, `unknown label "${label}"; the model knows ${labels.map((l) => `"${l}"`).join(', ')}`);
    return id;
  };
  let tokens: number[] = [], tags: number[] = [];
  const endSequence = () => {
    if (tokens.length > 0) batch.push({ ids: Int32Array.from(tokens), labels: Int32Array.from(tags) });
    tokens = [];
    tags = [];
    if (batch.length >= batchSize) flush();
  };
  readChunks(file, options, (text, firstLine) => {
    const lines = text.split(/\r\n|\r|\n/);
    if (lines[lines.length - 1] === '') lines.pop();   // the chunk's last line break, not a blank line
    lines.forEach((raw, i) => {
      const where = `${name}:${firstLine + i}`;
      if (task === 'tag') {
        const fields = taggedLine(raw, where);
        if (!fields) return endSequence();
        tokens.push(tagTokenId(tokenizer, fields[0]));
        tags.push(labelId(fields[1], where));
        return;
      }
      const row = labelledLine(raw, where);
      if (!row) return;
      const ids = tokenizer.encode(row.text);
      if (ids.length === 0) throw inputError(where, 'the text has no tokens; expected "label<TAB>text"');
      batch.push({ ids, label: labelId(row.label, where) });
      if (batch.length >= batchSize) flush();
    });
  });
  endSequence();
  flush();
  if (!(scorer.loss >= 0)) {
    throw new InputError(`${name}: no ${task === 'tag' ? 'tagged sequences; expected "token<TAB>label" lines' : 'examples; expected "label<TAB>text" lines'}`);
  }
  return scorer.report(task, labels);
}

/** The batch the model was trained with (padding costs little then), else 32. */
function batchSizeOf(meta: ModelMeta): number {
  const b = (meta.config as { training?: { batchSize?: unknown } } | null)?.training?.batchSize;
  return typeof b === 'number' && Number.isInteger(b) && b > 0 ? Math.min(b, 256) : 32;
}
