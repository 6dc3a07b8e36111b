// Small real models for the inference tests: random weights, exported to ONNX with RNN Lab metadata.
import * as fs from 'fs';
import * as path from 'path';
import { initParams } from '../../../src/engine/init';
import { Rng } from '../../../src/engine/rng';
import { paramCount, type ModelSpec } from '../../../src/engine/spec';
import { exportModel } from '../../../src/onnx';
import { toOnnxMetadata } from '../../../src/pipeline/modelMeta';
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
