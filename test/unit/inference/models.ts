// Small real models for the inference tests: random weights, exported to ONNX with RNN Lab metadata.
import * as fs from 'fs';
import * as path from 'path';
import { initParams } from '../../../src/engine/init';
import { createSeq2SeqModel } from '../../../src/engine/seq2seq/model';
import type { Seq2SeqSpec } from '../../../src/engine/seq2seq/spec';
import { Rng } from '../../../src/engine/rng';
import { paramCount, type ModelSpec } from '../../../src/engine/spec';
import { exportModel } from '../../../src/onnx';
import { toOnnxMetadata } from '../../../src/pipeline/modelMeta';
import { writeSeq2SeqFiles } from '../../../src/pipeline/seq2seq/model';
import { SPECIAL_TOKENS, splitTokens } from '../../../src/pipeline/tokenizer';

/** A model with random weights for `task`, its vocabulary taken from `text`, written as dir/<name>.onnx. */
export function writeModel(dir: string, name: string, task: 'lm' | 'tag' | 'classify', kind: 'char' | 'word', text: string, labels: string[]): string {
  const vocab = [...SPECIAL_TOKENS, ...new Set(splitTokens(kind, text).map((s) => s.text).filter((t) => t !== '\n' || kind === 'char'))];
  const spec: ModelSpec = {
    cell: task === 'tag' ? 'gru' : 'lstm', vocabSize: vocab.length, embedding: 6, hidden: 5, layers: task === 'lm' ? 2 : 1,
    bidirectional: task === 'tag', peephole: false, resetAfter: true, activation: 'tanh', dropout: 0,
    outputs: task === 'lm' ? vocab.length : labels.length, head: 'softmax', manyToOne: task === 'classify',
  };
  const params = new Float32Array(paramCount(spec));
  initParams(spec, params, new Rng(7));
  const meta = { task, tokenizer: { kind, lowercase: false, vocab }, labels, config: null };
  const file = path.join(dir, `${name}.onnx`);
  fs.writeFileSync(file, exportModel(spec, params, toOnnxMetadata(meta)));
  return file;
}

export const lmText = 'Tabs\tand CRLF\r\nemoji 😀 e\u0301 done.\n';
export const tagText = 'Harry Potter and Hermione Granger invented a new spell\nRon Weasley ate a cake\n\nHarry left';
export const classText = 'food\tbread and jam\nweather\tstorm all night\n\nfood\tsoup at lunch';

/**
 * A seq2seq model with random weights (GRU, bidirectional, additive attention unless `attention` says),
 * source characters from `sourceText`, target characters from `targetText`: dir/<name>/encoder.onnx and
 * decoder.onnx, as a run folder keeps them. Returns the folder.
 */
export function writeSeq2SeqModel(dir: string, name: string, sourceText: string, targetText: string, attention: Seq2SeqSpec['attention'] = 'additive'): string {
  const vocabOf = (text: string) => [...SPECIAL_TOKENS, ...new Set(splitTokens('char', text).map((s) => s.text))];
  const sourceVocab = vocabOf(sourceText), targetVocab = vocabOf(targetText);
  const spec: Seq2SeqSpec = {
    kind: 'seq2seq', cell: 'gru', sourceVocab: sourceVocab.length, targetVocab: targetVocab.length, embedding: 4, hidden: 5, layers: 1,
    bidirectional: true, peephole: false, resetAfter: true, activation: 'tanh', dropout: 0, attention,
  };
  const model = createSeq2SeqModel(spec, 'f32');
  const rng = new Rng(11);
  for (let i = 0; i < model.params.length; i++) model.params[i] = rng.uniformIn(-0.6, 0.6);
  const meta = {
    task: 'seq2seq' as const, tokenizer: { kind: 'char' as const, lowercase: false, vocab: sourceVocab }, labels: [],
    targetTokenizer: { kind: 'char' as const, lowercase: false, vocab: targetVocab },
    config: { sampling: { beam: 3, lengthPenalty: 0.7, maxLength: 12 } },
  };
  const runDir = path.join(dir, name);
  fs.mkdirSync(runDir, { recursive: true });
  writeSeq2SeqFiles(runDir, spec, model.params, meta);
  return runDir;
}

export const datesText = '3 may 1979\n\n  12.10.2001\tignored target\nthe 1st of june, 1950\n';
export const isoText = '0123456789-';
